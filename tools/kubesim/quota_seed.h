#ifndef SLUICE_TOOLS_KUBESIM_QUOTA_SEED_H_
#define SLUICE_TOOLS_KUBESIM_QUOTA_SEED_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/kubesim/resource_quota_object.h"

namespace sluice::kubesim {

// A ResourceQuota the simulator is told to set (the --quota flag and
// POST /sim/quotas), rather than one a client creates through the API.
struct QuotaSeed {
  std::string namespace_name;
  std::string name = "quota";
  QuotaSpec spec;
};

// Parses the flag form: `ns=team-a,pods=10,requests.cpu=4,requests.memory=8Gi`
// with an optional `name=Q` (default "quota"); every other entry is a
// resource of spec.hard. InvalidArgument names the problem.
absl::StatusOr<QuotaSeed> ParseQuotaFlag(std::string_view text);

// Parses the body of POST /sim/quotas: one object or an array of objects,
// each either {"spec": "<flag form>"} or
// {"namespace": "team-a", "name": "q", "hard": {"pods": "10", ...}}.
absl::StatusOr<std::vector<QuotaSeed>> ParseQuotaSeedsJson(std::string_view body);

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_QUOTA_SEED_H_
