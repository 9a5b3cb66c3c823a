#include "tools/loadgen/scenario.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace sluice::loadgen {
namespace {

// Sizes scaled, never below `at_least`.
uint32_t Scaled(double full, double scale, uint32_t at_least = 1) {
  return std::max(at_least, static_cast<uint32_t>(std::lround(full * scale)));
}

// Workflows in the order they arrive (the submitter walks them in order).
void SortByArrival(std::vector<WorkflowShape>& workflows) {
  std::sort(workflows.begin(), workflows.end(), [](const WorkflowShape& a, const WorkflowShape& b) {
    return a.arrival_seconds < b.arrival_seconds;
  });
}

// #4: 20 namespaces, each with a quota of 10 pods (cpu and memory generous, so
// `pods` binds), 5 workflows of 10 pods each (5x the quota), pods running 3 s.
Scenario Quota(double scale) {
  Scenario s;
  s.name = "quota";
  const uint32_t namespaces = Scaled(20, scale);
  std::vector<std::string> kubesim = {"--mutating-qps 500"};
  for (uint32_t n = 0; n < namespaces; ++n) {
    const std::string ns = absl::StrFormat("team-%02d", n);
    kubesim.push_back(
        absl::StrCat("--quota ns=", ns, ",pods=10,requests.cpu=12,requests.memory=16Gi"));
    for (int w = 0; w < 5; ++w) s.workflows.push_back({10, ns, 0, 3000});
  }
  s.kubesim_args = absl::StrJoin(kubesim, " ");
  s.sluiced_args = "--apiserver-qps 500 --log-level warn";
  s.wait = WaitFor::kFinished;
  s.timeout_seconds = 600;
  s.fixed_limit_qps = 500;
  s.quota_figures = true;
  return s;
}

// #7: kubesim's limit 600 -> 300 -> 900 writes/s every 20 s, a small burst;
// sluiced learns it (adaptive shaping, ceiling 5000). 36,000 pods: what the
// limit allows in 60 s.
Scenario UnknownLimit(double scale) {
  Scenario s;
  s.name = "unknown-limit";
  const double phase = 20 * scale;
  s.limit_steps = {{0, 600}, {phase, 300}, {2 * phase, 900}};
  const uint32_t pods = Scaled(36000, scale, 100);
  const uint32_t workflows = Scaled(100, scale, 1);
  for (uint32_t w = 0; w < workflows; ++w) {
    const uint32_t n = pods / workflows + (w < pods % workflows ? 1 : 0);
    s.workflows.push_back({n, "argo", 0, 0});
  }
  s.kubesim_args = "--mutating-qps 600 --mutating-burst 20";
  s.sluiced_args = "--adaptive-ceiling 5000 --log-level warn";
  s.timeout_seconds = 300;
  s.limit_figures = true;
  return s;
}

// #7: one 50,000-pod workflow at 0 s and 500 workflows of 1-10 pods arriving
// at uniformly random times over the first 40 s; kubesim and sluiced at 1000/s.
std::vector<WorkflowShape> FanoutWorkload(double scale, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<WorkflowShape> out;
  out.push_back({Scaled(50000, scale), "argo", 0, 0});
  const uint32_t small = Scaled(500, scale);
  const double window = 40 * scale;
  std::uniform_real_distribution<double> at(0, window);
  std::uniform_int_distribution<uint32_t> pods(1, 10);
  std::vector<WorkflowShape> smalls;
  for (uint32_t w = 0; w < small; ++w) smalls.push_back({pods(rng), "argo", at(rng), 0});
  SortByArrival(smalls);
  out.insert(out.end(), smalls.begin(), smalls.end());
  return out;
}

Scenario Fanout(double scale, uint64_t seed) {
  Scenario s;
  s.name = "fanout";
  s.workflows = FanoutWorkload(scale, seed);
  s.kubesim_args = "--mutating-qps 1000";
  s.sluiced_args = "--apiserver-qps 1000 --log-level warn";
  s.fixed_limit_qps = 1000;
  s.fairness_figures = true;
  return s;
}

// Thousands of workflows (5,000 of 4 pods) submitted within one second.
Scenario Burst(double scale, uint64_t seed) {
  Scenario s;
  s.name = "burst";
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> at(0, 1);
  const uint32_t workflows = Scaled(5000, scale);
  for (uint32_t w = 0; w < workflows; ++w) s.workflows.push_back({4, "argo", at(rng), 0});
  SortByArrival(s.workflows);
  s.kubesim_args = "--mutating-qps 1000";
  s.sluiced_args = "--apiserver-qps 1000 --log-level warn";
  s.fixed_limit_qps = 1000;
  s.fairness_figures = true;
  return s;
}

// Poisson arrivals: 50 workflows/s of 10 pods (half of kubesim's 1000/s) for 60 s.
Scenario Steady(double scale, uint64_t seed) {
  Scenario s;
  s.name = "steady";
  std::mt19937_64 rng(seed);
  std::exponential_distribution<double> gap(50.0);
  const double duration = 60 * scale;
  for (double t = gap(rng); t < duration || s.workflows.empty(); t += gap(rng)) {
    s.workflows.push_back({10, "argo", std::min(t, duration), 0});
  }
  s.kubesim_args = "--mutating-qps 1000";
  s.sluiced_args = "--apiserver-qps 1000 --log-level warn";
  s.fixed_limit_qps = 1000;
  s.fairness_figures = true;
  return s;
}

// The fanout workload created the Argo controller's way (no sluiced).
Scenario Baseline(double scale, uint64_t seed) {
  Scenario s = Fanout(scale, seed);
  s.name = "baseline";
  s.sluiced_args.clear();
  s.baseline = true;
  s.fairness_figures = true;
  s.timeout_seconds = 7200;
  return s;
}

// #5: a spot pool of 400 pods (kubesim's capacity and sluiced's limit agree)
// that runs out of stock 40 s in and comes back at 100 s, reclaiming 2% of
// its running pods a minute with a 2 s notice; on-demand unlimited. 60
// workflows of 50 pods arrive over the first 60 s; pods run 15 s. Intents
// default to SPOT_PREFERRED; sluiced keeps a stocked-out pool Unavailable 30 s.
Scenario Spot(double scale, uint64_t seed) {
  Scenario s;
  s.name = "spot";
  std::mt19937_64 rng(seed);
  const uint32_t workflows = Scaled(60, scale);
  const double window = 60 * scale;
  const uint32_t run_ms = std::max<uint32_t>(2000, static_cast<uint32_t>(15000 * scale));
  std::uniform_real_distribution<double> at(0, window);
  for (uint32_t w = 0; w < workflows; ++w) s.workflows.push_back({50, "argo", at(rng), run_ms});
  SortByArrival(s.workflows);
  const uint32_t spot_pods = Scaled(400, scale, 10);
  s.kubesim_args = absl::StrCat("--mutating-qps 500 --pool spot=", spot_pods,
                                ",class=spot,reclaim_per_minute=2%,reclaim_notice=2s"
                                " --pool on-demand=unlimited");
  s.pool_steps = {{40 * scale, R"([{"name":"spot","stockout":true}])", "spot"},
                  {100 * scale, R"([{"name":"spot","stockout":false}])", ""}};
  s.sluiced_args = "--apiserver-qps 500 --log-level warn";
  s.sluiced_config_yaml = absl::StrCat(R"(capacity:
  default_policy: SPOT_PREFERRED
  timers: { unavailable_ttl: 30s }
pools:
  - name: spot
    class: spot
    order: 0
    limits: { pods: )",
                                       spot_pods, R"( }
    provisioning_timeout: 10s
    prices: { currency: USD, vcpu_hour: 0.0086, gib_hour: 0.0011 }
  - name: on-demand
    class: on-demand
    order: 1
    prices: { currency: USD, vcpu_hour: 0.043, gib_hour: 0.0054 }
)");
  s.wait = WaitFor::kFinished;
  s.timeout_seconds = 600;
  s.fixed_limit_qps = 500;
  s.spot_figures_pool = "spot";
  return s;
}

// #6: two teams (cost label team=a / team=b on alternate workflows), 40
// workflows of 50 pods arriving over the first 20 s, pods of varied sizes
// (main container 500m/750m/1 cpu by step, 256Mi/1Gi/3Gi by workflow) and
// run times (0.3 s, 0.8 s, 2.5 s, 6 s). A spot pool of 200 pods (billing
// from the first container start, at least 60 s; kubesim reclaims 10% of its
// running pods a minute, so some are preempted) preferred, on-demand
// unlimited (billing from creation, no minimum); each with its own prices.
// sluiced keeps a ledger; loadgen recomputes every attempt's cost.
Scenario Cost(double scale, uint64_t seed) {
  Scenario s;
  s.name = "cost";
  std::mt19937_64 rng(seed);
  const uint32_t workflows = Scaled(40, scale, 4);
  const uint32_t pods = Scaled(50, scale, 5);
  const double window = 20 * scale;
  constexpr uint32_t kRunMs[] = {300, 800, 2500, 6000};
  constexpr uint32_t kMemoryMi[] = {256, 1024, 3072};
  std::uniform_real_distribution<double> at(0, window);
  for (uint32_t w = 0; w < workflows; ++w) {
    WorkflowShape shape{pods, "argo", w == 0 ? 0 : at(rng), kRunMs[(w / 2) % 4]};
    shape.main_memory_mi = kMemoryMi[w % 3];
    shape.cost_labels = {{"team", w % 2 == 0 ? "a" : "b"}};
    s.workflows.push_back(std::move(shape));
  }
  SortByArrival(s.workflows);
  const uint32_t spot_pods = Scaled(200, scale, 10);
  s.kubesim_args = absl::StrCat("--mutating-qps 500 --pool spot=", spot_pods,
                                ",class=spot,reclaim_per_minute=10%,reclaim_notice=1s"
                                " --pool on-demand=unlimited");
  s.sluiced_args = "--apiserver-qps 500 --log-level warn";
  s.sluiced_config_yaml = absl::StrCat(R"(capacity:
  default_policy: SPOT_PREFERRED
pools:
  - name: spot
    class: spot
    order: 0
    limits: { pods: )",
                                       spot_pods, R"( }
    prices: { currency: USD, vcpu_hour: 0.0086, gib_hour: 0.0011 }
    billing: { start: running, granularity_seconds: 1, minimum_seconds: 60 }
  - name: on-demand
    class: on-demand
    order: 1
    prices: { currency: USD, vcpu_hour: 0.043, gib_hour: 0.0054 }
    billing: { start: creation, granularity_seconds: 1, minimum_seconds: 0 }
)");
  s.cost_rules = {{"spot", "running", 1, 60, 8'600'000, 1'100'000},
                  {"on-demand", "creation", 1, 0, 43'000'000, 5'400'000}};
  s.wait = WaitFor::kFinished;
  s.timeout_seconds = 300;
  s.fixed_limit_qps = 500;
  return s;
}

}  // namespace

std::vector<std::string> ScenarioNames() {
  return {"quota", "unknown-limit", "fanout", "burst", "steady", "baseline", "spot", "cost"};
}

absl::StatusOr<Scenario> MakeScenario(const std::string& name, double scale, uint64_t seed) {
  if (!(scale > 0)) return absl::InvalidArgumentError("--scale must be > 0");
  if (name == "quota") return Quota(scale);
  if (name == "unknown-limit") return UnknownLimit(scale);
  if (name == "fanout") return Fanout(scale, seed);
  if (name == "burst") return Burst(scale, seed);
  if (name == "steady") return Steady(scale, seed);
  if (name == "baseline") return Baseline(scale, seed);
  if (name == "spot") return Spot(scale, seed);
  if (name == "cost") return Cost(scale, seed);
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown scenario '", name, "' (known: ", absl::StrJoin(ScenarioNames(), ", "), ")"));
}

}  // namespace sluice::loadgen
