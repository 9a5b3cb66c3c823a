#include "scheduler/engine/pool.h"

#include "gtest/gtest.h"

namespace sluice {
namespace {

MonoTime At(absl::Duration d) { return MonoTime::Zero() + d; }
const absl::Time kWall = absl::FromUnixSeconds(1'700'000'000);

class PoolTrackerTest : public ::testing::Test {
 protected:
  PoolTrackerTest() : pool_(Config(), &timers_) {}
  static PoolConfig Config() {
    PoolConfig c;
    c.name = "spot-a";
    c.pool_class = PoolClass::kSpot;
    c.max_vcpu = *Quantity::Parse("4");
    c.max_pods = 3;
    return c;
  }
  PoolTimers timers_;
  PoolTracker pool_;
};

TEST_F(PoolTrackerTest, StartsAvailable) {
  EXPECT_EQ(pool_.State(At(absl::ZeroDuration())), PoolStateKind::kAvailable);
  EXPECT_TRUE(pool_.StateEnds().is_infinite());
}

TEST_F(PoolTrackerTest, StockOutLastsTheTtlExactly) {
  pool_.MarkStockOut(At(absl::Seconds(10)), kWall, "NoStock", "no stock in zone a");
  EXPECT_EQ(pool_.State(At(absl::Seconds(10) + absl::Minutes(3) - absl::Nanoseconds(1))),
            PoolStateKind::kUnavailable);
  EXPECT_EQ(pool_.State(At(absl::Seconds(10) + absl::Minutes(3))), PoolStateKind::kAvailable);
  ASSERT_EQ(pool_.recent_failures().size(), 1u);
  EXPECT_EQ(pool_.recent_failures()[0].reason, "NoStock");
  EXPECT_EQ(pool_.stockouts(), 1u);
}

TEST_F(PoolTrackerTest, ReMarkingResetsTheTtl) {
  pool_.MarkStockOut(At(absl::ZeroDuration()), kWall, "NoStock", "");
  pool_.MarkStockOut(At(absl::Minutes(2)), kWall, "NoStock", "");
  EXPECT_EQ(pool_.State(At(absl::Minutes(4))), PoolStateKind::kUnavailable);
  EXPECT_EQ(pool_.StateEnds(), At(absl::Minutes(5)));
  EXPECT_EQ(pool_.State(At(absl::Minutes(5))), PoolStateKind::kAvailable);
}

TEST_F(PoolTrackerTest, BackoffDoublesToTheCap) {
  // 5 min, 10, 20, 30 (cap), 30.
  const absl::Duration expected[] = {absl::Minutes(5), absl::Minutes(10), absl::Minutes(20),
                                     absl::Minutes(30), absl::Minutes(30)};
  MonoTime now = At(absl::ZeroDuration());
  for (absl::Duration d : expected) {
    pool_.MarkFailure(now, kWall, "ProviderFailed", "");
    EXPECT_EQ(pool_.State(now), PoolStateKind::kBackedOff);
    EXPECT_EQ(pool_.StateEnds(), now + d);
    EXPECT_EQ(pool_.State(now + d - absl::Nanoseconds(1)), PoolStateKind::kBackedOff);
    now = now + d;
    EXPECT_EQ(pool_.State(now), PoolStateKind::kAvailable);
  }
  EXPECT_EQ(pool_.backoffs(), 5u);
}

TEST_F(PoolTrackerTest, NoEscalationWhileABackoffIsActive) {
  pool_.MarkFailure(At(absl::ZeroDuration()), kWall, "ProviderFailed", "");
  pool_.MarkFailure(At(absl::Minutes(1)), kWall, "ProviderFailed", "");
  pool_.MarkFailure(At(absl::Minutes(2)), kWall, "ProviderFailed", "");
  EXPECT_EQ(pool_.StateEnds(), At(absl::Minutes(5)));  // not extended
  EXPECT_EQ(pool_.next_backoff(), absl::Minutes(10));  // not doubled twice more
  EXPECT_EQ(pool_.backoffs(), 1u);
  EXPECT_EQ(pool_.recent_failures().size(), 3u);
}

TEST_F(PoolTrackerTest, BackoffStartsOverAfterAQuietPeriod) {
  pool_.MarkFailure(At(absl::ZeroDuration()), kWall, "ProviderFailed", "");  // 5 min
  pool_.MarkFailure(At(absl::Minutes(6)), kWall, "ProviderFailed", "");      // 10 min
  EXPECT_EQ(pool_.next_backoff(), absl::Minutes(20));
  // 3 h after the last failure, quiet: back to 5 min.
  const MonoTime later = At(absl::Minutes(6) + absl::Hours(3));
  pool_.MarkFailure(later, kWall, "ProviderFailed", "");
  EXPECT_EQ(pool_.StateEnds(), later + absl::Minutes(5));
}

TEST_F(PoolTrackerTest, JustUnderTheQuietPeriodKeepsEscalating) {
  pool_.MarkFailure(At(absl::ZeroDuration()), kWall, "ProviderFailed", "");
  const MonoTime later = At(absl::Hours(3) - absl::Nanoseconds(1));
  pool_.MarkFailure(later, kWall, "ProviderFailed", "");
  EXPECT_EQ(pool_.StateEnds(), later + absl::Minutes(10));
}

TEST_F(PoolTrackerTest, InterruptionDrains) {
  pool_.MarkInterruption(At(absl::ZeroDuration()), kWall, "SpotToBeReleased", "");
  EXPECT_EQ(pool_.State(At(absl::Minutes(1))), PoolStateKind::kDraining);
  EXPECT_EQ(pool_.State(At(absl::Minutes(3))), PoolStateKind::kAvailable);
}

TEST_F(PoolTrackerTest, AFewNoticesInABigPoolDoNotDrainIt) {
  // 100 pods in use, threshold 5%: the fifth notice within a minute drains.
  PoolUsage pod;
  pod.pods = 100;
  pool_.AddUsed(pod);
  for (int i = 0; i < 4; ++i) {
    pool_.MarkInterruption(At(absl::Seconds(10 * i)), kWall, "SpotToBeReleased", "");
    EXPECT_EQ(pool_.State(At(absl::Seconds(10 * i))), PoolStateKind::kAvailable) << i;
  }
  EXPECT_EQ(pool_.interruptions(), 4u);
  // The first notice (at 0 s) leaves the window at exactly 60 s.
  pool_.MarkInterruption(At(absl::Seconds(60)), kWall, "SpotToBeReleased", "");
  EXPECT_EQ(pool_.State(At(absl::Seconds(60))), PoolStateKind::kAvailable);
  pool_.MarkInterruption(At(absl::Seconds(61)), kWall, "SpotToBeReleased", "");
  EXPECT_EQ(pool_.State(At(absl::Seconds(61))), PoolStateKind::kDraining);
  EXPECT_EQ(pool_.StateEnds(), At(absl::Seconds(61) + absl::Minutes(3)));
}

TEST_F(PoolTrackerTest, StockOutOverridesDraining) {
  pool_.MarkInterruption(At(absl::ZeroDuration()), kWall, "SpotToBeReleased", "");
  pool_.MarkStockOut(At(absl::Minutes(1)), kWall, "NoStock", "");
  EXPECT_EQ(pool_.State(At(absl::Minutes(2))), PoolStateKind::kUnavailable);
}

TEST_F(PoolTrackerTest, LimitsCountUsedAndInFlight) {
  PoolUsage pod = PoolUsage::Of(ResourceList{{"cpu", *Quantity::Parse("1500m")}});
  EXPECT_TRUE(pool_.Fits(pod));
  pool_.AddUsed(pod);
  pool_.AddInFlight(pod);
  EXPECT_FALSE(pool_.Fits(pod));  // 4.5 vCPU > 4
  PoolUsage small = PoolUsage::Of(ResourceList{{"cpu", *Quantity::Parse("1")}});
  EXPECT_TRUE(pool_.Fits(small));
  pool_.AddUsed(small);
  EXPECT_FALSE(pool_.Fits(PoolUsage::Of(ResourceList{})));  // 3 pods: the pod limit
  pool_.RemoveInFlight(pod);
  EXPECT_TRUE(pool_.Fits(small));
}

TEST(CandidatePoolsTest, OrderByPolicyThenOrderThenName) {
  PoolTimers timers;
  auto make = [&timers](const char* name, PoolClass c, int order) {
    PoolConfig config;
    config.name = name;
    config.pool_class = c;
    config.order = order;
    return std::make_unique<PoolTracker>(config, &timers);
  };
  auto od_b = make("od-b", PoolClass::kOnDemand, 1);
  auto od_a = make("od-a", PoolClass::kOnDemand, 1);
  auto spot_2 = make("spot-2", PoolClass::kSpot, 2);
  auto spot_1 = make("spot-1", PoolClass::kSpot, 1);
  std::vector<PoolTracker*> all = {od_b.get(), od_a.get(), spot_2.get(), spot_1.get()};
  auto names = [](const std::vector<PoolTracker*>& pools) {
    std::string out;
    for (auto* p : pools) out += p->name() + " ";
    return out;
  };
  EXPECT_EQ(names(CandidatePools(all, CapacityPolicy::kSpotPreferred, {}, {})),
            "spot-1 spot-2 od-a od-b ");
  EXPECT_EQ(names(CandidatePools(all, CapacityPolicy::kOnDemand, {}, {})), "od-a od-b ");
  EXPECT_EQ(names(CandidatePools(all, CapacityPolicy::kSpotOnly, {}, {})), "spot-1 spot-2 ");
  EXPECT_EQ(names(CandidatePools(all, CapacityPolicy::kSpotPreferred, {"spot-2", "od-b"}, {})),
            "spot-2 od-b ");
  EXPECT_EQ(names(CandidatePools(all, CapacityPolicy::kSpotPreferred, {}, {"spot-1"})),
            "spot-2 od-a od-b ");
}

}  // namespace
}  // namespace sluice
