// Capacity pools in the engine: placement by policy, fallback from spot to
// on-demand, re-creating a pod that cannot start under the same name in the
// next pool, and reporting spot reclaims as preemptions.
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

struct Write {
  uint64_t id;
  std::string name;
  std::string pool;
  uint32_t attempt;
};

class PoolWriter : public PodWriter {
 public:
  void Create(const CreatePodCommand& c) override {
    creates.push_back(
        {c.request_id, std::string(c.pod_name), c.pool ? c.pool->name : "", c.attempt});
    manifests.emplace_back(c.manifest);
  }
  void Delete(const DeletePodCommand& c) override {
    deletes.push_back({c.request_id, std::string(c.pod_name), "", 0});
    delete_uids.emplace_back(c.pod_uid);
  }
  std::vector<std::string> Placements() const {
    std::vector<std::string> out;
    for (const auto& w : creates) out.push_back(absl::StrCat(w.name, "@", w.pool));
    return out;
  }
  std::vector<Write> creates;
  std::vector<Write> deletes;
  std::vector<std::string> manifests;
  std::vector<std::string> delete_uids;
};

class Sink : public EventSink {
 public:
  void Publish(std::vector<PodEvent>& batch) override {
    for (auto& e : batch) events.push_back(std::move(e));
    batch.clear();
  }
  const PodEvent* Last(PodEventType type) const {
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (it->type == type) return &*it;
    }
    return nullptr;
  }
  std::vector<PodEvent> events;
};

PoolConfig Pool(const std::string& name, PoolClass c, std::optional<int64_t> max_pods = {}) {
  PoolConfig p;
  p.name = name;
  p.pool_class = c;
  p.max_pods = max_pods;
  p.provisioning_timeout = absl::Minutes(2);
  p.labels = {{"pool-label", name}};
  return p;
}

class EnginePoolTest : public ::testing::Test {
 protected:
  EnginePoolTest() {
    EngineConfig config;
    config.capacity.pools = {Pool("spot", PoolClass::kSpot, 2),
                             Pool("on-demand", PoolClass::kOnDemand)};
    Reset(config);
  }

  void Reset(EngineConfig config) {
    config.budget = {.qps = 0, .burst = 1, .max_in_flight = 1000};
    engine_.reset();
    writer_ = PoolWriter();
    sink_ = Sink();
    engine_ = std::make_unique<Engine>(clock_, config, &writer_, &sink_);
  }

  void Submit(const std::string& name, CapacityPolicy policy = CapacityPolicy::kDefault,
              std::vector<std::string> allowed = {}) {
    IntentSpec spec;
    spec.SetKey("ns", name);
    spec.workflow_uid = "wf";
    spec.manifest = absl::StrCat(R"({"name":")", name, R"("})");
    spec.requests = ResourceList{{"cpu", *Quantity::Parse("1")}};
    spec.capacity_policy = policy;
    spec.allowed_pools = std::move(allowed);
    std::vector<std::unique_ptr<Intent>> batch;
    batch.push_back(std::make_unique<Intent>(std::move(spec)));
    std::vector<Engine::SubmitOutcome> outcomes(1);
    engine_->Submit(absl::MakeSpan(batch), absl::MakeSpan(outcomes));
  }

  void Created(size_t i, const std::string& uid) {
    WriteResult r;
    r.outcome = WriteOutcome::kSuccess;
    r.pod_uid = uid;
    engine_->OnCreateResult(writer_.creates[i].id, r);
  }

  PodObservation Pod(const std::string& name, const std::string& uid, PodPhase phase) {
    PodObservation pod;
    pod.key = absl::StrCat("ns/", name);
    pod.uid = uid;
    pod.phase = phase;
    return pod;
  }

  PodObservation StockedOut(const std::string& name, const std::string& uid) {
    PodObservation pod = Pod(name, uid, PodPhase::kPending);
    pod.unschedulable = true;
    pod.unschedulable_message = "0/3 nodes are available: NoStock: spot instances sold out";
    return pod;
  }

  PodObservation Gone(const std::string& name, const std::string& uid) {
    PodObservation pod = Pod(name, uid, PodPhase::kFailed);
    pod.deleted = true;
    return pod;
  }

  PoolStateKind StateOf(const std::string& pool) {
    for (const auto& row : engine_->Capacity().pools) {
      if (row.pool->name() == pool) return row.state;
    }
    ADD_FAILURE() << "no pool " << pool;
    return PoolStateKind::kAvailable;
  }

  SimulatedClock clock_;
  PoolWriter writer_;
  Sink sink_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(EnginePoolTest, SpotFirstThenOnDemandWhenSpotIsFull) {
  for (int i = 0; i < 3; ++i) Submit(absl::StrCat("p", i));
  engine_->Pump();
  EXPECT_THAT(writer_.Placements(), ElementsAre("p0@spot", "p1@spot", "p2@on-demand"));
}

TEST_F(EnginePoolTest, OnDemandPolicyNeverUsesSpot) {
  Submit("p", CapacityPolicy::kOnDemand);
  engine_->Pump();
  EXPECT_THAT(writer_.Placements(), ElementsAre("p@on-demand"));
}

TEST_F(EnginePoolTest, NamespaceDefaultPolicy) {
  EngineConfig config;
  config.capacity.pools = {Pool("spot", PoolClass::kSpot), Pool("on-demand", PoolClass::kOnDemand)};
  config.capacity.namespace_policies["ns"] = CapacityPolicy::kOnDemand;
  Reset(config);
  Submit("p");
  Submit("q", CapacityPolicy::kSpotOnly);
  engine_->Pump();
  EXPECT_THAT(writer_.Placements(), ElementsAre("p@on-demand", "q@spot"));
}

TEST_F(EnginePoolTest, AllowedPoolsRestrictPlacement) {
  Submit("p", CapacityPolicy::kSpotPreferred, {"on-demand"});
  engine_->Pump();
  EXPECT_THAT(writer_.Placements(), ElementsAre("p@on-demand"));
}

TEST_F(EnginePoolTest, SpotOnlyWaitsForCapacityAndGoesWhenAPodEnds) {
  for (int i = 0; i < 3; ++i) Submit(absl::StrCat("p", i), CapacityPolicy::kSpotOnly);
  engine_->Pump();
  EXPECT_THAT(writer_.Placements(), ElementsAre("p0@spot", "p1@spot"));
  const PodEvent* waiting = sink_.Last(PodEventType::kWaiting);
  ASSERT_NE(waiting, nullptr);
  EXPECT_EQ(waiting->reason, "CapacityUnavailable");
  EXPECT_EQ(waiting->message, "no pool can take the pod now: spot full");
  EXPECT_EQ(engine_->Capacity().waiting, 1u);
  Created(0, "u0");
  Created(1, "u1");
  engine_->OnPodObserved(Pod("p0", "u0", PodPhase::kSucceeded));
  engine_->Pump();
  EXPECT_THAT(writer_.Placements(), ElementsAre("p0@spot", "p1@spot", "p2@spot"));
}

TEST_F(EnginePoolTest, StockOutReschedulesUnderTheSameNameInTheNextPool) {
  Submit("p", CapacityPolicy::kSpotPreferred);
  engine_->Pump();
  Created(0, "uid-1");
  clock_.Advance(absl::Seconds(7));
  engine_->OnPodObserved(StockedOut("p", "uid-1"));
  EXPECT_EQ(engine_->Find("ns/p")->state, IntentState::kRescheduling);
  EXPECT_EQ(StateOf("spot"), PoolStateKind::kUnavailable);
  engine_->Pump();
  ASSERT_EQ(writer_.deletes.size(), 1u);
  EXPECT_EQ(writer_.deletes[0].name, "p");
  EXPECT_EQ(writer_.delete_uids[0], "uid-1");  // only that incarnation
  EXPECT_EQ(writer_.creates.size(), 1u);       // not before the old pod is gone
  WriteResult deleted;
  deleted.outcome = WriteOutcome::kSuccess;
  engine_->OnDeleteResult(writer_.deletes[0].id, deleted);
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 1u);  // still terminating
  engine_->OnPodObserved(Gone("p", "uid-1"));
  engine_->Pump();
  ASSERT_EQ(writer_.creates.size(), 2u);
  EXPECT_EQ(writer_.creates[1].name, "p");
  EXPECT_EQ(writer_.creates[1].pool, "on-demand");
  EXPECT_EQ(writer_.creates[1].attempt, 2u);
  EXPECT_EQ(writer_.manifests[1], R"({"name":"p"})");  // the manifest was kept
  const PodEvent* rescheduled = sink_.Last(PodEventType::kRescheduled);
  ASSERT_NE(rescheduled, nullptr);
  EXPECT_EQ(rescheduled->previous_pool, "spot");
  EXPECT_EQ(rescheduled->pool, "on-demand");
  EXPECT_THAT(rescheduled->reason, HasSubstr("NoStock"));
  Created(1, "uid-2");
  EXPECT_EQ(sink_.Last(PodEventType::kCreated)->pool, "on-demand");
  EXPECT_EQ(engine_->counters().reschedules, 1u);
}

TEST_F(EnginePoolTest, UnavailableLastsItsTtlThenSpotIsUsedAgain) {
  Submit("p");
  engine_->Pump();
  Created(0, "u");
  engine_->OnPodObserved(StockedOut("p", "u"));
  // While spot is unavailable, new pods go to on-demand.
  Submit("q");
  engine_->Pump();
  EXPECT_EQ(writer_.creates.back().pool, "on-demand");
  EXPECT_EQ(engine_->Capacity().pools[0].remaining, absl::Minutes(3));
  clock_.Advance(absl::Minutes(3) - absl::Nanoseconds(1));
  Submit("r");
  engine_->Pump();
  EXPECT_EQ(writer_.creates.back().pool, "on-demand");
  clock_.Advance(absl::Nanoseconds(1));
  Submit("s");
  engine_->Pump();
  EXPECT_EQ(writer_.creates.back().name, "s");
  EXPECT_EQ(writer_.creates.back().pool, "spot");
}

TEST_F(EnginePoolTest, SpotOnlyWaitsThroughAStockOutAndGoesWhenThePoolReturns) {
  Submit("p", CapacityPolicy::kSpotOnly);
  engine_->Pump();
  Created(0, "u");
  engine_->OnPodObserved(StockedOut("p", "u"));
  engine_->Pump();
  WriteResult gone;
  gone.outcome = WriteOutcome::kNotFound;
  gone.http_status = 404;
  engine_->OnDeleteResult(writer_.deletes[0].id, gone);
  engine_->Pump();
  // spot is Unavailable and it is the only pool SPOT_ONLY allows: p waits.
  EXPECT_EQ(writer_.creates.size(), 1u);
  const PodEvent* waiting = sink_.Last(PodEventType::kWaiting);
  ASSERT_NE(waiting, nullptr);
  EXPECT_EQ(waiting->pod_key, "ns/p");
  EXPECT_EQ(waiting->message, "no pool can take the pod now: spot Unavailable for 3m (NoStock)");
  clock_.Advance(absl::Minutes(3) - absl::Nanoseconds(1));
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 1u);
  clock_.Advance(absl::Nanoseconds(1));
  engine_->Pump();
  ASSERT_EQ(writer_.creates.size(), 2u);
  EXPECT_EQ(writer_.creates[1].name, "p");
  EXPECT_EQ(writer_.creates[1].pool, "spot");
}

TEST_F(EnginePoolTest, AFailedPoolIsAvoidedWhileAnotherCanTakeThePod) {
  EngineConfig config;
  config.capacity.pools = {Pool("spot-a", PoolClass::kSpot), Pool("spot-b", PoolClass::kSpot),
                           Pool("on-demand", PoolClass::kOnDemand)};
  config.capacity.timers.unavailable_ttl = absl::Seconds(1);
  Reset(config);
  Submit("p", CapacityPolicy::kSpotOnly);
  engine_->Pump();
  Created(0, "u");
  engine_->OnPodObserved(StockedOut("p", "u"));
  engine_->Pump();
  clock_.Advance(absl::Seconds(5));  // spot-a is Available again
  engine_->OnPodObserved(Gone("p", "u"));
  engine_->Pump();
  ASSERT_EQ(writer_.creates.size(), 2u);
  EXPECT_EQ(writer_.creates[1].pool, "spot-b");
}

TEST_F(EnginePoolTest, ProvisioningTimeoutBoundaryIsExact) {
  Submit("p");
  engine_->Pump();
  Created(0, "u");
  engine_->OnPodObserved(Pod("p", "u", PodPhase::kPending));
  clock_.Advance(absl::Minutes(2) - absl::Nanoseconds(1));
  engine_->Pump();
  EXPECT_EQ(engine_->Find("ns/p")->state, IntentState::kCreated);
  clock_.Advance(absl::Nanoseconds(1));
  engine_->Pump();
  EXPECT_EQ(engine_->Find("ns/p")->state, IntentState::kRescheduling);
  EXPECT_EQ(StateOf("spot"), PoolStateKind::kBackedOff);
}

TEST_F(EnginePoolTest, ScheduledInTimeIsNotRescheduled) {
  Submit("p");
  engine_->Pump();
  Created(0, "u");
  PodObservation scheduled = Pod("p", "u", PodPhase::kPending);
  scheduled.scheduled = true;
  engine_->OnPodObserved(scheduled);
  clock_.Advance(absl::Minutes(10));
  engine_->Pump();
  EXPECT_EQ(engine_->Find("ns/p")->state, IntentState::kScheduled);
  EXPECT_TRUE(writer_.deletes.empty());
}

TEST_F(EnginePoolTest, ProviderFailureBacksThePoolOff) {
  Submit("p");
  engine_->Pump();
  Created(0, "u");
  PodObservation failed = Pod("p", "u", PodPhase::kPending);
  failed.reason = "ProviderFailed";
  failed.message = "create container group failed";
  engine_->OnPodObserved(failed);
  EXPECT_EQ(StateOf("spot"), PoolStateKind::kBackedOff);
  EXPECT_EQ(engine_->Find("ns/p")->state, IntentState::kRescheduling);
}

TEST_F(EnginePoolTest, SpotReclaimIsReportedAsPreemptedAndNotRecreated) {
  Submit("p");
  engine_->Pump();
  Created(0, "u");
  PodObservation running = Pod("p", "u", PodPhase::kRunning);
  running.scheduled = true;
  engine_->OnPodObserved(running);
  PodObservation notice = running;
  notice.disruption_target = true;
  notice.disruption_reason = "SpotToBeReleased";
  engine_->OnPodObserved(notice);
  EXPECT_EQ(StateOf("spot"), PoolStateKind::kDraining);
  PodObservation ended = Pod("p", "u", PodPhase::kFailed);
  ended.scheduled = true;
  ended.reason = "BidFailed";
  engine_->OnPodObserved(ended);
  const PodEvent* preempted = sink_.Last(PodEventType::kPreempted);
  ASSERT_NE(preempted, nullptr);
  EXPECT_EQ(preempted->reason, "BidFailed");
  EXPECT_EQ(preempted->state, IntentState::kFailed);
  EXPECT_EQ(preempted->pool, "spot");
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 1u);
  // While spot drains, new pods go on-demand.
  Submit("q");
  engine_->Pump();
  EXPECT_EQ(writer_.creates.back().pool, "on-demand");
}

TEST_F(EnginePoolTest, CancelWhileRescheduling) {
  Submit("p");
  engine_->Pump();
  Created(0, "u");
  engine_->OnPodObserved(StockedOut("p", "u"));
  auto outcome = engine_->CancelWorkflow("wf", false);
  EXPECT_EQ(outcome.deleting, 1u);
  engine_->OnPodObserved(Gone("p", "u"));
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 1u);
  EXPECT_EQ(engine_->Find("ns/p")->state, IntentState::kCancelled);
}

TEST_F(EnginePoolTest, RelistFindingTheOldPodGoneRecreates) {
  Submit("p");
  engine_->Pump();
  Created(0, "u");
  engine_->OnPodObserved(StockedOut("p", "u"));
  engine_->OnPodsResynced({});
  engine_->Pump();
  ASSERT_EQ(writer_.creates.size(), 2u);
  EXPECT_EQ(writer_.creates[1].pool, "on-demand");
}

TEST_F(EnginePoolTest, WithoutPoolsNothingIsInjectedAndManifestsAreReleased) {
  Reset(EngineConfig());
  Submit("p");
  engine_->Pump();
  EXPECT_EQ(writer_.creates[0].pool, "");
  Created(0, "u");
  EXPECT_TRUE(engine_->Find("ns/p")->spec.manifest.empty());
}

TEST_F(EnginePoolTest, CapacityStatusShowsUsageAndStates) {
  Submit("p");
  engine_->Pump();
  Engine::CapacityStatus capacity = engine_->Capacity();
  ASSERT_EQ(capacity.pools.size(), 2u);
  EXPECT_EQ(capacity.pools[0].pool->name(), "spot");
  EXPECT_EQ(capacity.pools[0].pool->in_flight().pods, 1);
  Created(0, "u");
  capacity = engine_->Capacity();
  EXPECT_EQ(capacity.pools[0].pool->used().pods, 1);
  EXPECT_EQ(capacity.pools[0].pool->in_flight().pods, 0);
  EXPECT_EQ(capacity.pools[0].pool->used().vcpu, *Quantity::Parse("1"));
}

}  // namespace
}  // namespace sluice
