#include "tools/loadgen/pod_manifest.h"

#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "scheduler/common/resource_list.h"
#include "scheduler/server/intake.h"
#include "tools/loadgen/workload_plan.h"

namespace sluice::loadgen {
namespace {

WorkloadPlan Plan() {
  WorkloadPlan::Options o;
  o.workflows = 1;
  o.pods_per_workflow = 3;
  o.seed = 5;
  return WorkloadPlan::Make(o);
}

TEST(ArgoPodManifestTest, IsTheArgoShapeWithLabelsAndOwner) {
  WorkloadPlan plan = Plan();
  const WorkflowSpec& wf = plan.workflows()[0];
  const PodSpec& pod = plan.pods()[1];
  const std::string json = ArgoPodManifest(wf, pod, plan.run_id());
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  ASSERT_FALSE(doc.HasParseError()) << json;
  EXPECT_STREQ(doc["metadata"]["name"].GetString(), pod.name.c_str());
  EXPECT_STREQ(doc["metadata"]["labels"]["workflows.argoproj.io/workflow"].GetString(),
               wf.name.c_str());
  EXPECT_STREQ(doc["metadata"]["labels"]["loadgen/run"].GetString(), plan.run_id().c_str());
  EXPECT_STREQ(doc["metadata"]["ownerReferences"][0]["uid"].GetString(), wf.uid.c_str());
  EXPECT_STREQ(doc["spec"]["initContainers"][0]["name"].GetString(), "init");
  EXPECT_STREQ(doc["spec"]["containers"][0]["name"].GetString(), "wait");
  EXPECT_STREQ(doc["spec"]["containers"][1]["name"].GetString(), "main");
  EXPECT_STREQ(doc["spec"]["containers"][1]["args"][1].GetString(), "1");
}

// Sluice's own intake accepts the manifest and derives Kubernetes' requests.
TEST(ArgoPodManifestTest, SluiceIntakeAcceptsItWithTheDocumentedRequests) {
  WorkloadPlan plan = Plan();
  IntentIntake intake{IntakeLimits{}};
  const char* cpu[] = {"510m", "760m", "1010m"};
  for (uint32_t p = 0; p < 3; ++p) {
    const WorkflowSpec& wf = plan.workflows()[0];
    v1::PodIntent in;
    in.set_namespace_(wf.namespace_);
    in.set_name(plan.pods()[p].name);
    in.mutable_workflow()->set_uid(wf.uid);
    in.set_pod_json(ArgoPodManifest(wf, plan.pods()[p], plan.run_id()));
    Rejection rejection;
    std::unique_ptr<Intent> intent = intake.Convert(in, &rejection);
    ASSERT_NE(intent, nullptr) << rejection.field << ": " << rejection.reason;
    EXPECT_EQ(intent->spec.requests,
              *ResourceList::Parse(std::string("cpu=") + cpu[p] + ",memory=576Mi"));
  }
}

// A workflow's main_memory_mi sets the main container's memory request (and
// becomes its limit too when above 512Mi); the plan carries its cost labels.
TEST(ArgoPodManifestTest, WorkflowMemoryAndCostLabels) {
  WorkloadPlan::Options o;
  o.seed = 5;
  WorkflowShape shape{2, "argo", 0, 300};
  shape.main_memory_mi = 3072;
  shape.cost_labels = {{"team", "a"}};
  o.shapes = {shape};
  WorkloadPlan plan = WorkloadPlan::Make(o);
  const WorkflowSpec& wf = plan.workflows()[0];
  ASSERT_EQ(wf.cost_labels.size(), 1u);
  EXPECT_EQ(wf.cost_labels[0].second, "a");
  IntentIntake intake{IntakeLimits{}};
  v1::PodIntent in;
  in.set_namespace_(wf.namespace_);
  in.set_name(plan.pods()[0].name);
  in.mutable_workflow()->set_uid(wf.uid);
  in.set_pod_json(ArgoPodManifest(wf, plan.pods()[0], plan.run_id()));
  Rejection rejection;
  std::unique_ptr<Intent> intent = intake.Convert(in, &rejection);
  ASSERT_NE(intent, nullptr) << rejection.field << ": " << rejection.reason;
  EXPECT_EQ(intent->spec.requests, *ResourceList::Parse("cpu=510m,memory=3136Mi"));
}

}  // namespace
}  // namespace sluice::loadgen
