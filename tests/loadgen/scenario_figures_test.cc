#include "tools/loadgen/scenario_figures.h"

#include "gtest/gtest.h"

namespace sluice::loadgen {
namespace {

// Samples every 0.25 s with kubesim creates growing at `rate(t)`.
std::vector<TimelineSample> Samples(double seconds, double (*rate)(double)) {
  std::vector<TimelineSample> out;
  double creates = 0;
  for (double t = 0; t <= seconds + 1e-9; t += 0.25) {
    TimelineSample s;
    s.t_seconds = t;
    s.kube_creates = static_cast<int64_t>(creates);
    out.push_back(s);
    creates += rate(t) * 0.25;
  }
  return out;
}

TEST(LimitFiguresTest, ExactlyAtTheLimitConvergesAtOnce) {
  auto samples = Samples(20, [](double t) { return t < 10 ? 100.0 : 50.0; });
  LimitFigures f = ComputeLimitFigures(samples, {{0, 100}, {10, 50}});
  ASSERT_EQ(f.convergence_seconds.size(), 2u);
  EXPECT_NEAR(f.convergence_seconds[0], 0, 1e-9);
  EXPECT_NEAR(f.convergence_seconds[1], 0, 1e-9);
  ASSERT_TRUE(f.limit_utilization.has_value());
  EXPECT_NEAR(*f.limit_utilization, 1.0, 0.02);
  EXPECT_TRUE(f.converged_everywhere);
}

TEST(LimitFiguresTest, SlowRampConvergesLate) {
  // 50/s for 3 s, then at the limit of 100.
  auto samples = Samples(10, [](double t) { return t < 3 ? 50.0 : 100.0; });
  LimitFigures f = ComputeLimitFigures(samples, {{0, 100}});
  ASSERT_EQ(f.convergence_seconds.size(), 1u);
  // A 1-s window [w, w+1] reaches 90/s when 0.8 of it is after 3 s.
  EXPECT_NEAR(f.convergence_seconds[0], 2.8, 0.06);
}

TEST(LimitFiguresTest, NeverReachingTheLimitCountsTheWholeStep) {
  auto samples = Samples(10, [](double) { return 50.0; });
  LimitFigures f = ComputeLimitFigures(samples, {{0, 100}});
  EXPECT_FALSE(f.converged_everywhere);
  EXPECT_NEAR(f.convergence_seconds[0], 10, 1e-9);
  EXPECT_FALSE(f.limit_utilization.has_value());
}

TEST(SampledJainTest, MeanAndMinOverSamplesThatHaveOne) {
  std::vector<TimelineSample> s(3);
  s[0].jain = 1.0;
  s[2].jain = 0.5;
  SampledJain j = MeanSampledJain(s);
  EXPECT_EQ(j.samples, 2);
  EXPECT_DOUBLE_EQ(*j.mean, 0.75);
  EXPECT_DOUBLE_EQ(*j.min, 0.5);
  EXPECT_FALSE(MeanSampledJain({}).mean.has_value());
}

TEST(SmallFirstCreateTest, RatioAgainstTwiceActiveOverRate) {
  WorkloadPlan::Options o;
  o.shapes = {{100, "a", 0, 0}, {2, "a", 0, 0}};
  WorkloadPlan plan = WorkloadPlan::Make(o);
  std::vector<PodRecord> records(plan.pod_count());
  const MonoTime t0 = MonoTime::FromNanos(1'000'000'000);
  for (uint32_t p = 0; p < records.size(); ++p) {
    records[p].first_sent = t0;
    records[p].created = true;
    records[p].created_at = t0 + absl::Seconds(10);  // the big one finishes at 10 s
  }
  // The small workflow's first pod 30 ms after its arrival; 2 active at 100/s:
  // bound 2 x 2 / 100 = 40 ms.
  records[100].created_at = t0 + absl::Milliseconds(30);
  records[101].created_at = t0 + absl::Milliseconds(50);
  records[100].sluiced_submit_to_create_ms = 20;
  std::optional<double> r = SmallFirstCreateWorstRatio(plan, records, 100, 10, false);
  ASSERT_TRUE(r.has_value());
  EXPECT_NEAR(*r, 0.75, 1e-9);
  std::optional<double> sluiced = SmallFirstCreateWorstRatio(plan, records, 100, 10, true);
  EXPECT_NEAR(*sluiced, 0.5, 1e-9);
}

TEST(SmallFirstCreateTest, EverySmallWorkflowWithItsBoundAndActiveCount) {
  WorkloadPlan::Options o;
  o.shapes = {{100, "a", 0, 0}, {2, "a", 0, 0}, {1, "a", 0, 0}};
  WorkloadPlan plan = WorkloadPlan::Make(o);
  std::vector<PodRecord> records(plan.pod_count());
  const MonoTime t0 = MonoTime::FromNanos(1'000'000'000);
  for (uint32_t p = 0; p < records.size(); ++p) {
    records[p].first_sent = t0;
    records[p].created = true;
    records[p].created_at = t0 + absl::Seconds(10);
  }
  // The 2-pod workflow is done at 50 ms; the 1-pod one arrives at 60 ms,
  // when only the big one and itself are active.
  records[100].created_at = t0 + absl::Milliseconds(30);
  records[101].created_at = t0 + absl::Milliseconds(50);
  records[102].first_sent = t0 + absl::Milliseconds(60);
  records[102].created_at = t0 + absl::Milliseconds(140);
  std::vector<SmallFirstCreate> s = SmallFirstCreates(plan, records, 100, 10, false);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].workflow, 1u);
  EXPECT_EQ(s[0].active, 2);  // the 1-pod workflow had not arrived yet
  EXPECT_NEAR(s[0].bound_seconds, 0.04, 1e-12);
  EXPECT_NEAR(s[0].ratio(), 0.75, 1e-9);
  EXPECT_EQ(s[1].workflow, 2u);
  EXPECT_EQ(s[1].active, 2);
  EXPECT_NEAR(s[1].delay_seconds, 0.08, 1e-12);
  EXPECT_NEAR(s[1].ratio(), 2.0, 1e-9);
  EXPECT_NEAR(*SmallFirstCreateWorstRatio(plan, records, 100, 10, false), 2.0, 1e-9);
}

TEST(WorkflowCompletionTest, LastCreateOrNegativeWhenUnfinished) {
  WorkloadPlan::Options o;
  o.shapes = {{2, "a", 0, 0}, {1, "a", 0, 0}};
  WorkloadPlan plan = WorkloadPlan::Make(o);
  std::vector<PodRecord> records(3);
  const MonoTime t0 = MonoTime::FromNanos(5'000'000'000);
  records[0].created = records[1].created = true;
  records[0].created_at = t0 + absl::Seconds(1);
  records[1].created_at = t0 + absl::Seconds(3);
  std::vector<double> c = WorkflowCompletionSeconds(plan, records, t0, false);
  EXPECT_DOUBLE_EQ(c[0], 3);
  EXPECT_LT(c[1], 0);
}

TEST(ApiServerBacklogLogTest, OrderedByKubesimTimeArrivalsAtAcceptance) {
  WorkloadPlan::Options o;
  o.shapes = {{2, "a", 0, 0}, {1, "a", 0, 0}};
  WorkloadPlan plan = WorkloadPlan::Make(o);
  std::vector<PodRecord> records(3);
  const absl::Time wall0 = absl::FromUnixSeconds(1000);
  for (auto& r : records) r.first_sent = MonoTime::FromNanos(1'000'000'000);  // wall 1001 s
  std::vector<std::optional<absl::Time>> created = {wall0 + absl::Milliseconds(1010),
                                                    wall0 + absl::Milliseconds(1030), std::nullopt};
  // Pod 1 was accepted 5 ms before its create: arrives at 1025 ms.
  records[1].sluiced_submit_to_create_ms = 5;
  std::vector<BacklogChange> log = ApiServerBacklogLog(plan, records, created, wall0);
  using K = BacklogChange::Kind;
  ASSERT_EQ(log.size(), 5u);
  // 1000 ms: arrivals of pods 0 and 2; 1010: create of 0; 1025: arrival of 1; 1030: create of 1.
  EXPECT_EQ(log[0].kind, K::kArrival);
  EXPECT_EQ(log[1].kind, K::kArrival);
  EXPECT_EQ(log[2].kind, K::kCreated);
  EXPECT_EQ(log[2].workflow, 0u);
  EXPECT_EQ(log[3].kind, K::kArrival);
  EXPECT_EQ(log[4].kind, K::kCreated);
}

}  // namespace
}  // namespace sluice::loadgen
