#include "scheduler/cost/billing.h"

#include <limits>

#include "gtest/gtest.h"

namespace sluice::cost {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

BillingRule Rule(int64_t granularity, int64_t minimum) {
  BillingRule r;
  r.granularity_seconds = granularity;
  r.minimum_seconds = minimum;
  return r;
}

TEST(BilledSeconds, RoundsUpToSecondsThenGranularityThenMinimum) {
  EXPECT_EQ(BilledSeconds(kT0, kT0 + absl::Milliseconds(200), Rule(1, 0)), 1);
  EXPECT_EQ(BilledSeconds(kT0, kT0 + absl::Seconds(1), Rule(1, 0)), 1);
  EXPECT_EQ(BilledSeconds(kT0, kT0 + absl::Seconds(1) + absl::Nanoseconds(1), Rule(1, 0)), 2);
  EXPECT_EQ(BilledSeconds(kT0, kT0 + absl::Seconds(60), Rule(60, 0)), 60);
  EXPECT_EQ(BilledSeconds(kT0, kT0 + absl::Seconds(61), Rule(60, 0)), 120);
  EXPECT_EQ(BilledSeconds(kT0, kT0 + absl::Seconds(5), Rule(1, 60)), 60);
  EXPECT_EQ(BilledSeconds(kT0, kT0 + absl::Seconds(61), Rule(1, 60)), 61);
  EXPECT_EQ(BilledSeconds(kT0, kT0, Rule(1, 0)), 0);
  EXPECT_EQ(BilledSeconds(kT0, kT0 - absl::Seconds(3), Rule(1, 0)), 0);
  EXPECT_EQ(BilledSeconds(kT0, kT0, Rule(1, 60)), 60);
}

TEST(BillingStartTime, PerRule) {
  PodTimes times;
  times.created = kT0;
  times.scheduled = kT0 + absl::Seconds(1);
  EXPECT_EQ(BillingStartTime(BillingStart::kCreation, times), kT0);
  EXPECT_EQ(BillingStartTime(BillingStart::kScheduled, times), kT0 + absl::Seconds(1));
  EXPECT_EQ(BillingStartTime(BillingStart::kRunning, times), std::nullopt);
  times.first_container_start = kT0 + absl::Seconds(3);
  EXPECT_EQ(BillingStartTime(BillingStart::kRunning, times), kT0 + absl::Seconds(3));
}

TEST(BilledResources, FromRequests) {
  ResourceList requests = *ResourceList::Parse("cpu=500m,memory=1Gi,nvidia.com/gpu=1");
  BilledResources b = BilledResources::Of(requests);
  EXPECT_EQ(b.vcpu_milli, 500);
  EXPECT_EQ(b.memory_bytes, 1'073'741'824);
  EXPECT_EQ(b.gpu_milli, 1000);
  // Memory is billed in whole bytes, rounded up.
  EXPECT_EQ(BilledResources::Of(*ResourceList::Parse("memory=1500m")).memory_bytes, 2);
  EXPECT_EQ(BilledResources::Of(ResourceList()), BilledResources());
}

TEST(CostNano, ExactValues) {
  BillingRule rule;
  rule.price_vcpu_nano_hour = 40'800'000;  // 0.0408 per vCPU-hour
  rule.price_gib_nano_hour = 4'500'000;    // 0.0045 per GiB-hour
  rule.price_gpu_nano_hour = 2'500'000'000;
  EXPECT_EQ(*CostNano({1000, 0, 0}, rule, 3600), 40'800'000);
  // 40,800,000 / 3600 = 11,333.33...: rounded up.
  EXPECT_EQ(*CostNano({1000, 0, 0}, rule, 1), 11'334);
  EXPECT_EQ(*CostNano({0, int64_t{1} << 30, 0}, rule, 3600), 4'500'000);
  EXPECT_EQ(*CostNano({0, int64_t{512} << 20, 0}, rule, 3600), 2'250'000);
  // 2.5e9 / 60 = 41,666,666.67
  EXPECT_EQ(*CostNano({0, 0, 1000}, rule, 60), 41'666'667);
  EXPECT_EQ(*CostNano({1000, 0, 0}, rule, 0), 0);
  BillingRule mixed;
  mixed.price_vcpu_nano_hour = 40'000'000;
  mixed.price_gib_nano_hour = 4'000'000;
  // (0.5 * 0.04 + 1.5 * 0.004) per hour for 10 s = 26e6 * 10 / 3600 = 72,222.2
  EXPECT_EQ(*CostNano({500, int64_t{3} << 29, 0}, mixed, 10), 72'223);
}

TEST(CostNano, OverflowIsAnError) {
  BillingRule rule;
  rule.price_vcpu_nano_hour = 1'000'000'000'000'000;
  const int64_t big = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(CostNano({big, 0, 0}, rule, big).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(CostNano({-1, 0, 0}, rule, 1).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sluice::cost
