#include "tools/kubesim/throttle.h"

#include "gtest/gtest.h"

namespace sluice::kubesim {
namespace {

using Kind = Throttle::Decision::Kind;

class ThrottleTest : public ::testing::Test {
 protected:
  Kind Try(Throttle& t) { return t.TryAdmit(clock_.MonoNow()).kind; }
  SimulatedClock clock_;
};

TEST_F(ThrottleTest, UnlimitedAdmitsEverything) {
  Throttle t(clock_, ThrottleLimits{});
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(Try(t), Kind::kAdmitted);
  EXPECT_EQ(t.inflight(), 1000);
}

TEST_F(ThrottleTest, TokenBucketExactBoundaries) {
  Throttle t(clock_, ThrottleLimits{10, 5, 0});
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Try(t), Kind::kAdmitted) << i;
    t.Release();
  }
  EXPECT_EQ(Try(t), Kind::kRejected);
  clock_.Advance(absl::Milliseconds(99));
  EXPECT_EQ(Try(t), Kind::kRejected);
  clock_.Advance(absl::Milliseconds(1));  // 100 ms = one token at 10/s
  EXPECT_EQ(Try(t), Kind::kAdmitted);
  EXPECT_EQ(Try(t), Kind::kRejected);
  // Tokens never exceed the burst.
  clock_.Advance(absl::Seconds(10));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Try(t), Kind::kAdmitted);
  EXPECT_EQ(Try(t), Kind::kRejected);
}

TEST_F(ThrottleTest, BurstDefaultsToCeilQps) {
  Throttle t(clock_, ThrottleLimits{2.5, 0, 0});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Try(t), Kind::kAdmitted);
  EXPECT_EQ(Try(t), Kind::kRejected);
}

TEST_F(ThrottleTest, SeatsLimitConcurrency) {
  Throttle t(clock_, ThrottleLimits{0, 0, 2});
  EXPECT_EQ(Try(t), Kind::kAdmitted);
  EXPECT_EQ(Try(t), Kind::kAdmitted);
  EXPECT_EQ(Try(t), Kind::kRejected);
  t.Release();
  EXPECT_EQ(Try(t), Kind::kAdmitted);
  EXPECT_EQ(t.inflight(), 2);
}

TEST_F(ThrottleTest, QueuedRequestsAreToldHowLongToWait) {
  Throttle t(clock_, ThrottleLimits{10, 1, 0});
  EXPECT_EQ(Try(t), Kind::kAdmitted);
  Throttle::Decision d = t.TryAdmit(clock_.MonoNow() + absl::Milliseconds(500));
  EXPECT_EQ(d.kind, Kind::kWait);
  EXPECT_EQ(d.wait, absl::Milliseconds(100));
  clock_.Advance(d.wait);
  EXPECT_EQ(t.TryAdmit(clock_.MonoNow() + absl::Milliseconds(400)).kind, Kind::kAdmitted);
  // A wait beyond the give-up time is a rejection.
  d = t.TryAdmit(clock_.MonoNow() + absl::Milliseconds(99));
  EXPECT_EQ(d.kind, Kind::kRejected);
}

TEST_F(ThrottleTest, RetryAfterGrowsUnderSustainedRejection) {
  Throttle t(clock_, ThrottleLimits{1, 1, 0});
  std::vector<int64_t> retry_after;
  for (int second = 0; second < 8; ++second) {
    for (int i = 0; i < 20; ++i) {
      Throttle::Decision d = t.TryAdmit(clock_.MonoNow());
      if (d.kind == Kind::kRejected) retry_after.push_back(d.retry_after_s);
    }
    clock_.Advance(absl::Seconds(1));
  }
  ASSERT_FALSE(retry_after.empty());
  EXPECT_EQ(retry_after.front(), 1);
  // 19 drops a second: 2 at t=1 s, 4 at t=3 s, 8 at t=7 s (see RetryAfterTracker).
  EXPECT_EQ(retry_after.back(), 8);
  EXPECT_EQ(t.retry_after(), 8);
}

TEST_F(ThrottleTest, LimitsChangeWhileRunning) {
  Throttle t(clock_, ThrottleLimits{1, 1, 0});
  EXPECT_EQ(Try(t), Kind::kAdmitted);
  EXPECT_EQ(Try(t), Kind::kRejected);
  t.SetLimits(ThrottleLimits{100, 10, 0});
  clock_.Advance(absl::Milliseconds(10));  // one token at 100/s
  EXPECT_EQ(Try(t), Kind::kAdmitted);
  EXPECT_EQ(t.limits().mutating_qps, 100);
  t.SetLimits(ThrottleLimits{});
  EXPECT_EQ(Try(t), Kind::kAdmitted);
}

TEST_F(ThrottleTest, QpsSchedule) {
  auto schedule = ParseQpsSchedule("0s=300, 20s=150,40=400");
  ASSERT_TRUE(schedule.ok());
  ASSERT_EQ(schedule->size(), 3u);
  EXPECT_EQ((*schedule)[2].at, absl::Seconds(40));
  Throttle t(clock_, ThrottleLimits{0, 0, 0}, *schedule);
  EXPECT_EQ(t.limits().mutating_qps, 300);
  clock_.Advance(absl::Seconds(19) + absl::Milliseconds(999));
  EXPECT_EQ(t.limits().mutating_qps, 300);
  clock_.Advance(absl::Milliseconds(1));
  EXPECT_EQ(t.limits().mutating_qps, 150);
  clock_.Advance(absl::Seconds(20));
  EXPECT_EQ(t.limits().mutating_qps, 400);
  EXPECT_FALSE(ParseQpsSchedule("0s=abc").ok());
  EXPECT_FALSE(ParseQpsSchedule("soon=3").ok());
  EXPECT_TRUE(ParseQpsSchedule("")->empty());
}

}  // namespace
}  // namespace sluice::kubesim
