// The engine's fairness measure and workflow weights, on a simulated clock.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scheduler/engine/engine.h"

namespace sluice {
namespace {

// Answers every create at once with success; counts creates per workflow.
class CountingWriter : public PodWriter {
 public:
  void Create(const CreatePodCommand& c) override {
    ++creates_by_workflow[std::string(c.workflow_uid)];
    pending.push_back(c.request_id);
  }
  void Delete(const DeletePodCommand& /*c*/) override {}
  std::map<std::string, int> creates_by_workflow;
  std::vector<uint64_t> pending;
};

class NullSink : public EventSink {
 public:
  void Publish(std::vector<PodEvent>& batch) override { batch.clear(); }
};

class EngineFairnessTest : public ::testing::Test {
 protected:
  void Start(EngineConfig config) {
    config.budget = {.qps = 100, .burst = 1, .max_in_flight = 1000};
    engine_ = std::make_unique<Engine>(clock_, config, &writer_, &sink_);
  }

  void SubmitWorkflow(const std::string& uid, const std::string& name, int pods,
                      const std::string& ns = "ns") {
    std::vector<std::unique_ptr<Intent>> batch;
    for (int i = 0; i < pods; ++i) {
      IntentSpec spec;
      spec.SetKey(ns, absl::StrCat(uid, "-", i));
      spec.workflow_uid = uid;
      spec.workflow_name = name;
      spec.manifest = "{}";
      batch.push_back(std::make_unique<Intent>(std::move(spec)));
    }
    std::vector<Engine::SubmitOutcome> outcomes(batch.size());
    engine_->Submit(absl::MakeSpan(batch), absl::MakeSpan(outcomes));
  }

  // Runs the engine for `d` in 10 ms steps, answering every write.
  void Run(absl::Duration d) {
    const MonoTime end = clock_.MonoNow() + d;
    while (clock_.MonoNow() < end) {
      engine_->Pump();
      for (uint64_t id : writer_.pending) {
        WriteResult ok;
        ok.outcome = WriteOutcome::kSuccess;
        ok.http_status = 201;
        engine_->OnCreateResult(id, ok);
      }
      writer_.pending.clear();
      clock_.Advance(absl::Milliseconds(10));
    }
  }

  SimulatedClock clock_;
  CountingWriter writer_;
  NullSink sink_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineFairnessTest, BackloggedWorkflowsShareEquallyAndTheIndexSaysSo) {
  Start(EngineConfig());
  EXPECT_LT(engine_->Status(false).fairness_jain, 0);  // nothing measured yet
  SubmitWorkflow("big", "fanout", 5000);
  for (int i = 0; i < 9; ++i) SubmitWorkflow(absl::StrCat("wf", i), "medium", 500);
  Run(absl::Seconds(20));
  const EngineStatus status = engine_->Status(false);
  EXPECT_GE(status.fairness_jain, 0.99);
  EXPECT_EQ(status.fairness_flows, 10u);
  // 100 writes/s for 20 s, 200 each.
  EXPECT_NEAR(writer_.creates_by_workflow["big"], 200, 1);
  EXPECT_NEAR(writer_.creates_by_workflow["wf3"], 200, 1);
}

TEST_F(EngineFairnessTest, WorkflowWeightRulesGiveProportionalService) {
  EngineConfig config;
  config.workflow_weights = {{.name_glob = "nightly-*", .workflow_namespace = "", .weight = 3},
                             {.name_glob = "*", .workflow_namespace = "other", .weight = 0.5}};
  Start(config);
  SubmitWorkflow("a", "nightly-build", 5000);
  SubmitWorkflow("b", "adhoc", 5000);
  Run(absl::Seconds(20));
  // 3:1 of 2000 writes.
  EXPECT_NEAR(writer_.creates_by_workflow["a"], 1500, 2);
  EXPECT_NEAR(writer_.creates_by_workflow["b"], 500, 2);
  // Each got its entitled share, so the service is fair as configured.
  EXPECT_GE(engine_->Status(false).fairness_jain, 0.99);
}

TEST_F(EngineFairnessTest, ASmallWorkflowIsServedWithinOneRound) {
  Start(EngineConfig());
  for (int i = 0; i < 20; ++i) SubmitWorkflow(absl::StrCat("wf", i), "big", 1000);
  Run(absl::Seconds(5));
  EXPECT_EQ(engine_->Status(false).small_workflow_worst_wait, absl::ZeroDuration());
  SubmitWorkflow("tiny", "tiny", 1);
  Run(absl::Seconds(1));
  // 21 active workflows at 100 writes/s: one round is 210 ms. A newcomer
  // does not wait for the round: it takes the next token (10 ms at most).
  const absl::Duration wait = engine_->Status(false).small_workflow_worst_wait;
  EXPECT_LE(wait, absl::Milliseconds(10));
  EXPECT_EQ(writer_.creates_by_workflow["tiny"], 1);
}

TEST_F(EngineFairnessTest, ReconfigureReweighsLiveWorkflows) {
  Start(EngineConfig());
  SubmitWorkflow("a", "nightly-build", 5000);
  SubmitWorkflow("b", "adhoc", 5000);
  Run(absl::Seconds(4));
  EXPECT_NEAR(writer_.creates_by_workflow["a"], 200, 1);
  EngineConfig config;
  config.budget = {.qps = 100, .burst = 1, .max_in_flight = 1000};
  config.workflow_weights = {{.name_glob = "nightly-*", .workflow_namespace = "", .weight = 4}};
  engine_->Reconfigure(config);
  writer_.creates_by_workflow.clear();
  Run(absl::Seconds(10));
  EXPECT_NEAR(writer_.creates_by_workflow["a"], 800, 2);
  EXPECT_NEAR(writer_.creates_by_workflow["b"], 200, 2);
}

}  // namespace
}  // namespace sluice
