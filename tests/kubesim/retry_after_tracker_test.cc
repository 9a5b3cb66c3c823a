#include "tools/kubesim/retry_after_tracker.h"

#include "gtest/gtest.h"

namespace sluice::kubesim {
namespace {

void Drops(RetryAfterTracker& t, int64_t second, int n) {
  for (int i = 0; i < n; ++i) t.RecordDrop(second);
}

TEST(RetryAfterTrackerTest, StartsAtOne) {
  RetryAfterTracker t;
  EXPECT_EQ(t.retry_after(), 1);
  Drops(t, 1000, 100);  // the current second does not count yet
  EXPECT_EQ(t.retry_after(), 1);
}

TEST(RetryAfterTrackerTest, DoublesUnderSustainedDropsUpTo32) {
  RetryAfterTracker t;
  std::vector<int64_t> seen;
  for (int64_t s = 1000; s < 1040; ++s) {
    Drops(t, s, 10);
    seen.push_back(t.retry_after());
  }
  // Doubling needs >= 3 * retry_after drops in the window and retry_after
  // seconds since the last increase.
  EXPECT_EQ(seen[0], 1);
  EXPECT_EQ(seen[1], 2);  // t=1001
  EXPECT_EQ(seen[2], 2);  // t=1002: one second since the increase
  EXPECT_EQ(seen[3], 4);  // t=1003
  EXPECT_EQ(seen[7], 8);  // t=1007
  EXPECT_EQ(seen[14], 8);
  EXPECT_EQ(seen[15], 16);  // t=1015
  EXPECT_EQ(seen[31], 32);  // t=1031
  EXPECT_EQ(seen[39], 32);  // capped
}

TEST(RetryAfterTrackerTest, FewDropsDoNotRaiseIt) {
  RetryAfterTracker t;
  for (int64_t s = 1000; s < 1010; ++s) Drops(t, s, 2);  // < 3 per second
  EXPECT_EQ(t.retry_after(), 1);
}

TEST(RetryAfterTrackerTest, ShrinksByOnePerSecondOnceThePressureStops) {
  RetryAfterTracker t;
  for (int64_t s = 1000; s < 1010; ++s) Drops(t, s, 50);
  ASSERT_EQ(t.retry_after(), 8);
  // Much later, isolated drops: one step down per new second.
  Drops(t, 2000, 1);
  EXPECT_EQ(t.retry_after(), 7);
  Drops(t, 2001, 1);
  EXPECT_EQ(t.retry_after(), 6);
  Drops(t, 2002, 1);
  EXPECT_EQ(t.retry_after(), 5);
  // One drop every second keeps it where the window holds as many drops as
  // its length (here 4); sparse drops bring it down to 1.
  for (int64_t s = 2003; s < 2010; ++s) Drops(t, s, 1);
  EXPECT_EQ(t.retry_after(), 4);
  for (int64_t s = 2100; s < 2500; s += 100) Drops(t, s, 1);
  EXPECT_EQ(t.retry_after(), 1);
}

}  // namespace
}  // namespace sluice::kubesim
