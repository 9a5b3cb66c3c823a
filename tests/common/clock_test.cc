#include "scheduler/common/clock.h"

#include "gtest/gtest.h"

namespace sluice {
namespace {

TEST(MonoTimeTest, ArithmeticIsExactToTheNanosecond) {
  MonoTime t = MonoTime::FromNanos(1'000);
  EXPECT_EQ((t + absl::Nanoseconds(1)).nanos(), 1'001);
  EXPECT_EQ((t - absl::Nanoseconds(1)).nanos(), 999);
  EXPECT_EQ(MonoTime::FromNanos(5'000) - t, absl::Nanoseconds(4'000));
  EXPECT_LT(t, t + absl::Nanoseconds(1));
}

TEST(MonoTimeTest, InfiniteAbsorbsAddition) {
  EXPECT_TRUE((MonoTime::Infinite() + absl::Seconds(1)).is_infinite());
  EXPECT_TRUE((MonoTime::Zero() + absl::InfiniteDuration()).is_infinite());
  EXPECT_GT(MonoTime::Infinite(), MonoTime::FromNanos(1) + absl::Hours(1'000'000));
}

TEST(SimulatedClockTest, MovesOnlyWhenTold) {
  SimulatedClock clock(absl::FromUnixSeconds(100));
  EXPECT_EQ(clock.MonoNow(), MonoTime::Zero());
  EXPECT_EQ(clock.WallNow(), absl::FromUnixSeconds(100));
  clock.Advance(absl::Milliseconds(999));
  EXPECT_EQ(clock.MonoNow().nanos(), 999'000'000);
  EXPECT_EQ(clock.WallNow(), absl::FromUnixSeconds(100) + absl::Milliseconds(999));
}

TEST(SimulatedClockTest, AdvanceToNeverGoesBack) {
  SimulatedClock clock;
  clock.AdvanceTo(MonoTime::FromNanos(50));
  clock.AdvanceTo(MonoTime::FromNanos(10));
  EXPECT_EQ(clock.MonoNow().nanos(), 50);
}

TEST(RealClockTest, MonotonicDoesNotGoBackwards) {
  MonoTime a = RealClock::Get().MonoNow();
  MonoTime b = RealClock::Get().MonoNow();
  EXPECT_LE(a, b);
}

}  // namespace
}  // namespace sluice
