#include "tools/loadgen/workload_plan.h"

#include <regex>

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"

namespace sluice::loadgen {
namespace {

WorkloadPlan::Options Options(uint32_t workflows, uint32_t pods, uint64_t seed) {
  WorkloadPlan::Options o;
  o.workflows = workflows;
  o.pods_per_workflow = pods;
  o.seed = seed;
  return o;
}

TEST(Fnv32aTest, KnownValues) {
  EXPECT_EQ(Fnv32a(""), 2166136261u);
  EXPECT_EQ(Fnv32a("a"), 0xe40c292cu);
  EXPECT_EQ(Fnv32a("foobar"), 0xbf9cf968u);
}

TEST(WorkloadPlanTest, SameSeedSameNamesOtherSeedOtherNames) {
  WorkloadPlan a = WorkloadPlan::Make(Options(3, 4, 42));
  WorkloadPlan b = WorkloadPlan::Make(Options(3, 4, 42));
  WorkloadPlan c = WorkloadPlan::Make(Options(3, 4, 43));
  ASSERT_EQ(a.pod_count(), 12u);
  for (uint32_t p = 0; p < a.pod_count(); ++p) EXPECT_EQ(a.Key(p), b.Key(p));
  EXPECT_EQ(a.run_id(), b.run_id());
  EXPECT_NE(a.workflows()[0].name, c.workflows()[0].name);
  EXPECT_NE(a.run_id(), c.run_id());
}

TEST(WorkloadPlanTest, PodsAreWorkflowMajorWithArgoStyleNames) {
  WorkloadPlan plan = WorkloadPlan::Make(Options(2, 3, 7));
  const std::regex workflow_name("fanout-[a-z0-9]{5}");
  const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (const WorkflowSpec& wf : plan.workflows()) {
    EXPECT_TRUE(std::regex_match(wf.name, workflow_name)) << wf.name;
    EXPECT_TRUE(std::regex_match(wf.uid, uuid)) << wf.uid;
    EXPECT_EQ(wf.namespace_, "argo");
  }
  for (uint32_t p = 0; p < plan.pod_count(); ++p) {
    const PodSpec& pod = plan.pods()[p];
    EXPECT_EQ(pod.workflow, p / 3);
    EXPECT_EQ(pod.step, p % 3);
    const std::string& wf = plan.workflows()[pod.workflow].name;
    EXPECT_TRUE(std::regex_match(pod.name, std::regex(wf + "-[0-9]+"))) << pod.name;
    EXPECT_EQ(plan.FindPod("argo", pod.name), p);
  }
  EXPECT_FALSE(plan.FindPod("other", plan.pods()[0].name).has_value());
  EXPECT_EQ(plan.FindWorkflow(plan.workflows()[1].uid), 1u);
  EXPECT_FALSE(plan.FindWorkflow("nope").has_value());
}

TEST(WorkloadPlanTest, LargePlansHaveUniqueKeysAndSpreadNamespaces) {
  WorkloadPlan::Options o = Options(500, 100, 1);
  o.namespaces = 3;
  o.namespace_prefix = "team";
  WorkloadPlan plan = WorkloadPlan::Make(o);
  absl::flat_hash_set<std::string> keys;
  for (uint32_t p = 0; p < plan.pod_count(); ++p) EXPECT_TRUE(keys.insert(plan.Key(p)).second);
  EXPECT_EQ(keys.size(), 50'000u);
  EXPECT_EQ(plan.workflows()[0].namespace_, "team");
  EXPECT_EQ(plan.workflows()[1].namespace_, "team-1");
  EXPECT_EQ(plan.workflows()[2].namespace_, "team-2");
  EXPECT_EQ(plan.workflows()[3].namespace_, "team");
}

}  // namespace
}  // namespace sluice::loadgen
