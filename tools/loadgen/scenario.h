#ifndef SLUICE_TOOLS_LOADGEN_SCENARIO_H_
#define SLUICE_TOOLS_LOADGEN_SCENARIO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/loadgen/cost_figures.h"
#include "tools/loadgen/pod_ledger.h"
#include "tools/loadgen/workload_plan.h"

namespace sluice::loadgen {

// One step of kubesim's mutating limit: from `at_seconds` after the run's
// start, `qps` writes/s. loadgen applies each step itself (PUT /sim/limits at
// that moment), so the steps line up with the run's clock; sluiced is not told.
struct LimitStep {
  double at_seconds = 0;
  double qps = 0;
};

// A change of kubesim's capacity pools at `at_seconds` after the run's start:
// PUT /sim/pools with `pools_json` (e.g. `[{"name":"spot","stockout":true}]`).
// `stockout_pool`, when set, names a pool this step takes out of stock:
// loadgen then measures how long sluiced takes to mark it Unavailable.
struct PoolStep {
  double at_seconds = 0;
  std::string pools_json;
  std::string stockout_pool;
};

// A named load shape (`sluice-loadgen --scenario NAME`): the workload, the
// flags kubesim and sluiced are started with, what loadgen waits for, and
// which extra figures the report carries. See tools/loadgen/README.md.
struct Scenario {
  std::string name;
  // One entry per workflow: pods, namespace, arrival time, pod run time.
  std::vector<WorkflowShape> workflows;
  // Shell words for kubesim (with --spawn), e.g. "--quota ns=a,pods=10".
  std::string kubesim_args;
  // Shell words for sluiced (with --spawn), and its YAML config file (written
  // to a temporary file and passed as --config when non-empty).
  std::string sluiced_args;
  std::string sluiced_config_yaml;
  WaitFor wait = WaitFor::kCreated;
  double timeout_seconds = 300;
  // kubesim's limit over the run (empty: not changed by loadgen). The first
  // step is at 0 s and matches kubesim's start flags.
  std::vector<LimitStep> limit_steps;
  // kubesim's fixed mutating limit, writes/s (0: unlimited or scripted).
  double fixed_limit_qps = 0;
  // kubesim's capacity pools over the run (applied by loadgen; sluiced is
  // not told).
  std::vector<PoolStep> pool_steps;
  // Which figures to add to the report.
  bool quota_figures = false;     // quota_utilization
  bool limit_figures = false;     // limit_utilization, convergence_seconds, throttled_share
  bool fairness_figures = false;  // fairness_jain from sluiced, small_first_create_worst_ratio
  // spot_share, fallbacks, stockout_detect_seconds, pods_lost, of this pool.
  std::string spot_figures_pool;
  // Non-empty: sluiced keeps a cost ledger (--ledger, with --spawn) and the
  // report carries the cost figures, recomputed under these rules (the
  // pools' billing and prices in sluiced_config_yaml).
  std::vector<CostPoolRule> cost_rules;
  // Created directly against kubesim the way Argo's controller does (no sluiced).
  bool baseline = false;
};

// The scenario called `name`: quota, unknown-limit, fanout, burst, steady,
// baseline, spot, cost. `scale` (> 0) multiplies its sizes (workflows, pods, durations;
// at least one of each); `seed` draws random arrivals (steady, fanout).
// InvalidArgument for an unknown name.
absl::StatusOr<Scenario> MakeScenario(const std::string& name, double scale, uint64_t seed);

// The names MakeScenario knows, for --help and errors.
std::vector<std::string> ScenarioNames();

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_SCENARIO_H_
