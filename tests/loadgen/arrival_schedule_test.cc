#include "tools/loadgen/arrival_schedule.h"

#include "gtest/gtest.h"

namespace sluice::loadgen {
namespace {

WorkloadPlan Plan(std::vector<WorkflowShape> shapes) {
  WorkloadPlan::Options o;
  o.shapes = std::move(shapes);
  return WorkloadPlan::Make(o);
}

TEST(ArrivalScheduleTest, AllAtZeroComeAtOnceInPlanOrder) {
  WorkloadPlan plan = Plan({{2, "a", 0, 0}, {3, "a", 0, 0}});
  ArrivalSchedule s(plan);
  EXPECT_FALSE(s.done());
  EXPECT_EQ(s.TakeDue(absl::ZeroDuration()), (std::vector<uint32_t>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(s.done());
  EXPECT_FALSE(s.next_arrival().has_value());
  EXPECT_TRUE(s.TakeDue(absl::Seconds(100)).empty());
}

TEST(ArrivalScheduleTest, WorkflowsComeAtTheirArrivalTimeExactBoundaries) {
  // Plan order is not arrival order: the schedule sorts, ties keep plan order.
  WorkloadPlan plan = Plan({{1, "a", 2.0, 0}, {2, "a", 0.5, 0}, {1, "a", 0.5, 0}});
  ArrivalSchedule s(plan);
  EXPECT_EQ(*s.next_arrival(), absl::Milliseconds(500));
  EXPECT_TRUE(s.TakeDue(absl::Milliseconds(499)).empty());
  // Workflow 1 (pods 1, 2) then workflow 2 (pod 3).
  EXPECT_EQ(s.TakeDue(absl::Milliseconds(500)), (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(*s.next_arrival(), absl::Seconds(2));
  EXPECT_TRUE(s.TakeDue(absl::Milliseconds(1999)).empty());
  EXPECT_EQ(s.TakeDue(absl::Seconds(2)), (std::vector<uint32_t>{0}));
  EXPECT_TRUE(s.done());
}

TEST(ArrivalScheduleTest, LateCallTakesEverythingDue) {
  WorkloadPlan plan = Plan({{1, "a", 1, 0}, {1, "a", 2, 0}, {1, "a", 3, 0}});
  ArrivalSchedule s(plan);
  EXPECT_EQ(s.TakeDue(absl::Milliseconds(2500)), (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(*s.next_arrival(), absl::Seconds(3));
}

TEST(ArrivalScheduleTest, PlainPlanArrivesAtZero) {
  WorkloadPlan::Options o;
  o.workflows = 3;
  o.pods_per_workflow = 2;
  WorkloadPlan plan = WorkloadPlan::Make(o);
  ArrivalSchedule s(plan);
  EXPECT_EQ(s.TakeDue(absl::ZeroDuration()).size(), 6u);
  EXPECT_TRUE(s.done());
}

}  // namespace
}  // namespace sluice::loadgen
