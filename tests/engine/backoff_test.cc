#include "scheduler/engine/backoff.h"

#include "gtest/gtest.h"

namespace sluice {
namespace {

TEST(ExponentialBackoffTest, DoublesUpToTheCap) {
  ExponentialBackoff backoff(
      {.initial = absl::Milliseconds(500), .multiplier = 2, .max = absl::Seconds(5), .jitter = 0});
  EXPECT_EQ(backoff.Delay(1), absl::Milliseconds(500));
  EXPECT_EQ(backoff.Delay(2), absl::Seconds(1));
  EXPECT_EQ(backoff.Delay(3), absl::Seconds(2));
  EXPECT_EQ(backoff.Delay(4), absl::Seconds(4));
  EXPECT_EQ(backoff.Delay(5), absl::Seconds(5));
  EXPECT_EQ(backoff.Delay(6), absl::Seconds(5));
  EXPECT_EQ(backoff.Delay(1'000'000), absl::Seconds(5));
}

TEST(ExponentialBackoffTest, ZeroFailuresIsNoDelay) {
  ExponentialBackoff backoff({});
  EXPECT_EQ(backoff.BaseDelay(0), absl::ZeroDuration());
}

TEST(ExponentialBackoffTest, JitterStaysWithinItsFraction) {
  ExponentialBackoff backoff(
      {.initial = absl::Seconds(10), .multiplier = 2, .max = absl::Seconds(10), .jitter = 0.2});
  bool below = false;
  bool above = false;
  for (int i = 0; i < 1000; ++i) {
    absl::Duration d = backoff.Delay(1);
    ASSERT_GE(d, absl::Seconds(8));
    ASSERT_LE(d, absl::Seconds(12));
    below |= d < absl::Seconds(10);
    above |= d > absl::Seconds(10);
  }
  EXPECT_TRUE(below);
  EXPECT_TRUE(above);
}

TEST(ExponentialBackoffTest, SameSeedSameSchedule) {
  ExponentialBackoff a({.seed = 42});
  ExponentialBackoff b({.seed = 42});
  for (uint32_t i = 1; i < 20; ++i) EXPECT_EQ(a.Delay(i), b.Delay(i));
}

}  // namespace
}  // namespace sluice
