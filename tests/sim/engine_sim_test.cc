// The engine against the in-process simulated cluster, in virtual time:
// 200,000 intents with duplicates, cancels, throttling, transient failures and
// lost answers. Every pod that should exist is created exactly once.
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scheduler/engine/engine.h"
#include "scheduler/sim/sim_cluster.h"

namespace sluice {
namespace {

class CountingSink : public EventSink {
 public:
  void Publish(std::vector<PodEvent>& batch) override {
    for (const PodEvent& e : batch) {
      ++by_type[static_cast<int>(e.type)];
      if (e.type == PodEventType::kCreated) ++created_events[e.pod_key];
      if (e.type == PodEventType::kSucceeded) succeeded.insert(e.pod_key);
    }
    batch.clear();
  }
  uint64_t by_type[kPodEventTypeCount] = {};
  absl::flat_hash_map<std::string, int> created_events;
  absl::flat_hash_set<std::string> succeeded;
};

std::unique_ptr<Intent> MakeIntent(int workflow, int pod) {
  IntentSpec spec;
  spec.SetKey(absl::StrCat("ns-", workflow % 20), absl::StrCat("wf-", workflow, "-pod-", pod));
  spec.workflow_uid = absl::StrCat("wf-", workflow);
  spec.manifest = R"({"spec":{"containers":[{"name":"main","image":"busybox"}]}})";
  return std::make_unique<Intent>(std::move(spec));
}

TEST(EngineSimulationTest, TwoHundredThousandIntentsEachCreatedExactlyOnce) {
  constexpr int kWorkflows = 2'000;
  constexpr int kPodsPerWorkflow = 100;
  SimulatedClock clock;
  SimCluster::Options cluster_options;
  // A little below the client's budget: occasional 429s.
  cluster_options.server_qps = 4'800;
  cluster_options.server_burst = 600;
  cluster_options.transient_failure_rate = 0.01;
  cluster_options.lost_answer_rate = 0.005;
  // Slower than some first retries (200 ms +- 20%) and faster than others, so
  // that lost answers are resolved both by a 409 and by the informer.
  cluster_options.informer_delay = absl::Milliseconds(200);
  SimCluster cluster(&clock, cluster_options);

  EngineConfig config;
  config.budget = {.qps = 5'000, .burst = 500, .max_in_flight = 500};
  config.retry_backoff = {.initial = absl::Milliseconds(200), .max = absl::Seconds(5)};
  config.terminal_retention = absl::Hours(1);
  CountingSink sink;
  Engine engine(clock, config, &cluster, &sink);
  cluster.Attach(&engine);
  Simulation sim(&clock, &engine, &cluster);

  // Workflows arrive 10 per 50 ms of virtual time; every 10th workflow is
  // resubmitted whole (duplicates); every 100th is cancelled shortly after.
  absl::flat_hash_set<std::string> cancelled_workflows;
  uint64_t accepted = 0;
  uint64_t duplicates = 0;
  for (int w = 0; w < kWorkflows; ++w) {
    std::vector<std::unique_ptr<Intent>> batch;
    for (int p = 0; p < kPodsPerWorkflow; ++p) batch.push_back(MakeIntent(w, p));
    std::vector<Engine::SubmitOutcome> outcomes(batch.size());
    engine.Submit(absl::MakeSpan(batch), absl::MakeSpan(outcomes));
    for (const auto& o : outcomes) accepted += o.code == Engine::SubmitCode::kAccepted;
    if (w % 10 == 0) {
      std::vector<std::unique_ptr<Intent>> again;
      for (int p = 0; p < kPodsPerWorkflow; ++p) again.push_back(MakeIntent(w, p));
      engine.Submit(absl::MakeSpan(again), absl::MakeSpan(outcomes));
      for (const auto& o : outcomes) duplicates += o.code == Engine::SubmitCode::kDuplicate;
    }
    if (w % 100 == 50) {
      engine.CancelWorkflow(absl::StrCat("wf-", w - 1), /*keep_created=*/false);
      cancelled_workflows.insert(absl::StrCat("wf-", w - 1));
    }
    if (w % 10 == 9) sim.RunUntilIdle(clock.MonoNow() + absl::Milliseconds(50));
  }
  sim.RunUntilIdle(clock.MonoNow() + absl::Minutes(30));

  EXPECT_EQ(accepted, uint64_t{kWorkflows} * kPodsPerWorkflow);
  EXPECT_EQ(duplicates, uint64_t{kWorkflows / 10} * kPodsPerWorkflow);
  const SimCluster::Stats& stats = cluster.stats();
  EXPECT_GT(stats.throttled, 0u);
  EXPECT_GT(stats.transient, 0u);
  EXPECT_GT(stats.already_exists, 0u);       // a retry after a lost answer got 409
  EXPECT_GT(engine.counters().adopted, 0u);  // the informer saw the pod first

  // Every pod created at most once; every pod of a workflow that was not
  // cancelled created exactly once, reported created once, and succeeded.
  uint64_t expected_pods = 0;
  for (int w = 0; w < kWorkflows; ++w) {
    const bool cancelled = cancelled_workflows.contains(absl::StrCat("wf-", w));
    for (int p = 0; p < kPodsPerWorkflow; ++p) {
      const std::string key = absl::StrCat("ns-", w % 20, "/", absl::StrCat("wf-", w, "-pod-", p));
      auto it = cluster.creations().find(key);
      const uint32_t created = it == cluster.creations().end() ? 0 : it->second;
      ASSERT_LE(created, 1u) << key;
      if (cancelled) continue;
      ++expected_pods;
      ASSERT_EQ(created, 1u) << key;
      ASSERT_EQ(sink.created_events[key], 1) << key;
      ASSERT_TRUE(sink.succeeded.contains(key)) << key;
    }
  }
  EXPECT_EQ(expected_pods, uint64_t{kWorkflows - cancelled_workflows.size()} * kPodsPerWorkflow);
  EngineStatus status = engine.Status(false);
  EXPECT_EQ(status.queue_depth, 0u);
  EXPECT_EQ(status.in_flight, 0u);
  EXPECT_EQ(status.state_counts[static_cast<int>(IntentState::kCreateFailed)], 0u);
  // The engine never exceeded its own budget (rate + burst) in any second.
  EXPECT_LE(stats.max_writes_in_one_second, 5'000u + 500u);
}

}  // namespace
}  // namespace sluice
