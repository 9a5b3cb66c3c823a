#include "scheduler/kube/field_path.h"

#include "gtest/gtest.h"

namespace sluice::kube {
namespace {

TEST(FieldPathTest, PrintsLikeKubernetes) {
  const FieldPath root = FieldPath::Root();
  EXPECT_EQ(root.ToString(), "");
  EXPECT_EQ(root.depth(), 0);
  const FieldPath spec = root.Child("spec");
  const FieldPath containers = spec.Child("containers");
  const FieldPath container = containers.Index(1);
  EXPECT_EQ(container.ToString(), "spec.containers[1]");
  const FieldPath resources = container.Child("resources");
  const FieldPath requests = resources.Child("requests");
  EXPECT_EQ(requests.Key("cpu").ToString(), "spec.containers[1].resources.requests[cpu]");
  const FieldPath metadata = root.Child("metadata");
  const FieldPath labels = metadata.Child("labels");
  EXPECT_EQ(labels.Key("app.kubernetes.io/name").ToString(),
            "metadata.labels[app.kubernetes.io/name]");
  const FieldPath first = root.Index(0);
  EXPECT_EQ(first.Index(2).ToString(), "[0][2]");
  EXPECT_EQ(container.depth(), 3);
}

}  // namespace
}  // namespace sluice::kube
