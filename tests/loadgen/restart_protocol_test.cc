// The controller side of the restart protocol, without processes: which
// epochs count as restarts, and which intents go to sluiced again.
#include "tools/loadgen/restart_protocol.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sluice::loadgen {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr uint64_t kE1 = 0x1111;
constexpr uint64_t kE2 = 0x2222;

TEST(EpochWatchTest, CountsDistinctEpochsAndIgnoresLateOnes) {
  EpochWatch w;
  EXPECT_EQ(w.current(), 0u);
  EXPECT_EQ(w.restarts_seen(), 0u);
  EXPECT_FALSE(w.Observe(0));  // not from sluiced
  EXPECT_EQ(w.current(), 0u);
  EXPECT_TRUE(w.Observe(kE1));
  EXPECT_EQ(w.current(), kE1);
  EXPECT_EQ(w.restarts_seen(), 0u);
  EXPECT_FALSE(w.Observe(kE1));
  EXPECT_TRUE(w.Observe(kE2));
  EXPECT_EQ(w.current(), kE2);
  EXPECT_EQ(w.restarts_seen(), 1u);
  // A late answer from the dead incarnation changes nothing.
  EXPECT_FALSE(w.Observe(kE1));
  EXPECT_EQ(w.current(), kE2);
  EXPECT_EQ(w.restarts_seen(), 1u);
  EXPECT_TRUE(w.Observe(0x3333));
  EXPECT_EQ(w.restarts_seen(), 2u);
}

class PodsToSubmitTest : public ::testing::Test {
 protected:
  PodsToSubmitTest() : plan_(MakePlan()), ledger_(&plan_, &clock_) {}

  static WorkloadPlan MakePlan() {
    WorkloadPlan::Options o;
    o.workflows = 2;
    o.pods_per_workflow = 5;
    o.seed = 7;
    return WorkloadPlan::Make(o);
  }
  static v1::IntentResult Result(v1::IntentResult::Code code,
                                 v1::IntentState state = v1::INTENT_STATE_UNSPECIFIED) {
    v1::IntentResult r;
    r.set_code(code);
    r.set_state(state);
    return r;
  }
  void Event(uint32_t pod, v1::EventType type, uint64_t epoch) {
    v1::WatchEventsResponse response;
    response.set_epoch(epoch);
    v1::PodEvent* e = response.add_events();
    e->set_type(type);
    e->set_epoch(epoch);
    e->mutable_pod()->set_namespace_(plan_.workflow_of(pod).namespace_);
    e->mutable_pod()->set_name(plan_.pods()[pod].name);
    ledger_.RecordEvents(response);
  }
  std::vector<uint32_t> Submit(std::vector<uint32_t> intended, uint64_t trusted,
                               WaitFor wait = WaitFor::kCreated) {
    return PodsToSubmit(ledger_.Records(), intended, trusted, wait);
  }

  SimulatedClock clock_;
  WorkloadPlan plan_;
  PodLedger ledger_;
};

TEST_F(PodsToSubmitTest, NothingAnsweredYetSendsEveryIntendedPodInOrder) {
  EXPECT_THAT(Submit({4, 0, 2}, kE1), ElementsAre(4, 0, 2));
  EXPECT_THAT(Submit({4, 0, 2}, 0), ElementsAre(4, 0, 2));
  EXPECT_THAT(Submit({}, kE1), IsEmpty());
}

TEST_F(PodsToSubmitTest, SameEpochResendsOnlyWhatHasNoAnswerFromIt) {
  // The Submit stream broke without a restart: the event stream still
  // follows E1.
  ledger_.RecordSent({0, 1, 2, 3, 4, 5});
  ledger_.RecordAnswer(0, Result(v1::IntentResult::ACCEPTED), kE1);
  ledger_.RecordAnswer(1, Result(v1::IntentResult::DUPLICATE, v1::INTENT_STATE_QUEUED), kE1);
  ledger_.RecordAnswer(2, Result(v1::IntentResult::RESOURCE_EXHAUSTED), kE1);
  ledger_.RecordAnswer(3, Result(v1::IntentResult::REJECTED), kE1);
  // 4 and 5: sent, answers lost with the stream; 6: never sent.
  EXPECT_THAT(Submit({0, 1, 2, 3, 4, 5, 6}, kE1), ElementsAre(2, 4, 5, 6));
}

TEST_F(PodsToSubmitTest, NewEpochResendsEveryPodNotSeenCreated) {
  ledger_.RecordSent({0, 1, 2, 3, 4, 5, 6, 7});
  for (uint32_t p : {0u, 1u, 2u, 3u, 4u}) {
    ledger_.RecordAnswer(p, Result(v1::IntentResult::ACCEPTED), kE1);
  }
  ledger_.RecordAnswer(5, Result(v1::IntentResult::DUPLICATE, v1::INTENT_STATE_CREATED), kE1);
  ledger_.RecordAnswer(6, Result(v1::IntentResult::DUPLICATE, v1::INTENT_STATE_DISPATCHING), kE1);
  Event(0, v1::EVENT_TYPE_CREATED, kE1);
  Event(1, v1::EVENT_TYPE_RUNNING, kE1);  // a missed CREATED is implied
  Event(2, v1::EVENT_TYPE_RETRYING, kE1);
  Event(3, v1::EVENT_TYPE_CREATE_FAILED, kE1);  // terminal: nothing to resubmit
  // sluiced restarted as E2: 2 (retrying), 4 (accepted), 6 (dispatching when
  // it died) and 7 (answer lost in the crash) were held only by E1.
  EXPECT_THAT(Submit({0, 1, 2, 3, 4, 5, 6, 7}, kE2), ElementsAre(2, 4, 6, 7));
  // What E2 has answered is held, until it dies too.
  ledger_.RecordAnswer(2, Result(v1::IntentResult::ACCEPTED), kE2);
  ledger_.RecordAnswer(4, Result(v1::IntentResult::DUPLICATE, v1::INTENT_STATE_QUEUED), kE2);
  EXPECT_THAT(Submit({0, 1, 2, 3, 4, 5, 6, 7}, kE2), ElementsAre(6, 7));
  EXPECT_THAT(Submit({0, 1, 2, 3, 4, 5, 6, 7}, 0x3333), ElementsAre(2, 4, 6, 7));
}

TEST_F(PodsToSubmitTest, NoTrustedEpochResendsEveryUnsettledPod) {
  // A new event stream: events of pods answered before it opened may have
  // been missed, so their answers do not count.
  ledger_.RecordSent({0, 1, 2});
  ledger_.RecordAnswer(0, Result(v1::IntentResult::ACCEPTED), kE2);
  ledger_.RecordAnswer(1, Result(v1::IntentResult::ACCEPTED), kE2);
  Event(1, v1::EVENT_TYPE_CREATED, kE2);
  EXPECT_THAT(Submit({0, 1, 2}, 0), ElementsAre(0, 2));
}

TEST_F(PodsToSubmitTest, WaitingForTheEndResendsCreatedButUnfinishedPods) {
  ledger_.RecordSent({0, 1, 2, 3});
  for (uint32_t p : {0u, 1u, 2u, 3u})
    ledger_.RecordAnswer(p, Result(v1::IntentResult::ACCEPTED), kE1);
  Event(0, v1::EVENT_TYPE_CREATED, kE1);
  Event(1, v1::EVENT_TYPE_SUCCEEDED, kE1);
  Event(2, v1::EVENT_TYPE_RUNNING, kE1);
  // The new incarnation follows a pod only as an intent: 0 and 2 again.
  EXPECT_THAT(Submit({0, 1, 2, 3}, kE2, WaitFor::kFinished), ElementsAre(0, 2, 3));
  EXPECT_THAT(Submit({0, 1, 2, 3}, kE2, WaitFor::kCreated), ElementsAre(3));
}

}  // namespace
}  // namespace sluice::loadgen
