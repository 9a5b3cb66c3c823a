// Adaptive shaping against a simulated APIServer whose limit Sluice is not told
// and which changes mid-run, in virtual time: the engine must find each limit
// within 5 s and use >= 90% of it, with 429s under 1% of its writes.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scheduler/engine/engine.h"
#include "scheduler/sim/sim_cluster.h"

namespace sluice {
namespace {

class NullSink : public EventSink {
 public:
  void Publish(std::vector<PodEvent>& batch) override { batch.clear(); }
};

struct Phase {
  int start_second;
  double qps;
};

TEST(AdaptiveSimulationTest, FindsAnUnknownChangingLimitQuicklyWithFew429s) {
  const std::vector<Phase> phases = {{0, 2'000}, {20, 700}, {40, 3'000}, {60, 0}};
  SimulatedClock clock;
  SimCluster::Options cluster_options;
  cluster_options.server_qps = phases[0].qps;
  cluster_options.server_burst = static_cast<uint32_t>(phases[0].qps / 10);
  cluster_options.api_latency = absl::Milliseconds(5);
  cluster_options.retry_after = absl::Seconds(1);
  cluster_options.run_for = absl::Seconds(1);
  SimCluster cluster(&clock, cluster_options);

  EngineConfig config;
  config.budget = {.qps = 0, .burst = 1, .max_in_flight = 1'000};
  config.adaptive.enabled = true;
  config.adaptive.initial_qps = 50;
  config.adaptive.ceiling_qps = 20'000;
  NullSink sink;
  Engine engine(clock, config, &cluster, &sink);
  cluster.Attach(&engine);
  Simulation sim(&clock, &engine, &cluster);

  // A backlog larger than the run can drain.
  constexpr int kIntents = 200'000;
  std::vector<std::unique_ptr<Intent>> batch;
  for (int i = 0; i < kIntents; ++i) {
    IntentSpec spec;
    spec.SetKey(absl::StrCat("ns-", i % 10), absl::StrCat("pod-", i));
    spec.workflow_uid = absl::StrCat("wf-", i % 100);
    spec.manifest = R"({"spec":{"containers":[{"name":"main","image":"busybox"}]}})";
    batch.push_back(std::make_unique<Intent>(std::move(spec)));
  }
  std::vector<Engine::SubmitOutcome> outcomes(batch.size());
  engine.Submit(absl::MakeSpan(batch), absl::MakeSpan(outcomes));

  for (size_t p = 1; p < phases.size(); ++p) {
    sim.RunUntilIdle(MonoTime::Zero() + absl::Seconds(phases[p].start_second));
    if (phases[p].qps > 0) {
      cluster.SetServerLimit(phases[p].qps, static_cast<uint32_t>(phases[p].qps / 10));
    }
  }

  const std::vector<uint64_t>& accepted = cluster.accepted_by_second();
  const std::vector<uint64_t>& throttled = cluster.throttled_by_second();
  uint64_t writes = 0;
  uint64_t refused = 0;
  for (size_t s = 0; s < 60; ++s) {
    const uint64_t a = s < accepted.size() ? accepted[s] : 0;
    const uint64_t t = s < throttled.size() ? throttled[s] : 0;
    writes += a + t;
    refused += t;
    std::printf("second %2zu: %5llu created, %4llu throttled\n", s,
                static_cast<unsigned long long>(a), static_cast<unsigned long long>(t));
  }
  for (size_t p = 0; p + 1 < phases.size(); ++p) {
    const int start = phases[p].start_second;
    const int end = phases[p + 1].start_second;
    // The first second from which every whole second of the phase gets >= 90%.
    int converged = end;
    for (int s = end - 1; s >= start; --s) {
      const uint64_t a =
          static_cast<size_t>(s) < accepted.size() ? accepted[static_cast<size_t>(s)] : 0;
      if (static_cast<double>(a) < 0.9 * phases[p].qps) break;
      converged = s;
    }
    std::printf("limit %.0f/s from %d s: >= 90%% from second %d (%d s)\n", phases[p].qps, start,
                converged, converged - start);
    EXPECT_LE(converged - start, 5) << "limit " << phases[p].qps << " from " << start << " s";
  }
  const double share = static_cast<double>(refused) / static_cast<double>(writes);
  std::printf(
      "429s: %llu of %llu writes (%.3f%%); decreases: %llu on 429, %llu on latency\n",
      static_cast<unsigned long long>(refused), static_cast<unsigned long long>(writes),
      100 * share,
      static_cast<unsigned long long>(
          engine.counters().rate_decreases[static_cast<int>(AdaptiveRate::Cause::kThrottled)]),
      static_cast<unsigned long long>(
          engine.counters().rate_decreases[static_cast<int>(AdaptiveRate::Cause::kLatency)]));
  EXPECT_LT(share, 0.01);
}

}  // namespace
}  // namespace sluice
