#include "tools/loadgen/pod_ledger.h"

#include <vector>

#include "gtest/gtest.h"

namespace sluice::loadgen {
namespace {

class PodLedgerTest : public ::testing::Test {
 protected:
  PodLedgerTest() : plan_(MakePlan()), ledger_(&plan_, &clock_) {}

  static WorkloadPlan MakePlan() {
    WorkloadPlan::Options o;
    o.workflows = 2;
    o.pods_per_workflow = 2;
    o.seed = 9;
    return WorkloadPlan::Make(o);
  }
  static v1::IntentResult Result(v1::IntentResult::Code code,
                                 v1::IntentState state = v1::INTENT_STATE_UNSPECIFIED) {
    v1::IntentResult r;
    r.set_code(code);
    r.set_state(state);
    return r;
  }
  v1::WatchEventsResponse Event(uint32_t pod, v1::EventType type) {
    v1::WatchEventsResponse response;
    v1::PodEvent* e = response.add_events();
    e->set_type(type);
    e->mutable_pod()->set_namespace_(plan_.workflow_of(pod).namespace_);
    e->mutable_pod()->set_name(plan_.pods()[pod].name);
    return response;
  }

  SimulatedClock clock_;
  WorkloadPlan plan_;
  PodLedger ledger_;
};

TEST_F(PodLedgerTest, CreatedEventsSettleAndTimeTheirPods) {
  const std::vector<uint32_t> all = {0, 1, 2, 3};
  ledger_.RecordSent(all);
  clock_.Advance(absl::Milliseconds(3));
  for (uint32_t p : all) ledger_.RecordAnswer(p, Result(v1::IntentResult::ACCEPTED));
  EXPECT_EQ(ledger_.counts().accepted, 4u);
  EXPECT_EQ(ledger_.counts().settled_created, 0u);
  clock_.Advance(absl::Milliseconds(7));
  for (uint32_t p : all) ledger_.RecordEvents(Event(p, v1::EVENT_TYPE_CREATED));
  LedgerCounts c = ledger_.counts();
  EXPECT_EQ(c.created, 4u);
  EXPECT_EQ(c.settled_created, 4u);
  EXPECT_EQ(c.settled_finished, 0u);
  const std::vector<PodRecord> records = ledger_.Records();
  EXPECT_EQ(records[0].created_at - records[0].first_sent, absl::Milliseconds(10));
  EXPECT_EQ(records[0].created_events, 1u);
  EXPECT_TRUE(
      ledger_.AwaitSettled(WaitFor::kCreated, clock_.MonoNow(), absl::Milliseconds(1), nullptr));
}

TEST_F(PodLedgerTest, AnEventBeforeItsAnswerCountsAsAnArrival) {
  const std::vector<uint32_t> pods = {0, 2};
  ledger_.RecordSent(pods);
  ledger_.RecordEvents(Event(0, v1::EVENT_TYPE_CREATED));
  ledger_.RecordAnswer(0, Result(v1::IntentResult::ACCEPTED));
  ledger_.RecordAnswer(2, Result(v1::IntentResult::ACCEPTED));
  const std::vector<BacklogChange> log = ledger_.BacklogLog();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].kind, BacklogChange::Kind::kArrival);
  EXPECT_EQ(log[1].kind, BacklogChange::Kind::kCreated);
  EXPECT_EQ(log[2].kind, BacklogChange::Kind::kArrival);
  EXPECT_EQ(log[2].workflow, 1u);
}

TEST_F(PodLedgerTest, TerminalEventsSettleForFinishedAndCancelsAreRecorded) {
  ledger_.RecordAnswer(0, Result(v1::IntentResult::ACCEPTED));
  ledger_.RecordAnswer(1, Result(v1::IntentResult::ACCEPTED));
  ledger_.RecordEvents(Event(0, v1::EVENT_TYPE_CREATED));
  ledger_.RecordEvents(Event(0, v1::EVENT_TYPE_SUCCEEDED));
  ledger_.RecordEvents(Event(1, v1::EVENT_TYPE_CANCELLED));
  const std::vector<PodRecord> r = ledger_.Records();
  EXPECT_TRUE(r[0].finished);
  EXPECT_FALSE(r[0].cancelled_before_create);
  EXPECT_TRUE(r[1].cancelled_before_create);
  EXPECT_FALSE(r[1].created);
  LedgerCounts c = ledger_.counts();
  EXPECT_EQ(c.settled_finished, 2u);
  EXPECT_EQ(c.settled_created, 2u);
  EXPECT_EQ(c.cancelled, 1u);
}

TEST_F(PodLedgerTest, DuplicateAnswersReportTheKnownState) {
  ledger_.RecordAnswer(0, Result(v1::IntentResult::DUPLICATE, v1::INTENT_STATE_RUNNING));
  ledger_.RecordAnswer(1, Result(v1::IntentResult::DUPLICATE, v1::INTENT_STATE_QUEUED));
  ledger_.RecordAnswer(2, Result(v1::IntentResult::DUPLICATE, v1::INTENT_STATE_SUCCEEDED));
  ledger_.RecordAnswer(3, Result(v1::IntentResult::REJECTED));
  const std::vector<PodRecord> r = ledger_.Records();
  EXPECT_TRUE(r[0].created);
  EXPECT_EQ(r[0].created_events, 0u);
  EXPECT_FALSE(r[1].created);
  EXPECT_TRUE(r[2].finished);
  LedgerCounts c = ledger_.counts();
  EXPECT_EQ(c.duplicate, 3u);
  EXPECT_EQ(c.rejected, 1u);
  EXPECT_EQ(c.settled_created, 3u);   // 0, 2 and the rejected 3
  EXPECT_EQ(c.settled_finished, 2u);  // 2 and 3
  EXPECT_TRUE(ledger_.BacklogLog().empty());
}

TEST_F(PodLedgerTest, EventsForOtherPodsAreCountedApart) {
  v1::WatchEventsResponse response;
  v1::PodEvent* e = response.add_events();
  e->set_type(v1::EVENT_TYPE_CREATED);
  e->mutable_pod()->set_namespace_("argo");
  e->mutable_pod()->set_name("someone-else");
  ledger_.RecordEvents(response);
  EXPECT_EQ(ledger_.counts().foreign_events, 1u);
  EXPECT_EQ(ledger_.counts().created, 0u);
}

TEST_F(PodLedgerTest, AwaitSettledStopsAtTheDeadlineOrWhenProgressSaysSo) {
  EXPECT_FALSE(
      ledger_.AwaitSettled(WaitFor::kCreated, clock_.MonoNow(), absl::Milliseconds(1), nullptr));
  int calls = 0;
  EXPECT_FALSE(ledger_.AwaitSettled(WaitFor::kCreated, clock_.MonoNow() + absl::Hours(1),
                                    absl::Milliseconds(1), [&](const LedgerCounts&) {
                                      ++calls;
                                      return false;
                                    }));
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace sluice::loadgen
