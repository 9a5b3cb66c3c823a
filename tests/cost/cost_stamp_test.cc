#include "scheduler/cost/cost_stamp.h"

#include "gtest/gtest.h"

namespace sluice::cost {
namespace {

TEST(CostStamp, RoundTrip) {
  LabelList stamp = CostStampLabels("wf-1", "argo", {{"team", "a"}, {"example.com/cc", "x"}},
                                    *ResourceList::Parse("cpu=250m,memory=64Mi"));
  EXPECT_EQ(stamp, (LabelList{{"sluice.dev/workflow-name", "wf-1"},
                              {"sluice.dev/workflow-namespace", "argo"},
                              {"sluice.dev/billed-vcpu-milli", "250"},
                              {"sluice.dev/billed-memory-bytes", "67108864"},
                              {"sluice.dev/billed-gpu-milli", "0"},
                              {"cost.sluice.dev/team", "a"}}));
  stamp.emplace_back("sluice.dev/workflow", "uid-1");
  stamp.emplace_back("cost-center", "cc-9");
  stamp.emplace_back("ignored", "x");
  StampedFacts facts = ReadCostStamp(stamp, {"cost-center", "team"});
  EXPECT_EQ(facts.workflow_uid, "uid-1");
  EXPECT_EQ(facts.workflow_name, "wf-1");
  EXPECT_EQ(facts.workflow_namespace, "argo");
  EXPECT_EQ(facts.billed, (BilledResources{250, 67'108'864, 0}));
  EXPECT_EQ(facts.cost_labels, (LabelList{{"cost-center", "cc-9"}, {"team", "a"}}));
}

TEST(CostStamp, PodLabelWinsAndLongNamesAreLeftOut) {
  const std::string long_name(64, 'a');
  LabelList stamp = CostStampLabels(long_name, "argo", {{"team", "intent"}}, ResourceList());
  EXPECT_EQ(stamp.front().first, "sluice.dev/workflow-namespace");
  stamp.emplace_back("team", "pod");
  EXPECT_EQ(ReadCostStamp(stamp, {"team"}).cost_labels, (LabelList{{"team", "pod"}}));
}

}  // namespace
}  // namespace sluice::cost
