#ifndef SLUICE_TOOLS_LOADGEN_COST_FIGURES_H_
#define SLUICE_TOOLS_LOADGEN_COST_FIGURES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "sluice/v1/scheduler.grpc.pb.h"
#include "tools/loadgen/spot_figures.h"

namespace sluice::loadgen {

// One pool's billing rule and exact prices as the cost scenario configures
// them (nano-units per hour), restated here so that loadgen recomputes costs
// without sluiced's code.
struct CostPoolRule {
  std::string pool;
  std::string start = "creation";  // creation, scheduled or running
  int64_t granularity_seconds = 1;
  int64_t minimum_seconds = 0;
  int64_t vcpu_nano_hour = 0;
  int64_t gib_nano_hour = 0;
};

// What one attempt should cost.
struct ExpectedCost {
  int64_t billed_seconds = 0;
  int64_t cost_nano = 0;
};

// The cost of `pod` recomputed from kubesim's record alone: billing from its
// creation, scheduling or first container start (per `rule.start`) to its
// finish, each truncated to the second as Kubernetes writes pod times; whole
// seconds, rounded up to the granularity, at least the minimum; an end
// before the start bills from the start. Not started under the rule: 0 s,
// cost 0. Cost = ceil(seconds * (cpu * P_vcpu + GiB * P_gib) / 3600) with
// cpu = cpu_milli/1000 and GiB = ceil(memory_milli/1000)/2^30 (exact, 128-bit).
// Empty when the attempt never finished (its end is not on record).
std::optional<ExpectedCost> ExpectedAttemptCost(const HistoryPod& pod, const CostPoolRule& rule);

// What the cost scenario reports (see tools/loadgen/README.md).
struct CostFigures {
  int64_t total_nano = 0;  // GetCost's total (one currency)
  uint64_t ledger_attempts = 0;
  uint64_t checked_pods = 0;  // kubesim attempts recomputed and compared
  uint64_t mismatches = 0;    // of those, a different cost or billed seconds, or no row
  uint64_t unchecked = 0;     // kubesim attempts that never finished
  uint64_t preempted = 0;     // ledger rows ended preempted
  bool sums_ok = false;       // sum over teams == sum over workflows == total
  std::vector<std::pair<std::string, int64_t>> by_team;      // key, nano
  std::vector<std::pair<std::string, int64_t>> by_workflow;  // name, nano
  std::string first_mismatch;                                // for the log
};

// Compares the ledger (GetCost by pod, by label `team`, by workflow) with the
// recomputation of every attempt in `history` under `rules` (by pool name).
CostFigures CheckCost(const std::vector<HistoryPod>& history,
                      const std::vector<CostPoolRule>& rules, const v1::GetCostResponse& by_pod,
                      const v1::GetCostResponse& by_team, const v1::GetCostResponse& by_workflow);

// Asks sluiced for the three views and checks them.
absl::StatusOr<CostFigures> FetchCostFigures(v1::Scheduler::Stub* stub,
                                             const std::vector<HistoryPod>& history,
                                             const std::vector<CostPoolRule>& rules);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_COST_FIGURES_H_
