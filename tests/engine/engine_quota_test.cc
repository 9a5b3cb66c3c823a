// Quota-aware admission in the engine: intents that a ResourceQuota would
// refuse wait without an API call, and go when headroom returns.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scheduler/engine/engine.h"

namespace sluice {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Quantity Q(const char* s) { return *Quantity::Parse(s); }

class RecordingWriter : public PodWriter {
 public:
  void Create(const CreatePodCommand& c) override {
    creates.push_back({c.request_id, std::string(c.pod_name)});
  }
  void Delete(const DeletePodCommand&) override {}
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& [id, name] : creates) names.push_back(name);
    return names;
  }
  std::vector<std::pair<uint64_t, std::string>> creates;
};

class Sink : public EventSink {
 public:
  void Publish(std::vector<PodEvent>& batch) override {
    for (auto& e : batch) events.push_back(std::move(e));
    batch.clear();
  }
  std::vector<PodEvent> events;
};

class EngineQuotaTest : public ::testing::Test {
 protected:
  EngineQuotaTest() { Reset(EngineConfig()); }

  void Reset(EngineConfig config) {
    config.budget = {.qps = 0, .burst = 1, .max_in_flight = 1000};
    engine_.reset();
    writer_ = RecordingWriter();
    sink_ = Sink();
    engine_ = std::make_unique<Engine>(clock_, config, &writer_, &sink_);
  }

  // A pod requesting `cpu` (and the same limit) in namespace ns.
  void Submit(const std::string& name, const std::string& cpu, const std::string& workflow = "wf",
              const std::string& ns = "ns") {
    IntentSpec spec;
    spec.SetKey(ns, name);
    spec.workflow_uid = workflow;
    spec.manifest = "{}";
    spec.requests = ResourceList{{"cpu", Q(cpu.c_str())}, {"memory", Q("64Mi")}};
    spec.limits = spec.requests;
    std::vector<std::unique_ptr<Intent>> batch;
    batch.push_back(std::make_unique<Intent>(std::move(spec)));
    std::vector<Engine::SubmitOutcome> outcomes(1);
    engine_->Submit(absl::MakeSpan(batch), absl::MakeSpan(outcomes));
  }

  void SetQuota(const std::string& name, ResourceList hard, ResourceList used = {},
                const std::string& ns = "ns") {
    QuotaObservation q;
    q.pod_namespace = ns;
    q.name = name;
    q.hard = std::move(hard);
    q.used = std::move(used);
    q.status_known = true;
    engine_->OnQuotaObserved(q);
  }

  void Answer(size_t i, WriteOutcome outcome = WriteOutcome::kSuccess) {
    WriteResult r;
    r.outcome = outcome;
    engine_->OnCreateResult(writer_.creates[i].first, r);
  }

  void Finish(const std::string& name, const std::string& ns = "ns") {
    PodObservation pod;
    pod.key = absl::StrCat(ns, "/", name);
    pod.phase = PodPhase::kSucceeded;
    pod.scheduled = true;
    engine_->OnPodObserved(pod);
  }

  const PodEvent* LastEvent(PodEventType type) const {
    for (auto it = sink_.events.rbegin(); it != sink_.events.rend(); ++it) {
      if (it->type == type) return &*it;
    }
    return nullptr;
  }

  SimulatedClock clock_;
  RecordingWriter writer_;
  Sink sink_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineQuotaTest, IntentsBeyondTheQuotaWaitWithoutAnApiCall) {
  SetQuota("q", ResourceList{{"pods", Q("2")}});
  Submit("a", "100m");
  Submit("b", "100m");
  Submit("c", "100m");
  engine_->Pump();
  EXPECT_THAT(writer_.Names(), ElementsAre("a", "b"));
  const PodEvent* waiting = LastEvent(PodEventType::kWaiting);
  ASSERT_NE(waiting, nullptr);
  EXPECT_EQ(waiting->pod_key, "ns/c");
  EXPECT_EQ(waiting->reason, "QuotaExceeded");
  EXPECT_EQ(waiting->message,
            "exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2");
  EngineStatus status = engine_->Status(true);
  ASSERT_EQ(status.namespaces.size(), 1u);
  EXPECT_EQ(status.namespaces[0].blocked, 1u);
  ASSERT_EQ(status.namespaces[0].quotas.size(), 1u);
  EXPECT_EQ(status.namespaces[0].quotas[0].in_flight.ToString(), "pods=2");
  EXPECT_EQ(status.namespaces[0].quotas[0].headroom.ToString(), "pods=0");

  // A pod finishes: its usage is released and the waiting intent goes.
  Answer(0);
  Answer(1);
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 2u);
  Finish("a");
  engine_->Pump();
  EXPECT_THAT(writer_.Names(), ElementsAre("a", "b", "c"));
  EXPECT_EQ(engine_->counters().quota_waits, 1u);
}

TEST_F(EngineQuotaTest, IntentsWaitingOnQuotaDoNotWakeTheEngine) {
  SetQuota("q", ResourceList{{"pods", Q("1")}});
  Submit("a", "100m");
  Submit("b", "100m");
  engine_->Pump();
  Answer(0);
  engine_->Pump();
  // b is parked on quota and tokens are available: nothing is due until an
  // observation unparks it (the engine loop used to spin here).
  EXPECT_THAT(writer_.Names(), ElementsAre("a"));
  EXPECT_TRUE(engine_->NextWakeup().is_infinite());
  Finish("a");
  EXPECT_EQ(engine_->NextWakeup(), clock_.MonoNow());
  engine_->Pump();
  EXPECT_THAT(writer_.Names(), ElementsAre("a", "b"));
}

TEST_F(EngineQuotaTest, StatusUsedLaggingBehindStillHoldsTheQuota) {
  SetQuota("q", ResourceList{{"pods", Q("1")}});
  Submit("a", "100m");
  Submit("b", "100m");
  engine_->Pump();
  Answer(0);
  // The quota controller counts a; then a finishes. Until status.used says
  // so, the APIServer would still refuse b: Sluice waits too.
  SetQuota("q", ResourceList{{"pods", Q("1")}}, ResourceList{{"pods", Q("1")}});
  Finish("a");
  engine_->Pump();
  EXPECT_THAT(writer_.Names(), ElementsAre("a"));
  SetQuota("q", ResourceList{{"pods", Q("1")}}, ResourceList{{"pods", Q("0")}});
  engine_->Pump();
  EXPECT_THAT(writer_.Names(), ElementsAre("a", "b"));
}

TEST_F(EngineQuotaTest, BackfillLetsSmallerIntentsPastABlockedOne) {
  SetQuota("q", ResourceList{{"requests.cpu", Q("1")}});
  Submit("big", "800m", "wf-big");
  Submit("huge", "2", "wf-huge");  // never fits
  Submit("small-1", "100m", "wf-small");
  Submit("small-2", "100m", "wf-small");
  engine_->Pump();
  // big (800m) goes; huge waits; the smalls go in the room that is left.
  EXPECT_THAT(writer_.Names(), ElementsAre("big", "small-1", "small-2"));
  EXPECT_EQ(LastEvent(PodEventType::kWaiting)->pod_key, "ns/huge");
}

TEST_F(EngineQuotaTest, BackfillWithinAWorkflow) {
  SetQuota("q", ResourceList{{"requests.cpu", Q("500m")}});
  Submit("p-0", "1", "wf");  // too big for the quota
  Submit("p-1", "200m", "wf");
  Submit("p-2", "200m", "wf");
  engine_->Pump();
  EXPECT_THAT(writer_.Names(), ElementsAre("p-1", "p-2"));
}

TEST_F(EngineQuotaTest, StrictFifoHoldsEverythingBehindTheFirstThatDoesNotFit) {
  EngineConfig config;
  config.quota.strict_fifo_namespaces = {"ns"};
  Reset(config);
  SetQuota("q", ResourceList{{"requests.cpu", Q("1")}});
  Submit("big", "800m", "wf-big");
  Submit("huge", "900m", "wf-huge");
  Submit("small", "100m", "wf-small");
  engine_->Pump();
  EXPECT_THAT(writer_.Names(), ElementsAre("big"));
  EXPECT_TRUE(engine_->Status(true).namespaces[0].strict_fifo);
  // When big finishes, huge goes first, then small fits beside it.
  Answer(0);
  Finish("big");
  engine_->Pump();
  EXPECT_THAT(writer_.Names(), ElementsAre("big", "huge", "small"));
}

TEST_F(EngineQuotaTest, StrictFifoIsInArrivalOrderAcrossWorkflows) {
  EngineConfig config;
  config.quota.strict_fifo_namespaces = {"ns"};
  Reset(config);
  Submit("a-0", "100m", "wf-a");
  Submit("a-1", "100m", "wf-a");
  Submit("b-0", "100m", "wf-b");
  engine_->Pump();
  EXPECT_THAT(writer_.Names(), ElementsAre("a-0", "a-1", "b-0"));
}

TEST_F(EngineQuotaTest, EveryQuotaOfTheNamespaceApplies) {
  SetQuota("pods", ResourceList{{"pods", Q("10")}});
  SetQuota("cpu", ResourceList{{"requests.cpu", Q("300m")}});
  for (int i = 0; i < 5; ++i) Submit(absl::StrCat("p-", i), "100m");
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 3u);
  const PodEvent* waiting = LastEvent(PodEventType::kWaiting);
  ASSERT_NE(waiting, nullptr);
  EXPECT_THAT(waiting->message, HasSubstr("exceeded quota: cpu"));
}

TEST_F(EngineQuotaTest, OtherNamespacesAreNotHeldUp) {
  SetQuota("q", ResourceList{{"pods", Q("0")}}, {}, "tight");
  Submit("t", "100m", "wf-t", "tight");
  Submit("free", "100m", "wf-f", "other");
  engine_->Pump();
  EXPECT_THAT(writer_.Names(), ElementsAre("free"));
}

TEST_F(EngineQuotaTest, ForbiddenAnswerCorrectsTheEstimateAndTheIntentWaits) {
  SetQuota("q", ResourceList{{"pods", Q("5")}});
  Submit("a", "100m");
  Submit("b", "100m");
  engine_->Pump();
  ASSERT_EQ(writer_.creates.size(), 2u);
  // Another writer filled the quota: the APIServer refuses a.
  WriteResult refused;
  refused.outcome = WriteOutcome::kQuotaExceeded;
  refused.http_status = 403;
  refused.quota_name = "q";
  refused.quota_used = ResourceList{{"pods", Q("5")}};
  refused.quota_limited = ResourceList{{"pods", Q("5")}};
  engine_->OnCreateResult(writer_.creates[0].first, refused);
  EXPECT_EQ(engine_->Find("ns/a")->state, IntentState::kQueued);
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 2u);  // no retry into a full quota
  EXPECT_EQ(engine_->counters().quota_corrections, 1u);
  // Once the quota's status shows room, a goes.
  SetQuota("q", ResourceList{{"pods", Q("5")}}, ResourceList{{"pods", Q("3")}});
  engine_->Pump();
  ASSERT_EQ(writer_.creates.size(), 3u);
  EXPECT_EQ(writer_.creates[2].second, "a");
}

TEST_F(EngineQuotaTest, ForbiddenAnswerNamingAnUnknownQuotaIsRemembered) {
  Submit("a", "100m");
  Submit("b", "100m");
  engine_->Pump();
  WriteResult refused;
  refused.outcome = WriteOutcome::kQuotaExceeded;
  refused.quota_name = "unseen";
  refused.quota_used = ResourceList{{"requests.cpu", Q("2")}};
  refused.quota_limited = ResourceList{{"requests.cpu", Q("2")}};
  engine_->OnCreateResult(writer_.creates[0].first, refused);
  EngineStatus status = engine_->Status(true);
  ASSERT_EQ(status.namespaces[0].quotas.size(), 1u);
  EXPECT_EQ(status.namespaces[0].quotas[0].name, "unseen");
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 2u);
}

TEST_F(EngineQuotaTest, RaisingAQuotaReleasesWaitingIntents) {
  SetQuota("q", ResourceList{{"pods", Q("1")}});
  for (int i = 0; i < 4; ++i) Submit(absl::StrCat("p-", i), "100m");
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 1u);
  SetQuota("q", ResourceList{{"pods", Q("3")}});
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 3u);
}

TEST_F(EngineQuotaTest, LoweringAQuotaHoldsNewCreates) {
  SetQuota("q", ResourceList{{"pods", Q("10")}});
  Submit("a", "100m");
  engine_->Pump();
  Answer(0);
  SetQuota("q", ResourceList{{"pods", Q("1")}});
  Submit("b", "100m");
  engine_->Pump();
  EXPECT_THAT(writer_.Names(), ElementsAre("a"));
}

TEST_F(EngineQuotaTest, AQuotaAppearingCountsWhatIsAlreadyRunning) {
  Submit("a", "100m");
  Submit("b", "100m");
  engine_->Pump();
  Answer(0);  // a created; b still in flight
  SetQuota("q", ResourceList{{"pods", Q("2")}});
  EngineStatus status = engine_->Status(true);
  EXPECT_EQ(status.namespaces[0].quotas[0].sluice_used.ToString(), "pods=1");
  EXPECT_EQ(status.namespaces[0].quotas[0].in_flight.ToString(), "pods=1");
  Submit("c", "100m");
  engine_->Pump();
  EXPECT_THAT(writer_.Names(), ElementsAre("a", "b"));
}

TEST_F(EngineQuotaTest, RemovingTheQuotaReleasesEverything) {
  SetQuota("q", ResourceList{{"pods", Q("0")}});
  Submit("a", "100m");
  engine_->Pump();
  EXPECT_TRUE(writer_.creates.empty());
  QuotaObservation gone;
  gone.pod_namespace = "ns";
  gone.name = "q";
  gone.deleted = true;
  engine_->OnQuotaObserved(gone);
  engine_->Pump();
  EXPECT_THAT(writer_.Names(), ElementsAre("a"));
}

TEST_F(EngineQuotaTest, QuotaWithoutStatusWaitsForTheController) {
  QuotaObservation fresh;
  fresh.pod_namespace = "ns";
  fresh.name = "new";
  fresh.hard = ResourceList{{"pods", Q("10")}};
  fresh.status_known = false;
  engine_->OnQuotaObserved(fresh);
  Submit("a", "100m");
  engine_->Pump();
  EXPECT_TRUE(writer_.creates.empty());
  EXPECT_EQ(LastEvent(PodEventType::kWaiting)->reason, "QuotaStatusUnknown");
  fresh.status_known = true;
  engine_->OnQuotaObserved(fresh);
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 1u);
}

TEST_F(EngineQuotaTest, ResyncDropsQuotasThatNoLongerExist) {
  SetQuota("q", ResourceList{{"pods", Q("0")}});
  Submit("a", "100m");
  engine_->Pump();
  engine_->OnQuotasResynced({});
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 1u);
}

TEST_F(EngineQuotaTest, ScopedQuotaOnlyChargesMatchingPods) {
  QuotaObservation q;
  q.pod_namespace = "ns";
  q.name = "high-priority";
  q.hard = ResourceList{{"pods", Q("0")}};
  q.status_known = true;
  q.scope_selector = {{"PriorityClass", "In", {"high"}}};
  engine_->OnQuotaObserved(q);
  Submit("ordinary", "100m");
  engine_->Pump();
  EXPECT_THAT(writer_.Names(), ElementsAre("ordinary"));
}

TEST_F(EngineQuotaTest, QuotaAdmissionCanBeTurnedOff) {
  EngineConfig config;
  config.quota.enabled = false;
  Reset(config);
  SetQuota("q", ResourceList{{"pods", Q("0")}});
  Submit("a", "100m");
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 1u);
}

TEST_F(EngineQuotaTest, BigWorkflowDoesNotStarveSmallOnesInTheSameNamespace) {
  SetQuota("q", ResourceList{{"pods", Q("4")}});
  for (int i = 0; i < 100; ++i) Submit(absl::StrCat("big-", i), "100m", "wf-big");
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 4u);
  for (size_t i = 0; i < 4; ++i) Answer(i);
  Submit("small-0", "100m", "wf-small");
  Submit("small-1", "100m", "wf-small");
  // Two big pods finish: the room is shared between the two workflows.
  Finish("big-0");
  Finish("big-1");
  engine_->Pump();
  ASSERT_EQ(writer_.creates.size(), 6u);
  std::vector<std::string> last = {writer_.creates[4].second, writer_.creates[5].second};
  std::sort(last.begin(), last.end());
  EXPECT_EQ(last[0].substr(0, 3), "big");
  EXPECT_EQ(last[1].substr(0, 5), "small");
}

}  // namespace
}  // namespace sluice
