#include "scheduler/kube/backoff.h"

#include <vector>

#include "gtest/gtest.h"
#include "scheduler/common/clock.h"

namespace sluice::kube {
namespace {

BackoffPolicy Policy() {
  BackoffPolicy p;
  p.initial = absl::Milliseconds(800);
  p.multiplier = 2.0;
  p.max = absl::Seconds(30);
  p.jitter = 0.5;
  p.reset_after = absl::Minutes(2);
  return p;
}

TEST(BackoffTest, GrowsExponentiallyToTheCap) {
  SimulatedClock clock;
  Backoff backoff(clock, Policy(), [] { return 0.0; });
  const std::vector<absl::Duration> expected = {
      absl::Milliseconds(800),  absl::Milliseconds(1600),  absl::Milliseconds(3200),
      absl::Milliseconds(6400), absl::Milliseconds(12800), absl::Milliseconds(25600),
      absl::Seconds(30),        absl::Seconds(30),
  };
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(backoff.NextDelay(), expected[i]);
    clock.Advance(absl::Seconds(1));
  }
  EXPECT_EQ(backoff.failures(), 8);
}

TEST(BackoffTest, JitterStretchesButNeverPassesTheCap) {
  SimulatedClock clock;
  Backoff backoff(clock, Policy(), [] { return 0.999; });
  EXPECT_EQ(backoff.NextDelay(), absl::Milliseconds(800) * (1 + 0.5 * 0.999));
  for (int i = 0; i < 10; ++i) EXPECT_LE(backoff.NextDelay(), absl::Seconds(30));
  EXPECT_EQ(backoff.NextDelay(), absl::Seconds(30));
}

TEST(BackoffTest, ResetStartsOver) {
  SimulatedClock clock;
  Backoff backoff(clock, Policy(), [] { return 0.0; });
  backoff.NextDelay();
  backoff.NextDelay();
  backoff.Reset();
  EXPECT_EQ(backoff.failures(), 0);
  EXPECT_EQ(backoff.NextDelay(), absl::Milliseconds(800));
}

TEST(BackoffTest, AQuietPeriodStartsOverAtExactlyResetAfter) {
  SimulatedClock clock;
  Backoff backoff(clock, Policy(), [] { return 0.0; });
  backoff.NextDelay();
  clock.Advance(absl::Minutes(2) - absl::Nanoseconds(1));
  EXPECT_EQ(backoff.NextDelay(), absl::Milliseconds(1600));  // just under: keeps growing
  clock.Advance(absl::Minutes(2));
  EXPECT_EQ(backoff.NextDelay(), absl::Milliseconds(800));  // at reset_after: starts over
}

TEST(BackoffTest, DefaultRandomStaysInRange) {
  SimulatedClock clock;
  Backoff backoff(clock, Policy());
  const absl::Duration d = backoff.NextDelay();
  EXPECT_GE(d, absl::Milliseconds(800));
  EXPECT_LT(d, absl::Milliseconds(1200));
}

}  // namespace
}  // namespace sluice::kube
