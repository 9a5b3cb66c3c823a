#include "scheduler/engine/fairness_meter.h"

#include <optional>
#include <vector>

#include "gtest/gtest.h"

namespace sluice {
namespace {

MonoTime At(absl::Duration d) { return MonoTime::Zero() + d; }

FairnessMeter::Options TestOptions() {
  FairnessMeter::Options options;
  options.rounds = 10;
  options.min_period = absl::Seconds(1);
  options.max_period = absl::Seconds(60);
  return options;
}

TEST(FairnessMeterTest, EqualServiceIsPerfectlyFair) {
  FairnessMeter meter(TestOptions());
  EXPECT_FALSE(meter.Observe(At(absl::ZeroDuration()), {{1, 0, 1}, {2, 0, 1}, {3, 0, 1}}));
  std::optional<FairnessMeter::Period> period =
      meter.Observe(At(absl::Seconds(1)), {{1, 10, 1}, {2, 10, 1}, {3, 10, 1}});
  ASSERT_TRUE(period.has_value());
  EXPECT_DOUBLE_EQ(period->jain, 1.0);
  EXPECT_EQ(period->flows, 3u);
  EXPECT_EQ(period->dispatched, 30u);
  EXPECT_EQ(period->length, absl::Seconds(1));
}

TEST(FairnessMeterTest, OneFlowTakingEverythingScoresOneOverN) {
  FairnessMeter meter(TestOptions());
  meter.Observe(At(absl::ZeroDuration()), {{1, 0, 1}, {2, 5, 1}, {3, 7, 1}, {4, 0, 1}});
  auto period = meter.Observe(At(absl::Seconds(2)), {{1, 40, 1}, {2, 5, 1}, {3, 7, 1}, {4, 0, 1}});
  ASSERT_TRUE(period.has_value());
  EXPECT_DOUBLE_EQ(period->jain, 0.25);
}

TEST(FairnessMeterTest, ServiceIsJudgedAgainstTheEntitledShare) {
  FairnessMeter meter(TestOptions());
  // Flow 1 is entitled to three times flow 2's share and got it.
  meter.Observe(At(absl::ZeroDuration()), {{1, 0, 3}, {2, 0, 1}});
  auto period = meter.Observe(At(absl::Seconds(1)), {{1, 30, 3}, {2, 10, 1}});
  ASSERT_TRUE(period.has_value());
  EXPECT_DOUBLE_EQ(period->jain, 1.0);
  // The same service with equal entitlement is unfair: x = (30, 10).
  FairnessMeter equal(TestOptions());
  equal.Observe(At(absl::ZeroDuration()), {{1, 0, 1}, {2, 0, 1}});
  period = equal.Observe(At(absl::Seconds(1)), {{1, 30, 1}, {2, 10, 1}});
  ASSERT_TRUE(period.has_value());
  EXPECT_DOUBLE_EQ(period->jain, 40.0 * 40.0 / (2 * (900.0 + 100.0)));
}

TEST(FairnessMeterTest, PeriodClosesAfterEnoughRoundsAndNotBeforeMinPeriod) {
  FairnessMeter meter(TestOptions());
  meter.Observe(At(absl::ZeroDuration()), {{1, 0, 1}, {2, 0, 1}});
  // 19 dispatches for 2 flows: fewer than 10 rounds.
  EXPECT_FALSE(meter.Observe(At(absl::Seconds(5)), {{1, 10, 1}, {2, 9, 1}}));
  EXPECT_TRUE(meter.Observe(At(absl::Seconds(5)), {{1, 10, 1}, {2, 10, 1}}));
  // A new period opened at 5 s; 999 ms later nothing closes whatever the count.
  EXPECT_FALSE(meter.Observe(At(absl::Milliseconds(5999)), {{1, 100, 1}, {2, 100, 1}}));
  EXPECT_TRUE(meter.Observe(At(absl::Seconds(6)), {{1, 100, 1}, {2, 100, 1}}));
}

TEST(FairnessMeterTest, OnlyFlowsBackloggedAtBothEndsCount) {
  FairnessMeter meter(TestOptions());
  meter.Observe(At(absl::ZeroDuration()), {{1, 0, 1}, {2, 0, 1}, {3, 0, 1}});
  // Flow 3 emptied; flow 4 is new. Flows 1 and 2 got equal service.
  auto period = meter.Observe(At(absl::Seconds(1)), {{1, 10, 1}, {2, 10, 1}, {4, 50, 1}});
  ASSERT_TRUE(period.has_value());
  EXPECT_EQ(period->flows, 2u);
  EXPECT_DOUBLE_EQ(period->jain, 1.0);
}

TEST(FairnessMeterTest, MaxPeriodClosesASlowPeriodAndSingleFlowsGiveNoResult) {
  FairnessMeter meter(TestOptions());
  meter.Observe(At(absl::ZeroDuration()), {{1, 0, 1}});
  EXPECT_FALSE(meter.Observe(At(absl::Seconds(59)), {{1, 3, 1}}));
  EXPECT_FALSE(meter.Observe(At(absl::Seconds(60)), {{1, 3, 1}}));  // closed, one flow
  EXPECT_FALSE(meter.last().has_value());
  meter.Observe(At(absl::Seconds(60)), {{1, 3, 1}, {2, 0, 1}});
  auto period = meter.Observe(At(absl::Seconds(120)), {{1, 5, 1}, {2, 2, 1}});
  ASSERT_TRUE(period.has_value());
  EXPECT_DOUBLE_EQ(period->jain, 1.0);
  EXPECT_EQ(meter.last()->length, absl::Seconds(60));
}

TEST(FairnessMeterTest, SmallWorkflowWorstWaitCoversOneToTwoWindows) {
  FairnessMeter::Options options = TestOptions();
  options.small_workflow_pods = 10;
  options.small_wait_window = absl::Minutes(1);
  FairnessMeter meter(options);
  meter.RecordFirstDispatch(At(absl::Seconds(10)), absl::Milliseconds(300), 1);
  meter.RecordFirstDispatch(At(absl::Seconds(20)), absl::Seconds(9), 11);  // not small
  EXPECT_EQ(meter.SmallWorkflowWorstWait(At(absl::Seconds(20))), absl::Milliseconds(300));
  // A new window at 70 s keeps the previous one's worst.
  meter.RecordFirstDispatch(At(absl::Seconds(70)), absl::Milliseconds(100), 10);
  EXPECT_EQ(meter.SmallWorkflowWorstWait(At(absl::Seconds(70))), absl::Milliseconds(300));
  // One window later only the current one counts; two later, nothing.
  EXPECT_EQ(meter.SmallWorkflowWorstWait(At(absl::Seconds(130))), absl::Milliseconds(100));
  EXPECT_EQ(meter.SmallWorkflowWorstWait(At(absl::Seconds(190))), absl::ZeroDuration());
}

}  // namespace
}  // namespace sluice
