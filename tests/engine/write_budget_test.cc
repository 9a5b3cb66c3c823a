#include "scheduler/engine/write_budget.h"

#include "gtest/gtest.h"

namespace sluice {
namespace {

MonoTime Ms(int64_t ms) { return MonoTime::FromNanos(ms * 1'000'000); }

TEST(WriteBudgetTest, InFlightCapHoldsUntilAnAnswer) {
  WriteBudget budget({.qps = 0, .burst = 1, .max_in_flight = 2}, Ms(0));
  ASSERT_TRUE(budget.CanStart(Ms(0)));
  budget.Start(Ms(0));
  budget.Start(Ms(0));
  EXPECT_FALSE(budget.CanStart(Ms(0)));
  EXPECT_FALSE(budget.CanStart(Ms(100'000)));
  budget.Finish();
  EXPECT_TRUE(budget.CanStart(Ms(0)));
  EXPECT_EQ(budget.in_flight(), 1u);
}

TEST(WriteBudgetTest, PauseHoldsUntilItsEnd) {
  WriteBudget budget({.qps = 0, .burst = 1, .max_in_flight = 10}, Ms(0));
  budget.PauseUntil(Ms(1000));
  EXPECT_FALSE(budget.CanStart(Ms(999)));
  EXPECT_TRUE(budget.CanStart(Ms(1000)));
  EXPECT_EQ(budget.NextStart(Ms(10)), Ms(1000));
}

TEST(WriteBudgetTest, LaterPauseWins) {
  WriteBudget budget({.qps = 0, .burst = 1, .max_in_flight = 10}, Ms(0));
  budget.PauseUntil(Ms(2000));
  budget.PauseUntil(Ms(1000));
  EXPECT_EQ(budget.paused_until(), Ms(2000));
}

TEST(WriteBudgetTest, NextStartIsTheLaterOfPauseAndToken) {
  WriteBudget budget({.qps = 1, .burst = 1, .max_in_flight = 10}, Ms(0));
  budget.Start(Ms(0));
  budget.Finish();
  EXPECT_EQ(budget.NextStart(Ms(0)), Ms(1000));
  budget.PauseUntil(Ms(1500));
  EXPECT_EQ(budget.NextStart(Ms(0)), Ms(1500));
  EXPECT_FALSE(budget.CanStart(Ms(1499)));
  EXPECT_TRUE(budget.CanStart(Ms(1500)));
}

}  // namespace
}  // namespace sluice
