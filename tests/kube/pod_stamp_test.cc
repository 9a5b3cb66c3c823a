#include "scheduler/kube/pod_stamp.h"

#include "gtest/gtest.h"

namespace sluice::kube {
namespace {

TEST(PodStampTest, SetsIdentityAndMergesLabels) {
  PodStamp stamp;
  stamp.name = "p1";
  stamp.pod_namespace = "ns";
  stamp.labels = {{"sluice.dev/managed", "true"}, {"app", "new"}};
  absl::StatusOr<std::string> out = StampPodManifest(
      R"({"metadata":{"labels":{"app":"old","keep":"me"}},"spec":{"containers":[{"name":"m","image":"i"}]}})",
      stamp);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out,
            R"({"metadata":{"labels":{"app":"new","keep":"me","sluice.dev/managed":"true"},)"
            R"("name":"p1","namespace":"ns"},"spec":{"containers":[{"name":"m","image":"i"}]},)"
            R"("apiVersion":"v1","kind":"Pod"})");
}

TEST(PodStampTest, KeepsKindAndOverwritesName) {
  PodStamp stamp;
  stamp.name = "p1";
  stamp.pod_namespace = "ns";
  absl::StatusOr<std::string> out = StampPodManifest(
      R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"p1"},"spec":{}})", stamp);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(
      *out,
      R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"p1","namespace":"ns"},"spec":{}})");
}

TEST(PodStampTest, InjectsNodeSelectorTolerationsAndAnnotations) {
  PodStamp stamp;
  stamp.name = "p";
  stamp.pod_namespace = "ns";
  stamp.annotations = {{"alibabacloud.com/compute-qos", "best-effort"}};
  stamp.node_selector = {{"cloud.google.com/gke-spot", "true"}};
  stamp.tolerations = {{"cloud.google.com/gke-spot", "Equal", "true", "NoSchedule"},
                       {"", "Exists", "", ""}};
  absl::StatusOr<std::string> out = StampPodManifest(
      R"({"spec":{"tolerations":[{"key":"a","operator":"Exists"}],"containers":[]}})", stamp);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(
      *out,
      R"({"spec":{"tolerations":[{"key":"a","operator":"Exists"},)"
      R"({"key":"cloud.google.com/gke-spot","operator":"Equal","value":"true","effect":"NoSchedule"},)"
      R"({"operator":"Exists"}],"containers":[],"nodeSelector":{"cloud.google.com/gke-spot":"true"}},)"
      R"("apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns",)"
      R"("annotations":{"alibabacloud.com/compute-qos":"best-effort"}}})");
}

TEST(PodStampTest, RefusesNonObjects) {
  EXPECT_FALSE(StampPodManifest("[1,2]", PodStamp{}).ok());
  EXPECT_FALSE(StampPodManifest("{", PodStamp{}).ok());
}

}  // namespace
}  // namespace sluice::kube
