#ifndef SLUICE_TOOLS_LOADGEN_KUBESIM_HISTORY_H_
#define SLUICE_TOOLS_LOADGEN_KUBESIM_HISTORY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tools/loadgen/workload_plan.h"

namespace sluice::loadgen {

// When kubesim committed each pod of `plan` (GET /sim/history, `created`,
// wall clock with nanoseconds), by pod index; nullopt for pods it never
// created. The APIServer's own order of creates, free of the delays of
// sluiced's event stream.
absl::StatusOr<std::vector<std::optional<absl::Time>>> ParseCreateTimes(absl::string_view json,
                                                                        const WorkloadPlan& plan);
absl::StatusOr<std::vector<std::optional<absl::Time>>> FetchCreateTimes(const std::string& base_url,
                                                                        const WorkloadPlan& plan);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_KUBESIM_HISTORY_H_
