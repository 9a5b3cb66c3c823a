#ifndef SLUICE_TOOLS_LOADGEN_QUOTA_BOOKS_H_
#define SLUICE_TOOLS_LOADGEN_QUOTA_BOOKS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sluice::loadgen {

// One ResourceQuota as kubesim's `GET /sim/quotas` shows it: what admission
// enforces (`hard`) and what is charged (`used`), in thousandths of a unit
// (cpu 1500 = 1.5 cores, pods 10000 = 10 pods).
struct QuotaBook {
  std::string namespace_;
  std::string name;
  std::map<std::string, int64_t> hard_milli;
  std::map<std::string, int64_t> used_milli;
};

// Parses the body of GET /sim/quotas.
absl::StatusOr<std::vector<QuotaBook>> ParseSimQuotas(absl::string_view json);

// GET `base_url`/sim/quotas.
absl::StatusOr<std::vector<QuotaBook>> FetchSimQuotas(const std::string& base_url);

// How full the quotas of the namespaces whose demand exceeds them are, at one
// moment: for each namespace with a quota on `pods` whose outstanding pods
// (submitted, not finished: `outstanding_pods`) exceed that quota, the
// binding resource's used/hard (the largest ratio over the quota's
// resources, over all its quotas); the mean over those namespaces. nullopt
// when no namespace's demand exceeds its quota.
std::optional<double> QuotaUtilization(const std::vector<QuotaBook>& books,
                                       const std::map<std::string, uint64_t>& outstanding_pods,
                                       int* namespaces_over_quota = nullptr);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_QUOTA_BOOKS_H_
