#include "tools/sluicectl/manifest_reader.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sluice::ctl {
namespace {

using ::testing::HasSubstr;

TEST(ReadPodManifestsTest, OnePod) {
  absl::StatusOr<std::vector<PodManifest>> pods = ReadPodManifests(
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ns\nspec:\n  containers: []\n",
      "pod.yaml");
  ASSERT_TRUE(pods.ok()) << pods.status();
  ASSERT_EQ(pods->size(), 1u);
  EXPECT_EQ((*pods)[0].name, "p");
  EXPECT_EQ((*pods)[0].pod_namespace, "ns");
  EXPECT_EQ((*pods)[0].source, "pod.yaml: document 1");
  EXPECT_EQ((*pods)[0].json,
            R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns"},)"
            R"("spec":{"containers":[]}})");
}

TEST(ReadPodManifestsTest, ListsSequencesAndDocumentsMix) {
  absl::StatusOr<std::vector<PodManifest>> pods = ReadPodManifests(R"(---
kind: List
items:
- {kind: Pod, metadata: {name: a}}
- {metadata: {generateName: gen-}}
---
---
- {kind: Pod, metadata: {name: c}}
---
{"kind": "PodList", "items": [{"kind": "Pod", "metadata": {"name": "d"}}]}
---
kind: Pod
metadata: {name: e}
)",
                                                                   "f");
  ASSERT_TRUE(pods.ok()) << pods.status();
  ASSERT_EQ(pods->size(), 5u);
  EXPECT_EQ((*pods)[0].name, "a");
  EXPECT_EQ((*pods)[0].source, "f: document 1, items[0]");
  EXPECT_EQ((*pods)[1].generate_name, "gen-");
  EXPECT_EQ((*pods)[1].name, "");
  EXPECT_EQ((*pods)[2].name, "c");
  EXPECT_EQ((*pods)[2].source, "f: document 3, [0]");
  EXPECT_EQ((*pods)[3].name, "d");
  EXPECT_EQ((*pods)[4].name, "e");
  EXPECT_EQ((*pods)[4].source, "f: document 5");
}

TEST(ReadPodManifestsTest, EmptyInputHasNoPods) {
  absl::StatusOr<std::vector<PodManifest>> pods = ReadPodManifests("", "f");
  ASSERT_TRUE(pods.ok());
  EXPECT_TRUE(pods->empty());
  pods = ReadPodManifests("kind: List\nitems: []\n", "f");
  ASSERT_TRUE(pods.ok());
  EXPECT_TRUE(pods->empty());
}

TEST(ReadPodManifestsTest, MistakesSayWhere) {
  auto error = [](const std::string& text) {
    absl::StatusOr<std::vector<PodManifest>> pods = ReadPodManifests(text, "pods.yaml");
    EXPECT_FALSE(pods.ok());
    return std::string(pods.status().message());
  };
  EXPECT_THAT(error("kind: Pod\nmetadata: {name: [unclosed\n"), HasSubstr("pods.yaml:"));
  EXPECT_THAT(error("kind: List\nitems:\n- kind: ConfigMap\n"),
              HasSubstr("pods.yaml: document 1, items[0] (line 3): kind ConfigMap: only pods"));
  EXPECT_THAT(error("kind: List\nitems: {a: 1}\n"), HasSubstr("items: expected a sequence"));
  EXPECT_THAT(error("just text\n"), HasSubstr("document 1 (line 1): expected a Pod"));
  EXPECT_THAT(error("- 1\n"), HasSubstr("document 1, [0] (line 1): a pod must be a map"));
  EXPECT_THAT(error("kind: Pod\nspec: {x: .nan}\n"), HasSubstr("document 1: spec.x (line 2)"));
}

TEST(ReadPodManifestFileTest, MissingFileIsNotFound) {
  absl::StatusOr<std::vector<PodManifest>> pods = ReadPodManifestFile("/nonexistent/pods.yaml");
  ASSERT_FALSE(pods.ok());
  EXPECT_EQ(pods.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(pods.status().message(), HasSubstr("cannot read /nonexistent/pods.yaml"));
}

}  // namespace
}  // namespace sluice::ctl
