#include "scheduler/engine/adaptive_rate.h"

#include <cmath>

#include "gtest/gtest.h"

namespace sluice {
namespace {

MonoTime At(absl::Duration d) { return MonoTime::Zero() + d; }

AdaptiveRate::Options Opts() {
  AdaptiveRate::Options o;
  o.enabled = true;
  o.floor_qps = 5;
  o.ceiling_qps = 10'000;
  o.initial_qps = 100;
  o.doubling_time = absl::Milliseconds(500);
  o.decrease_factor = 0.5;
  o.latency_decrease_factor = 0.9;
  o.latency_target = absl::Seconds(1);
  o.recovery_time = absl::Seconds(2);
  return o;
}

TEST(AdaptiveRateTest, SlowStartDoublesEveryDoublingTimeWhileSaturated) {
  AdaptiveRate rate(Opts(), At(absl::ZeroDuration()));
  EXPECT_EQ(rate.rate(), 100);
  EXPECT_TRUE(rate.slow_start());
  EXPECT_TRUE(rate.Advance(At(absl::Milliseconds(500)), /*saturated=*/true));
  EXPECT_DOUBLE_EQ(rate.rate(), 200);
  EXPECT_TRUE(rate.Advance(At(absl::Seconds(1)), true));
  EXPECT_DOUBLE_EQ(rate.rate(), 400);
}

TEST(AdaptiveRateTest, TimeWithoutSaturationDoesNotCount) {
  AdaptiveRate rate(Opts(), At(absl::ZeroDuration()));
  EXPECT_FALSE(rate.Advance(At(absl::Seconds(10)), /*saturated=*/false));
  EXPECT_EQ(rate.rate(), 100);
  // Only the 500 ms after the idle stretch count.
  rate.Advance(At(absl::Milliseconds(10'500)), true);
  EXPECT_DOUBLE_EQ(rate.rate(), 200);
}

TEST(AdaptiveRateTest, NeverAboveTheCeilingNorBelowTheFloor) {
  AdaptiveRate::Options o = Opts();
  o.ceiling_qps = 300;
  AdaptiveRate rate(o, At(absl::ZeroDuration()));
  rate.Advance(At(absl::Seconds(5)), true);
  EXPECT_EQ(rate.rate(), 300);
  for (int i = 1; i <= 20; ++i) {
    const MonoTime t = At(absl::Seconds(5) + absl::Milliseconds(i));
    rate.OnAnswer(t, t, /*throttled=*/true, absl::ZeroDuration());
  }
  EXPECT_EQ(rate.rate(), 5);
}

TEST(AdaptiveRateTest, A429HalvesOnceForEveryRequestStartedBeforeIt) {
  AdaptiveRate rate(Opts(), At(absl::ZeroDuration()));
  rate.Advance(At(absl::Seconds(1)), true);  // 400
  const MonoTime t = At(absl::Seconds(1));
  EXPECT_TRUE(rate.OnAnswer(t, At(absl::Milliseconds(990)), true, absl::Milliseconds(10)));
  EXPECT_DOUBLE_EQ(rate.rate(), 200);
  EXPECT_FALSE(rate.slow_start());
  EXPECT_EQ(rate.decreases(AdaptiveRate::Cause::kThrottled), 1u);
  // More 429s for requests sent before the decrease: the same overshoot.
  EXPECT_FALSE(rate.OnAnswer(t + absl::Milliseconds(5), At(absl::Milliseconds(995)), true,
                             absl::Milliseconds(10)));
  EXPECT_DOUBLE_EQ(rate.rate(), 200);
  // A request sent after it and refused too: a new overshoot.
  EXPECT_TRUE(rate.OnAnswer(t + absl::Milliseconds(20), t + absl::Milliseconds(1), true,
                            absl::Milliseconds(19)));
  EXPECT_DOUBLE_EQ(rate.rate(), 100);
  EXPECT_EQ(rate.decreases(AdaptiveRate::Cause::kThrottled), 2u);
}

TEST(AdaptiveRateTest, GrowsBackToWhereItFellInTheRecoveryTimeThenProbesBeyond) {
  AdaptiveRate rate(Opts(), At(absl::ZeroDuration()));
  rate.Advance(At(absl::Seconds(1)), true);  // 400
  const MonoTime t0 = At(absl::Seconds(1));
  rate.OnAnswer(t0, t0, true, absl::ZeroDuration());  // w_max 400 -> 200
  rate.Advance(t0 + absl::Seconds(1), true);
  // rate = 400 * (1 + 0.5 * ((1 - 2) / 2)^3) = 400 * (1 - 0.0625) = 375
  EXPECT_NEAR(rate.rate(), 375, 1e-9);
  rate.Advance(t0 + absl::Seconds(2), true);
  EXPECT_NEAR(rate.rate(), 400, 1e-9);
  rate.Advance(t0 + absl::Seconds(3), true);
  EXPECT_NEAR(rate.rate(), 425, 1e-9);
  // 3 x w_max at K * (1 + cbrt(4)) = 2 s * 2.587 = 5.17 s after the decrease.
  rate.Advance(t0 + absl::Milliseconds(5175), true);
  EXPECT_GE(rate.rate(), 1200);
  EXPECT_LT(rate.rate(), 1210);
}

TEST(AdaptiveRateTest, SlowAnswersDecreaseGently) {
  AdaptiveRate rate(Opts(), At(absl::ZeroDuration()));
  const MonoTime t = At(absl::Seconds(2));
  EXPECT_FALSE(rate.OnAnswer(t, t - absl::Seconds(1), false, absl::Seconds(1)));  // at target
  EXPECT_TRUE(rate.OnAnswer(t, t - absl::Seconds(1), false, absl::Milliseconds(1001)));
  EXPECT_DOUBLE_EQ(rate.rate(), 90);
  EXPECT_EQ(rate.decreases(AdaptiveRate::Cause::kLatency), 1u);
  // The curve resumes from where the rate sits: no jump on the next advance.
  rate.Advance(t + absl::Milliseconds(1), true);
  EXPECT_NEAR(rate.rate(), 90, 0.1);
}

TEST(AdaptiveRateTest, ThrottledShareCountsEveryAnswerOfTheLastWindow) {
  AdaptiveRate::Options o = Opts();
  o.share_window = absl::Seconds(1);  // 10 buckets of 100 ms
  AdaptiveRate rate(o, At(absl::ZeroDuration()));
  EXPECT_EQ(rate.ThrottledShare(At(absl::ZeroDuration())), 0);
  // 12 answers in [0, 300 ms), 4 of them 429s (2 in the first 100 ms).
  // Answers to requests started before a decrease count too.
  for (int i = 0; i < 12; ++i) {
    const MonoTime t = At(absl::Milliseconds(25 * i));
    rate.OnAnswer(t, t - absl::Milliseconds(5), /*throttled=*/i % 4 == 0 || i == 1,
                  absl::Milliseconds(5));
  }
  EXPECT_DOUBLE_EQ(rate.ThrottledShare(At(absl::Milliseconds(300))), 4.0 / 12.0);
  EXPECT_DOUBLE_EQ(rate.ThrottledShare(At(absl::Milliseconds(999))), 4.0 / 12.0);
  // The bucket [0, 100 ms) leaves the window at 1 s: 4 answers, 2 of them 429s.
  EXPECT_DOUBLE_EQ(rate.ThrottledShare(At(absl::Milliseconds(1000))), 2.0 / 8.0);
  EXPECT_DOUBLE_EQ(rate.ThrottledShare(At(absl::Milliseconds(1200))), 0);
}

TEST(AdaptiveRateTest, ALowShareNeverPausesAHighShareScalesTheRetryAfter) {
  AdaptiveRate::Options o = Opts();
  o.pause_share = 0.5;
  AdaptiveRate rate(o, At(absl::ZeroDuration()));
  const MonoTime t = At(absl::Milliseconds(10));
  // 1 429 in 10 answers: the refused request waits, nobody else.
  for (int i = 0; i < 10; ++i) rate.OnAnswer(t, t, i == 0, absl::Milliseconds(1));
  EXPECT_EQ(rate.PauseFor(t, absl::Seconds(12)), absl::ZeroDuration());
  // 10 more 429s: 11 of 20, a share of 0.55 -> 0.55 x Retry-After.
  for (int i = 0; i < 10; ++i) rate.OnAnswer(t, t, true, absl::Milliseconds(1));
  EXPECT_NEAR(absl::ToDoubleMilliseconds(rate.PauseFor(t, absl::Seconds(4))), 2200, 1e-6);
  // A server that refuses everything gets its whole Retry-After.
  AdaptiveRate refused(o, At(absl::ZeroDuration()));
  for (int i = 0; i < 3; ++i) refused.OnAnswer(t, t, true, absl::Milliseconds(1));
  EXPECT_EQ(refused.PauseFor(t, absl::Seconds(8)), absl::Seconds(8));
}

TEST(AdaptiveRateTest, TheCutOnA429ScalesWithTheThrottledShare) {
  AdaptiveRate::Options o = Opts();  // decrease_factor 0.5
  o.pause_share = 0.5;
  const MonoTime t = At(absl::Milliseconds(100));
  // A lone 429 among 30 answers (share 1/30): a third of the cut, x (1 - 0.5 / 3).
  AdaptiveRate lone(o, At(absl::ZeroDuration()));
  for (int i = 0; i < 29; ++i) lone.OnAnswer(t, t, false, absl::Milliseconds(1));
  EXPECT_TRUE(lone.OnAnswer(t, t, true, absl::Milliseconds(1)));
  EXPECT_DOUBLE_EQ(lone.rate(), 100 * (1 - 0.5 / 3));
  // A share of 0.25, half of pause_share: half the cut, x 0.75.
  AdaptiveRate half(o, At(absl::ZeroDuration()));
  for (int i = 0; i < 3; ++i) half.OnAnswer(t, t, false, absl::Milliseconds(1));
  EXPECT_TRUE(half.OnAnswer(t, t, true, absl::Milliseconds(1)));
  EXPECT_DOUBLE_EQ(half.rate(), 75);
  // From pause_share on, the whole cut: x 0.5.
  AdaptiveRate full(o, At(absl::ZeroDuration()));
  full.OnAnswer(t, t, false, absl::Milliseconds(1));
  EXPECT_TRUE(full.OnAnswer(t, t, true, absl::Milliseconds(1)));
  EXPECT_DOUBLE_EQ(full.rate(), 50);
}

}  // namespace
}  // namespace sluice
