// The cost scenario's independent recomputation and its comparison with the
// ledger's views.
#include "tools/loadgen/cost_figures.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sluice::loadgen {
namespace {

using ::testing::HasSubstr;

const CostPoolRule kSpot{"spot", "running", 1, 60, 8'600'000, 1'100'000};
const CostPoolRule kOnDemand{"on-demand", "creation", 1, 0, 43'000'000, 5'400'000};

absl::Time At(double seconds) {
  return absl::FromUnixMillis(1796205600000) + absl::Seconds(seconds);
}

HistoryPod Pod(std::string uid, std::string pool, double created, double started, double finished) {
  HistoryPod p;
  p.namespace_ = "argo";
  p.name = uid;
  p.uid = std::move(uid);
  p.pool = std::move(pool);
  p.created = At(created);
  p.scheduled = At(created + 0.1);
  p.started = At(started);
  p.finished = At(finished);
  p.cpu_milli = 1010;
  p.memory_milli = int64_t{576} * 1024 * 1024 * 1000;
  return p;
}

TEST(CostFiguresTest, OnDemandBillsWholeSecondsFromCreation) {
  // Created 10.9 -> second 10; finished 12.2 -> second 12: 2 s.
  std::optional<ExpectedCost> c =
      ExpectedAttemptCost(Pod("u", "on-demand", 10.9, 11.5, 12.2), kOnDemand);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->billed_seconds, 2);
  // ceil(2 * (1.01 * 0.043 + 0.5625 * 0.0054) / 3600 * 1e9) = ceil(25815.27...) = 25816.
  EXPECT_EQ(c->cost_nano, 25816);
}

TEST(CostFiguresTest, CreationBillsFromTheObjectsCreationTimestamp) {
  // Admitted in second 10 (metadata.creationTimestamp), committed at 11.02,
  // finished at 12.2: the ledger bills 2 s, from second 10, not 1 s from 11.
  HistoryPod pod = Pod("u", "on-demand", 11.02, 11.5, 12.2);
  pod.creation_timestamp = At(10);
  std::optional<ExpectedCost> c = ExpectedAttemptCost(pod, kOnDemand);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->billed_seconds, 2);
  // Without it (an older kubesim), the commit time is all there is.
  pod.creation_timestamp.reset();
  c = ExpectedAttemptCost(pod, kOnDemand);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->billed_seconds, 1);
}

TEST(CostFiguresTest, SpotBillsFromTheStartWithAMinimum) {
  std::optional<ExpectedCost> c = ExpectedAttemptCost(Pod("u", "spot", 0, 1.2, 2.4), kSpot);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->billed_seconds, 60);
  // ceil(60 * (1.01 * 0.0086 + 0.5625 * 0.0011) / 3600 * 1e9) = ceil(155079.1666...) = 155080.
  EXPECT_EQ(c->cost_nano, 155080);
  HistoryPod never = Pod("v", "spot", 0, 0, 3);
  never.started.reset();
  c = ExpectedAttemptCost(never, kSpot);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->billed_seconds, 0);
  EXPECT_EQ(c->cost_nano, 0);
}

TEST(CostFiguresTest, GranularityRoundsUpAndUnfinishedIsUnchecked) {
  CostPoolRule minute = kOnDemand;
  minute.granularity_seconds = 60;
  std::optional<ExpectedCost> c = ExpectedAttemptCost(Pod("u", "on-demand", 0, 1, 61), minute);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->billed_seconds, 120);
  HistoryPod running = Pod("v", "on-demand", 0, 1, 2);
  running.finished.reset();
  EXPECT_FALSE(ExpectedAttemptCost(running, kOnDemand).has_value());
}

v1::CostAttempt Row(const std::string& uid, int64_t seconds, int64_t nano) {
  v1::CostAttempt a;
  a.set_pod_uid(uid);
  a.set_billed_seconds(seconds);
  a.set_cost_nano(nano);
  a.set_end_reason("succeeded");
  return a;
}

TEST(CostFiguresTest, ComparesRowsAndSums) {
  const std::vector<HistoryPod> history = {Pod("u1", "on-demand", 10.9, 11.5, 12.2),
                                           Pod("u2", "spot", 0, 1.2, 2.4)};
  v1::GetCostResponse by_pod;
  *by_pod.add_attempts() = Row("u1", 2, 25816);
  *by_pod.add_attempts() = Row("u2", 60, 155080);
  by_pod.add_totals()->set_cost_nano(25816 + 155080);
  v1::GetCostResponse by_team;
  by_team.add_groups()->set_key("a");
  by_team.mutable_groups(0)->set_cost_nano(25816);
  by_team.add_groups()->set_key("b");
  by_team.mutable_groups(1)->set_cost_nano(155080);
  v1::GetCostResponse by_workflow;
  by_workflow.add_groups()->set_workflow_name("wf");
  by_workflow.mutable_groups(0)->set_cost_nano(25816 + 155080);

  CostFigures f = CheckCost(history, {kSpot, kOnDemand}, by_pod, by_team, by_workflow);
  EXPECT_EQ(f.checked_pods, 2u);
  EXPECT_EQ(f.mismatches, 0u);
  EXPECT_TRUE(f.sums_ok);
  EXPECT_EQ(f.total_nano, 25816 + 155080);
  ASSERT_EQ(f.by_workflow.size(), 1u);
  EXPECT_EQ(f.by_workflow[0].first, "wf");

  // A nano-unit off, and a missing row, are mismatches; a team sum that
  // misses the total fails the sum check.
  by_pod.mutable_attempts(0)->set_cost_nano(25817);
  by_team.mutable_groups(1)->set_cost_nano(155079);
  f = CheckCost(history, {kSpot, kOnDemand}, by_pod, by_team, by_workflow);
  EXPECT_EQ(f.mismatches, 1u);
  EXPECT_THAT(f.first_mismatch, HasSubstr("recomputed 2 s, 25816 nano"));
  EXPECT_FALSE(f.sums_ok);
  by_pod.mutable_attempts()->RemoveLast();
  f = CheckCost(history, {kSpot, kOnDemand}, by_pod, by_team, by_workflow);
  EXPECT_EQ(f.mismatches, 2u);
}

}  // namespace
}  // namespace sluice::loadgen
