#include "scheduler/kube/pod_manifest.h"

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "tests/kube/testdata/argo_pod.h"

namespace sluice::kube {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;

// A minimal valid pod around the given spec members (JSON text without the
// enclosing braces), e.g. Pod(R"("containers": [...])").
std::string Pod(const std::string& spec_members, const std::string& metadata = "{}") {
  return absl::StrCat(R"({"apiVersion":"v1","kind":"Pod","metadata":)", metadata, R"(,"spec":{)",
                      spec_members, "}}");
}

// One container named `name` with the given resources object.
std::string Container(const std::string& name, const std::string& resources = "{}",
                      const std::string& extra = "") {
  return absl::StrCat(R"({"name":")", name, R"(","image":"busybox","resources":)", resources, extra,
                      "}");
}

class PodManifestTest : public ::testing::Test {
 protected:
  PodManifestInfo Accept(const std::string& json) {
    FieldError error;
    absl::StatusOr<PodManifestInfo> info = analyzer_.Analyze(json, &error);
    EXPECT_TRUE(info.ok()) << error.ToString() << "\n" << json;
    return info.ok() ? *std::move(info) : PodManifestInfo();
  }

  FieldError Reject(const std::string& json) {
    FieldError error;
    absl::StatusOr<PodManifestInfo> info = analyzer_.Analyze(json, &error);
    EXPECT_FALSE(info.ok()) << json;
    if (!info.ok()) {
      EXPECT_EQ(info.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(info.status().message(), error.ToString());
    }
    return error;
  }

  void ExpectReject(const std::string& json, const std::string& field, const std::string& reason) {
    const FieldError error = Reject(json);
    EXPECT_EQ(error.field, field) << json;
    EXPECT_EQ(error.reason, reason) << json;
  }

  PodManifestAnalyzer analyzer_;
};

// ---------------------------------------------------------------------------
// Realistic pods.

TEST_F(PodManifestTest, ArgoStepPod) {
  const PodManifestInfo info = Accept(testdata::kArgoPodJson);
  EXPECT_EQ(info.name, "hello-world-x7k2p-1340600742");
  EXPECT_EQ(info.namespace_name, "argo");
  EXPECT_EQ(info.generate_name, "");
  EXPECT_THAT(info.labels,
              ElementsAre(Pair("workflows.argoproj.io/completed", "false"),
                          Pair("workflows.argoproj.io/workflow", "hello-world-x7k2p")));
  EXPECT_THAT(info.annotations,
              ElementsAre(Pair("workflows.argoproj.io/node-id", "hello-world-x7k2p-1340600742"),
                          Pair("workflows.argoproj.io/node-name", "hello-world-x7k2p[0].step-a")));
  // wait (10m, 64Mi) + main (500m, 512Mi), above the init container's 10m/64Mi.
  EXPECT_EQ(info.requests.ToString(), "cpu=510m,memory=576Mi");
  EXPECT_EQ(info.limits.ToString(), "cpu=1100m,memory=1152Mi");
  EXPECT_EQ(info.containers, 2);
  EXPECT_EQ(info.init_containers, 1);
  EXPECT_EQ(info.restart_policy, "Never");
  EXPECT_EQ(info.node_name, "");
  EXPECT_EQ(info.priority_class_name, "");
}

TEST_F(PodManifestTest, AnalyzerIsReusableAndThreadLocalEntryPointAgrees) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Accept(testdata::kArgoPodJson).requests.ToString(), "cpu=510m,memory=576Mi");
    Reject("{}");
  }
  absl::StatusOr<PodManifestInfo> info = AnalyzePodManifest(testdata::kArgoPodJson);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->limits.ToString(), "cpu=1100m,memory=1152Mi");
  FieldError error;
  EXPECT_FALSE(AnalyzePodManifest("[]", &error).ok());
  EXPECT_EQ(error.reason, "Invalid value: a pod manifest must be a JSON object");
}

TEST_F(PodManifestTest, InitContainerLargerThanContainersWins) {
  const PodManifestInfo info = Accept(Pod(absl::StrCat(
      R"("initContainers":[)", Container("fetch", R"({"requests":{"cpu":"2","memory":"1Gi"}})"),
      "],", R"("containers":[)", Container("a", R"({"requests":{"cpu":"500m","memory":"2Gi"}})"),
      ",", Container("b", R"({"requests":{"cpu":"500m","ephemeral-storage":"1Gi"}})"), "]")));
  EXPECT_EQ(info.requests.ToString(), "cpu=2,ephemeral-storage=1Gi,memory=2Gi");
  EXPECT_TRUE(info.limits.empty());
}

TEST_F(PodManifestTest, SidecarInitContainersFollowTheKepRule) {
  // Regular containers: 1 cpu. Init containers in order: sidecar 100m,
  // init 2, sidecar 200m, init 500m. Sidecars add to the containers (1.3)
  // and to every later init container: max(100m, 2+100m, 300m, 500m+300m).
  const std::string always = R"(,"restartPolicy":"Always")";
  const PodManifestInfo info = Accept(Pod(absl::StrCat(
      R"("initContainers":[)",
      Container("sidecar-1", R"({"requests":{"cpu":"100m","memory":"100Mi"}})", always), ",",
      Container("init-1", R"({"requests":{"cpu":"2","memory":"50Mi"}})"), ",",
      Container("sidecar-2", R"({"requests":{"cpu":"200m","memory":"200Mi"}})", always), ",",
      Container("init-2", R"({"requests":{"cpu":"500m","memory":"1Gi"}})"), "],",
      R"("containers":[)", Container("main", R"({"requests":{"cpu":"1","memory":"1Gi"}})"), "]")));
  // cpu: max(1 + 100m + 200m, 2100m) = 2100m.
  // memory: containers 1Gi + 300Mi = 1324Mi; init-2 with both sidecars 1Gi + 300Mi = 1324Mi.
  EXPECT_EQ(info.requests.ToString(), "cpu=2100m,memory=1324Mi");
  EXPECT_EQ(info.init_containers, 4);
}

TEST_F(PodManifestTest, SidecarsAloneAddToContainers) {
  const PodManifestInfo info = Accept(Pod(absl::StrCat(
      R"("initContainers":[)",
      Container(
          "istio-proxy",
          R"({"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"cpu":"2","memory":"1Gi"}})",
          R"(,"restartPolicy":"Always")"),
      "],", R"("containers":[)",
      Container("main",
                R"({"requests":{"cpu":"1","memory":"1Gi"},"limits":{"cpu":"1","memory":"1Gi"}})"),
      "]")));
  EXPECT_EQ(info.requests.ToString(), "cpu=1100m,memory=1152Mi");
  EXPECT_EQ(info.limits.ToString(), "cpu=3,memory=2Gi");
}

TEST_F(PodManifestTest, OverheadAddsToRequestsAndToNonZeroLimitsOnly) {
  const PodManifestInfo info = Accept(Pod(absl::StrCat(
      R"("runtimeClassName":"kata","overhead":{"cpu":"250m","memory":"120Mi"},)",
      R"("containers":[)",
      Container("main", R"({"requests":{"cpu":"1","memory":"1Gi"},"limits":{"cpu":"2"}})"), "]")));
  EXPECT_EQ(info.requests.ToString(), "cpu=1250m,memory=1144Mi");
  EXPECT_EQ(info.limits.ToString(), "cpu=2250m");
}

TEST_F(PodManifestTest, OverheadSkipsZeroLimits) {
  const PodManifestInfo info = Accept(Pod(
      absl::StrCat(R"("overhead":{"cpu":"250m"},"containers":[)",
                   Container("main", R"({"requests":{"cpu":"0"},"limits":{"cpu":"0"}})"), "]")));
  EXPECT_EQ(info.requests.ToString(), "cpu=250m");
  EXPECT_EQ(info.limits.ToString(), "cpu=0");
}

TEST_F(PodManifestTest, GpuLimitBecomesTheRequest) {
  const PodManifestInfo info = Accept(Pod(absl::StrCat(
      R"("containers":[)",
      Container("train",
                R"({"limits":{"nvidia.com/gpu":"2","memory":"8Gi"},"requests":{"cpu":"4"}})"),
      "]")));
  EXPECT_EQ(info.requests.ToString(), "cpu=4,memory=8Gi,nvidia.com/gpu=2");
  EXPECT_EQ(info.limits.ToString(), "memory=8Gi,nvidia.com/gpu=2");
}

TEST_F(PodManifestTest, LimitsDefaultRequestsPerResource) {
  const PodManifestInfo info = Accept(Pod(absl::StrCat(
      R"("containers":[)",
      Container("main", R"({"requests":{"memory":"256Mi"},"limits":{"cpu":"1","memory":"1Gi"}})"),
      "]")));
  EXPECT_EQ(info.requests.ToString(), "cpu=1,memory=256Mi");
  EXPECT_EQ(info.limits.ToString(), "cpu=1,memory=1Gi");
}

TEST_F(PodManifestTest, QuantitiesAreRoundedUpToMilliAsTheApiServerStoresThem) {
  const PodManifestInfo info = Accept(Pod(absl::StrCat(
      R"("containers":[)", Container("a", R"({"requests":{"cpu":"0.1m","memory":"1.5Gi"}})"), ",",
      Container("b", R"({"requests":{"cpu":"100u","memory":"1n"}})"), "]")));
  EXPECT_EQ(info.requests.ToString(), "cpu=2m,memory=1610612736001m");
}

TEST_F(PodManifestTest, HugePages) {
  const PodManifestInfo info = Accept(Pod(absl::StrCat(
      R"("containers":[)",
      Container("db", R"({"limits":{"hugepages-2Mi":"100Mi","memory":"1Gi","cpu":"1"}})"), "]")));
  EXPECT_EQ(info.requests.ToString(), "cpu=1,hugepages-2Mi=100Mi,memory=1Gi");
  ExpectReject(Pod(absl::StrCat(
                   R"("containers":[)",
                   Container("db", R"({"limits":{"hugepages-2Mi":"3Mi","memory":"1Gi"}})"), "]")),
               "spec.containers[0].resources.limits[hugepages-2Mi]",
               R"(Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi)");
  ExpectReject(Pod(absl::StrCat(R"("containers":[)",
                                Container("db", R"({"limits":{"hugepages-2Mi":"4Mi"}})"), "]")),
               "spec.containers[0].resources", "Forbidden: HugePages require cpu or memory");
  ExpectReject(
      Pod(absl::StrCat(R"("containers":[)",
                       Container("db", R"({"limits":{"hugepages-x":"4Mi","cpu":"1"}})"), "]")),
      "spec.containers[0].resources.limits[hugepages-x]",
      R"(Invalid value: "4Mi": 4Mi is not positive integer multiple of hugepages-x)");
}

TEST_F(PodManifestTest, PodLevelResourcesReplaceCpuAndMemory) {
  const std::string json = Pod(absl::StrCat(
      R"("resources":{"requests":{"cpu":"2","memory":"4Gi"},"limits":{"cpu":"4","memory":"8Gi"}},)",
      R"("containers":[)",
      Container("a", R"({"requests":{"cpu":"500m","memory":"1Gi","ephemeral-storage":"1Gi"}})"),
      "]"));
  const PodManifestInfo info = Accept(json);
  EXPECT_EQ(info.requests.ToString(), "cpu=2,ephemeral-storage=1Gi,memory=4Gi");
  EXPECT_EQ(info.limits.ToString(), "cpu=4,memory=8Gi");

  PodManifestAnalyzer without({.pod_level_resources = false});
  absl::StatusOr<PodManifestInfo> old = without.Analyze(json);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->requests.ToString(), "cpu=500m,ephemeral-storage=1Gi,memory=1Gi");
  EXPECT_TRUE(old->limits.empty());
}

TEST_F(PodManifestTest, PodLevelLimitsDefaultPodRequests) {
  // defaultPodRequests: containers' cpu requests aggregate (1500m), memory
  // has no container request so it comes from the pod-level limit.
  const PodManifestInfo info =
      Accept(Pod(absl::StrCat(R"("resources":{"limits":{"cpu":"4","memory":"8Gi"}},"containers":[)",
                              Container("a", R"({"requests":{"cpu":"1"}})"), ",",
                              Container("b", R"({"requests":{"cpu":"500m"}})"), "]")));
  EXPECT_EQ(info.requests.ToString(), "cpu=1500m,memory=8Gi");
  EXPECT_EQ(info.limits.ToString(), "cpu=4,memory=8Gi");
}

TEST_F(PodManifestTest, PodLevelRequestsDefaultPodLimitsWhenAllContainersHaveThem) {
  const PodManifestInfo info =
      Accept(Pod(absl::StrCat(R"("resources":{"requests":{"cpu":"1"}},"containers":[)",
                              Container("a", R"({"limits":{"cpu":"2","memory":"1Gi"}})"), ",",
                              Container("b", R"({"limits":{"cpu":"1"}})"), "]")));
  EXPECT_EQ(info.requests.ToString(), "cpu=1,memory=1Gi");
  EXPECT_EQ(info.limits.ToString(), "cpu=3,memory=1Gi");
}

TEST_F(PodManifestTest, QuantitiesAsJsonNumbersAndOddStrings) {
  const PodManifestInfo info = Accept(Pod(absl::StrCat(
      R"("containers":[)",
      Container("a", R"({"requests":{"cpu":0.5,"memory":1073741824,"ephemeral-storage":" 1Gi "}})"),
      ",", Container("b", R"({"requests":{"cpu":2,"memory":null},"limits":{"cpu":2e0}})"), "]")));
  EXPECT_EQ(info.requests.ToString(), "cpu=2500m,ephemeral-storage=1Gi,memory=1073741824");
  EXPECT_EQ(info.limits.ToString(), "cpu=2");
}

TEST_F(PodManifestTest, MetadataDetails) {
  const PodManifestInfo info = Accept(Pod(
      absl::StrCat(R"("nodeName":"node-1.example.com","priorityClassName":"high",)",
                   R"("restartPolicy":"OnFailure","containers":[)", Container("a"), "]"),
      R"({"generateName":"wf-","namespace":"team-a","labels":{"b":"2","a":"1","b":"3","empty":""},
          "annotations":{"Note":"x","k":null},"uid":"ignored","managedFields":[{"a":[1,2,{"b":null}]}]})"));
  EXPECT_EQ(info.generate_name, "wf-");
  EXPECT_EQ(info.namespace_name, "team-a");
  EXPECT_THAT(info.labels, ElementsAre(Pair("a", "1"), Pair("b", "3"), Pair("empty", "")));
  EXPECT_THAT(info.annotations, ElementsAre(Pair("Note", "x"), Pair("k", "")));
  EXPECT_EQ(info.node_name, "node-1.example.com");
  EXPECT_EQ(info.priority_class_name, "high");
  EXPECT_EQ(info.restart_policy, "OnFailure");
  EXPECT_TRUE(info.requests.empty());
}

// Already sorted maps (as Go writes them) skip the sort; a repeated key
// still keeps its last value.
TEST_F(PodManifestTest, SortedMapsWithRepeatedKeys) {
  const PodManifestInfo info = Accept(
      Pod(absl::StrCat(R"("containers":[)", Container("a"), "]"),
          R"({"labels":{"a":"1","a":"2","b":"x"},"annotations":{"k":"1","z":"2","z":"3"}})"));
  EXPECT_THAT(info.labels, ElementsAre(Pair("a", "2"), Pair("b", "x")));
  EXPECT_THAT(info.annotations, ElementsAre(Pair("k", "1"), Pair("z", "3")));
}

TEST_F(PodManifestTest, KindAndApiVersionMayBeAbsentAndUnknownFieldsAreIgnored) {
  const PodManifestInfo info = Accept(absl::StrCat(
      R"({"spec":{"containers":[)", Container("a"),
      R"(],"futureField":{"x":[true,false,null,-1.5e-3,"\u00e9\n"]}},"status":{"phase":"Pending"}})"));
  EXPECT_EQ(info.containers, 1);
  // Escaped keys are decoded: "\u0073pec" is "spec".
  EXPECT_EQ(
      Accept(absl::StrCat(R"({"\u0073pec":{"containers":[)", Container("a"), "]}}")).containers, 1);
}

TEST_F(PodManifestTest, ResourcesOfManyKinds) {
  const PodManifestInfo info = Accept(Pod(absl::StrCat(
      R"("containers":[)",
      Container("a", R"({"requests":{"cpu":"1","example.com/foo":"3","kubernetes.io/bar":"1500m"},)"
                     R"("limits":{"example.com/foo":"3"},"claims":[{"name":"gpu"}]})"),
      "]")));
  EXPECT_EQ(info.requests.ToString(), "cpu=1,example.com/foo=3,kubernetes.io/bar=1500m");
}

// ---------------------------------------------------------------------------
// Rejections: one test per path through validation.

TEST_F(PodManifestTest, RejectsWhatIsNotAJsonObject) {
  EXPECT_THAT(Reject("").reason, StartsWith("Invalid JSON: "));
  EXPECT_THAT(Reject("   ").reason, StartsWith("Invalid JSON: "));
  EXPECT_THAT(Reject("garbage").reason, StartsWith("Invalid JSON: "));
  ExpectReject("[]", "", "Invalid value: a pod manifest must be a JSON object");
  ExpectReject("\"pod\"", "", "Invalid value: a pod manifest must be a JSON object");
  ExpectReject("42", "", "Invalid value: a pod manifest must be a JSON object");
  EXPECT_THAT(Reject(R"({"spec":{}} x)").reason, StartsWith("Invalid JSON"));
  EXPECT_THAT(Reject(R"({"spec":{}} 1)").reason, StartsWith("Invalid JSON"));
  EXPECT_THAT(Reject(R"({"spec":{}} "s")").reason, StartsWith("Invalid JSON"));
  EXPECT_THAT(Reject(R"({"spec":{}}})").reason, StartsWith("Invalid JSON"));
  EXPECT_THAT(Reject(R"({"spec":{}}{})").reason, StartsWith("Invalid JSON"));
  EXPECT_THAT(Reject("{\"a\":\"\xff\"}").reason, StartsWith("Invalid JSON"));
}

TEST_F(PodManifestTest, RejectsMalformedJsonEvenInFieldsSluiceIgnores) {
  const std::string head = absl::StrCat(R"({"spec":{"containers":[)", Container("a"), "]},");
  for (const char* bad : {R"("x":01})", R"("x":1.})", R"("x":-})", R"("x":tru})", R"("x":nul})",
                          R"("x":"\q"})", R"("x":[1,]})", R"("x":{"a" 1}})", R"("x":{"a":1,}})",
                          R"("x":[1 2]})", R"("x":"a"b})", R"("x":1e})", R"("x":+1})", R"("x":.5})",
                          "\"x\":\"a\tb\"}", R"("x":)", R"("x":[)", R"("x":{)"}) {
    SCOPED_TRACE(bad);
    const FieldError error = Reject(head + bad);
    EXPECT_THAT(error.reason, StartsWith("Invalid JSON")) << error.ToString();
  }
}

TEST_F(PodManifestTest, RejectsKindAndApiVersion) {
  ExpectReject(R"({"kind":"Deployment","spec":{}})", "kind",
               R"(Invalid value: "Deployment": must be "Pod")");
  ExpectReject(R"({"apiVersion":"apps/v1","spec":{}})", "apiVersion",
               R"(Invalid value: "apps/v1": must be "v1")");
  ExpectReject(R"({"kind":1})", "kind", "Invalid type: expected string, got number");
}

TEST_F(PodManifestTest, RejectsMetadataOfTheWrongShape) {
  ExpectReject(R"({"metadata":"x"})", "metadata", "Invalid type: expected object, got string");
  ExpectReject(R"({"metadata":{"name":7}})", "metadata.name",
               "Invalid type: expected string, got number");
  ExpectReject(R"({"metadata":{"labels":[]}})", "metadata.labels",
               "Invalid type: expected object, got array");
  ExpectReject(R"({"metadata":{"labels":{"app":1}}})", "metadata.labels[app]",
               "Invalid type: expected string, got number");
  ExpectReject(R"({"metadata":{"annotations":{"a":{}}}})", "metadata.annotations[a]",
               "Invalid type: expected string, got object");
}

TEST_F(PodManifestTest, RejectsInvalidNames) {
  const std::string spec = absl::StrCat(R"("containers":[)", Container("a"), "]");
  EXPECT_EQ(Reject(Pod(spec, R"({"name":"Bad_Name"})")).ToString(),
            "metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must "
            "consist of lower case alphanumeric characters, '-' or '.', and must start and end "
            "with an alphanumeric character (e.g. 'example.com', regex used for validation is "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  EXPECT_THAT(Reject(Pod(spec, R"({"generateName":"Wf-"})")).field, "metadata.generateName");
  EXPECT_THAT(Reject(Pod(spec, R"({"namespace":"a.b"})")).ToString(),
              "metadata.namespace: Invalid value: \"a.b\": must not contain dots");
  EXPECT_EQ(Reject(Pod(absl::StrCat(R"("nodeName":"Node_1",)", spec))).field, "spec.nodeName");
  EXPECT_EQ(Reject(Pod(absl::StrCat(R"("priorityClassName":"High",)", spec))).field,
            "spec.priorityClassName");
}

TEST_F(PodManifestTest, RejectsInvalidLabelsAndAnnotations) {
  const std::string spec = absl::StrCat(R"("containers":[)", Container("a"), "]");
  EXPECT_THAT(Reject(Pod(spec, R"({"labels":{"bad key":"v"}})")).ToString(),
              StartsWith("metadata.labels: Invalid value: \"bad key\": name part must consist of "
                         "alphanumeric characters"));
  ExpectReject(Pod(spec, absl::StrCat(R"({"labels":{"k":")", std::string(64, 'v'), R"("}})")),
               "metadata.labels",
               absl::StrCat("Invalid value: \"", std::string(64, 'v'),
                            "\": must be no more than 63 characters"));
  EXPECT_THAT(Reject(Pod(spec, R"({"labels":{"k":"a b"}})")).reason,
              HasSubstr("a valid label must be an empty string"));
  EXPECT_THAT(Reject(Pod(spec, R"({"annotations":{"a/b/c":"v"}})")).reason,
              StartsWith("Invalid value: \"a/b/c\": a qualified name must consist"));
  // Annotation keys are checked lower-cased, label keys as written.
  EXPECT_THAT(Accept(Pod(spec, R"({"annotations":{"Example.COM/Key":"v"}})")).annotations,
              ElementsAre(Pair("Example.COM/Key", "v")));
  EXPECT_THAT(Reject(Pod(spec, R"({"labels":{"Example.COM/Key":"v"}})")).reason,
              StartsWith("Invalid value: \"Example.COM/Key\": prefix part a lowercase RFC 1123"));
  EXPECT_THAT(Reject(Pod(spec, R"({"annotations":{"Bad Key":"v"}})")).ToString(),
              StartsWith("metadata.annotations: Invalid value: \"Bad Key\": name part must "
                         "consist of alphanumeric characters"));
  // 256 KiB of annotations in total is the limit.
  const std::string at_limit = std::string(256 * 1024 - 1, 'x');
  Accept(Pod(spec, absl::StrCat(R"({"annotations":{"k":")", at_limit, R"("}})")));
  ExpectReject(Pod(spec, absl::StrCat(R"({"annotations":{"k":")", at_limit, R"(x"}})")),
               "metadata.annotations", "Too long: must have at most 262144 bytes");
}

// Container names are read as views into the document or, when escaped,
// into the parser's buffer; both must survive until validation.
TEST_F(PodManifestTest, EscapedContainerNamesAreComparedDecoded) {
  ExpectReject(Pod(absl::StrCat(R"("containers":[)", Container("main"), ",",
                                Container(R"(ma\u0069n)"), "]")),
               "spec.containers[1].name", R"(Duplicate value: "main")");
  ExpectReject(Pod(absl::StrCat(R"("initContainers":[)", Container(R"(\u0069nit)"), "],",
                                R"("containers":[)", Container("init"), "]")),
               "spec.initContainers[0].name", R"(Duplicate value: "init")");
  const PodManifestInfo info = Accept(Pod(absl::StrCat(
      R"("initContainers":[)",
      Container("side", R"({"requests":{"cpu":"1"}})", R"(,"restartPolicy":"Alw\u0061ys")"), "],",
      R"("containers":[)", Container("a", R"({"requests":{"cpu":"1"}})"), "]")));
  // The escaped "Always" makes a sidecar: 1 + 1.
  EXPECT_EQ(info.requests.ToString(), "cpu=2");
}

TEST_F(PodManifestTest, RejectsMissingContainers) {
  ExpectReject(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}})", "spec.containers",
               "Required value");
  ExpectReject(R"({"spec":null})", "spec.containers", "Required value");
  ExpectReject(R"({"spec":{}})", "spec.containers", "Required value");
  ExpectReject(R"({"spec":{"containers":[]}})", "spec.containers", "Required value");
  ExpectReject(R"({"spec":{"containers":null}})", "spec.containers", "Required value");
  ExpectReject(R"({"spec":{"containers":{}}})", "spec.containers",
               "Invalid type: expected array, got object");
  ExpectReject(R"({"spec":[]})", "spec", "Invalid type: expected object, got array");
  ExpectReject(R"({"spec":{"containers":[1]}})", "spec.containers[0]",
               "Invalid type: expected object, got number");
  ExpectReject(R"({"spec":{"containers":[null]}})", "spec.containers[0].name", "Required value");
}

TEST_F(PodManifestTest, RejectsBadContainers) {
  ExpectReject(Pod(R"("containers":[{"image":"busybox"}])"), "spec.containers[0].name",
               "Required value");
  EXPECT_THAT(Reject(Pod(R"("containers":[{"name":"Main","image":"busybox"}])")).ToString(),
              StartsWith("spec.containers[0].name: Invalid value: \"Main\": a lowercase RFC 1123 "
                         "label must consist of"));
  ExpectReject(Pod(R"("containers":[{"name":"main"}])"), "spec.containers[0].image",
               "Required value");
  ExpectReject(Pod(R"("containers":[{"name":"main","image":""}])"), "spec.containers[0].image",
               "Required value");
  ExpectReject(Pod(R"("containers":[{"name":"main","image":" busybox"}])"),
               "spec.containers[0].image",
               R"(Invalid value: " busybox": must not have leading or trailing whitespace)");
  ExpectReject(Pod(absl::StrCat(R"("containers":[)", Container("a"), ",", Container("b"), ",",
                                Container("a"), "]")),
               "spec.containers[2].name", R"(Duplicate value: "a")");
  ExpectReject(Pod(absl::StrCat(R"("initContainers":[)", Container("init"), ",", Container("main"),
                                R"(],"containers":[)", Container("main"), "]")),
               "spec.initContainers[1].name", R"(Duplicate value: "main")");
  ExpectReject(
      Pod(absl::StrCat(R"("initContainers":[)",
                       Container("init", "{}", R"(,"restartPolicy":"Sometimes")"),
                       R"(],"containers":[)", Container("main"), "]")),
      "spec.initContainers[0].restartPolicy",
      R"(Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never")");
  ExpectReject(Pod(absl::StrCat(R"("containers":[)", Container("a", "[]"), "]")),
               "spec.containers[0].resources", "Invalid type: expected object, got array");
  ExpectReject(Pod(absl::StrCat(R"("containers":[)", Container("a", R"({"requests":"1"})"), "]")),
               "spec.containers[0].resources.requests",
               "Invalid type: expected object, got string");
}

TEST_F(PodManifestTest, RejectsManyContainersWithADuplicate) {
  std::string containers;
  for (int i = 0; i < 200; ++i) {
    absl::StrAppend(&containers, i == 0 ? "" : ",", Container(absl::StrCat("c", i)));
  }
  Accept(Pod(absl::StrCat(R"("containers":[)", containers, "]")));
  ExpectReject(Pod(absl::StrCat(R"("containers":[)", containers, ",", Container("c17"), "]")),
               "spec.containers[200].name", R"(Duplicate value: "c17")");
}

TEST_F(PodManifestTest, RejectsRestartPolicy) {
  ExpectReject(
      Pod(absl::StrCat(R"("restartPolicy":"Sometimes","containers":[)", Container("a"), "]")),
      "spec.restartPolicy",
      R"(Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never")");
  ExpectReject(Pod(absl::StrCat(R"("restartPolicy":false,"containers":[)", Container("a"), "]")),
               "spec.restartPolicy", "Invalid type: expected string, got boolean");
}

TEST_F(PodManifestTest, RejectsBadQuantities) {
  const auto pod = [](const std::string& resources) {
    return Pod(
        absl::StrCat(R"("containers":[)", Container("a"), ",", Container("b", resources), "]"));
  };
  ExpectReject(pod(R"({"requests":{"cpu":"1.5.2"}})"), "spec.containers[1].resources.requests[cpu]",
               R"(Invalid value: "1.5.2": unexpected character '.' at offset 3)");
  ExpectReject(pod(R"({"limits":{"memory":"12Gb"}})"),
               "spec.containers[1].resources.limits[memory]",
               R"(Invalid value: "12Gb": unknown suffix "Gb")");
  // Kubernetes does not decode escapes inside a quantity.
  ExpectReject(pod(R"({"requests":{"cpu":"\u0031"}})"),
               "spec.containers[1].resources.requests[cpu]",
               R"(Invalid value: "\\u0031": unexpected character '\\' at offset 0)");
  ExpectReject(pod(R"({"requests":{"cpu":true}})"), "spec.containers[1].resources.requests[cpu]",
               "Invalid type: expected quantity (string or number), got boolean");
  ExpectReject(pod(R"({"requests":{"cpu":[1]}})"), "spec.containers[1].resources.requests[cpu]",
               "Invalid type: expected quantity (string or number), got array");
  ExpectReject(pod(R"({"requests":{"cpu":""}})"), "spec.containers[1].resources.requests[cpu]",
               R"(Invalid value: "": empty string)");
  ExpectReject(pod(R"({"requests":{"cpu":"1e40"}})"), "spec.containers[1].resources.requests[cpu]",
               R"(Invalid value: "1e40": value too large (Sluice's limit is about 1.7e29))");
  ExpectReject(pod(R"({"requests":{"cpu":"-1"}})"), "spec.containers[1].resources.requests[cpu]",
               R"(Invalid value: "-1": must be greater than or equal to 0)");
  ExpectReject(pod(R"({"limits":{"memory":-1}})"), "spec.containers[1].resources.limits[memory]",
               R"(Invalid value: "-1": must be greater than or equal to 0)");
}

// Quantity strings without escapes are read in place, the others decoded
// (only to validate them); both are trimmed as Go's strings.TrimSpace does.
TEST_F(PodManifestTest, QuantityStringsAreTrimmedAndCheckedInPlace) {
  const auto pod = [](const std::string& resources) {
    return Pod(absl::StrCat(R"("containers":[)", Container("a", resources), "]"));
  };
  // ASCII spaces, and U+00A0 written as raw UTF-8 (an end that is not
  // visible ASCII takes the full trim).
  EXPECT_EQ(Accept(pod("{\"requests\":{\"cpu\":\" 250m \",\"memory\":\"\xc2\xa0"
                       "1Gi\xc2\xa0\"}}"))
                .requests.ToString(),
            "cpu=250m,memory=1Gi");
  // A malformed escape is still reported as invalid JSON.
  EXPECT_THAT(Reject(pod(R"({"requests":{"cpu":"1\q"}})")).reason, StartsWith("Invalid JSON: "));
  // A missing separator after a quantity string, with and without escapes.
  const FieldError plain = Reject(pod(R"({"requests":{"cpu":"1" "memory":"2"}})"));
  const FieldError escaped = Reject(pod(R"({"requests":{"cpu":"\u0031" "memory":"2"}})"));
  EXPECT_EQ(plain.field, "spec.containers[0].resources.requests");
  EXPECT_THAT(plain.reason,
              StartsWith("Invalid JSON: The JSON document has an improper structure"));
  // The escaped one fails as a quantity first.
  EXPECT_EQ(escaped.field, "spec.containers[0].resources.requests[cpu]");
  EXPECT_EQ(escaped.reason, R"(Invalid value: "\\u0031": unexpected character '\\' at offset 0)");
}

TEST_F(PodManifestTest, RejectsRequestsAboveLimits) {
  const auto pod = [](const std::string& resources) {
    return Pod(absl::StrCat(R"("containers":[)", Container("a", resources), "]"));
  };
  ExpectReject(pod(R"({"requests":{"cpu":"2"},"limits":{"cpu":"1"}})"),
               "spec.containers[0].resources.requests",
               R"(Invalid value: "2": must be less than or equal to cpu limit of 1)");
  ExpectReject(pod(R"({"requests":{"memory":"2Gi"},"limits":{"memory":"1Gi","cpu":"1"}})"),
               "spec.containers[0].resources.requests",
               R"(Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi)");
  // Rounded to milli before the comparison, as the APIServer stores them.
  Accept(pod(R"({"requests":{"cpu":"1.0001m"},"limits":{"cpu":"1.0002m"}})"));
  ExpectReject(pod(R"({"requests":{"nvidia.com/gpu":"1"},"limits":{"nvidia.com/gpu":"2"}})"),
               "spec.containers[0].resources.requests",
               R"(Invalid value: "1": must be equal to nvidia.com/gpu limit of 2)");
  ExpectReject(pod(R"({"requests":{"nvidia.com/gpu":"1"}})"), "spec.containers[0].resources.limits",
               "Required value: Limit must be set for non overcommitable resources");
  ExpectReject(pod(R"({"limits":{"nvidia.com/gpu":"500m"}})"),
               "spec.containers[0].resources.limits[nvidia.com/gpu]",
               R"(Invalid value: "500m": must be an integer)");
}

TEST_F(PodManifestTest, RejectsBadResourceNames) {
  const auto pod = [](const std::string& resources) {
    return Pod(absl::StrCat(R"("containers":[)", Container("a", resources), "]"));
  };
  ExpectReject(pod(R"({"limits":{"gpu":"1"}})"), "spec.containers[0].resources.limits[gpu]",
               R"(Invalid value: "gpu": must be a standard resource type or fully qualified)");
  ExpectReject(pod(R"({"requests":{"pods":"1"}})"), "spec.containers[0].resources.requests[pods]",
               R"(Invalid value: "pods": must be a standard resource for containers)");
  ExpectReject(
      pod(R"({"requests":{"requests.nvidia.com/gpu":"1"}})"),
      "spec.containers[0].resources.requests[requests.nvidia.com/gpu]",
      R"(Invalid value: "requests.nvidia.com/gpu": doesn't follow extended resource name standard)");
  EXPECT_THAT(Reject(pod(R"({"requests":{"a/b/c":"1"}})")).reason,
              StartsWith(R"(Invalid value: "a/b/c": a qualified name must consist)"));
}

TEST_F(PodManifestTest, RejectsBadOverheadAndPodLevelResources) {
  const std::string containers = absl::StrCat(R"("containers":[)", Container("a"), "]");
  ExpectReject(Pod(absl::StrCat(R"("overhead":{"cpu":"-250m"},)", containers)),
               "spec.overhead[cpu]",
               R"(Invalid value: "-250m": must be greater than or equal to 0)");
  ExpectReject(Pod(absl::StrCat(R"("overhead":{"cpu":"x"},)", containers)), "spec.overhead[cpu]",
               R"(Invalid value: "x": unknown suffix "x")");
  ExpectReject(Pod(absl::StrCat(R"("resources":{"requests":{"cpu":"2"},"limits":{"cpu":"1"}},)",
                                containers)),
               "spec.resources.requests",
               R"(Invalid value: "2": must be less than or equal to cpu limit of 1)");
  ExpectReject(Pod(absl::StrCat(R"("resources":{"requests":{"memory":"-1"}},)", containers)),
               "spec.resources.requests[memory]",
               R"(Invalid value: "-1": must be greater than or equal to 0)");
}

TEST_F(PodManifestTest, RejectsOversizedManifests) {
  PodManifestAnalyzer small({.max_manifest_bytes = 100});
  FieldError error;
  EXPECT_FALSE(small.Analyze(testdata::kArgoPodJson, &error).ok());
  EXPECT_EQ(error.field, "");
  EXPECT_EQ(error.reason, "Too long: must have at most 100 bytes");
  EXPECT_EQ(error.ToString(), "Too long: must have at most 100 bytes");
}

TEST_F(PodManifestTest, RejectsDeepNesting) {
  const std::string head = absl::StrCat(R"({"spec":{"containers":[)", Container("a"), "]},\"x\":");
  // 60 levels in an ignored field are fine; 70 are not.
  Accept(head + std::string(60, '[') + std::string(60, ']') + "}");
  const FieldError error = Reject(head + std::string(70, '[') + std::string(70, ']') + "}");
  EXPECT_EQ(error.reason, "Invalid value: nested deeper than 64 levels");
  EXPECT_THAT(error.field, StartsWith("x[0][0]"));
  // Far deeper than any limit, closed or not: rejected, no crash.
  for (const std::string& deep :
       {head + std::string(200000, '['),
        head + std::string(200000, '[') + std::string(200000, ']') + "}", std::string(200000, '{'),
        head + std::string(100000, '{') + "}"}) {
    Reject(deep);
  }
}

// ---------------------------------------------------------------------------
// Robustness: no input crashes the analyzer, and nothing that is not valid
// JSON (by simdjson's full DOM parser) is accepted.

bool DomAcceptsOrRange(simdjson::dom::parser& dom, const std::string& json) {
  simdjson::dom::element element;
  const simdjson::error_code e = dom.parse(json).get(element);
  // The DOM parser also refuses numbers out of double range, which JSON allows.
  return e == simdjson::SUCCESS || e == simdjson::NUMBER_ERROR ||
         e == simdjson::NUMBER_OUT_OF_RANGE;
}

TEST_F(PodManifestTest, EveryTruncationIsRejected) {
  const std::string json = testdata::kArgoPodJson;
  for (size_t len = 0; len < json.size(); ++len) {
    const std::string prefix = json.substr(0, len);
    absl::StatusOr<PodManifestInfo> info = analyzer_.Analyze(prefix);
    ASSERT_FALSE(info.ok()) << "accepted a prefix of " << len << " bytes";
  }
}

TEST_F(PodManifestTest, RandomMutationsNeverCrashAndNeverAcceptInvalidJson) {
  std::mt19937 rng(20240601);
  simdjson::dom::parser dom;
  const std::string original = testdata::kArgoPodJson;
  const std::string alphabet = "{}[]:,\"\\ 0123456789.-+eEtrufalsn\x01\xff\xc3\xa9{}[]:,\"";
  int accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string json = original;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < edits; ++k) {
      const size_t pos = rng() % json.size();
      switch (rng() % 3) {
        case 0:
          json[pos] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          json.erase(pos, 1 + rng() % 4);
          break;
        default:
          json.insert(pos, 1, alphabet[rng() % alphabet.size()]);
          break;
      }
      if (json.empty()) json = "{";
    }
    absl::StatusOr<PodManifestInfo> info = analyzer_.Analyze(json);
    if (info.ok()) {
      ++accepted;
      ASSERT_TRUE(DomAcceptsOrRange(dom, json)) << "accepted invalid JSON:\n" << json;
    }
  }
  // Many mutations land in strings and stay valid: make sure both paths ran.
  EXPECT_GT(accepted, 100);
  EXPECT_LT(accepted, 20000);
}

// Writes `element` as JSON, replacing the node with pre-order index `target`
// by `replacement`.
void WriteReplacing(simdjson::dom::element element, int target, const std::string& replacement,
                    int* index, std::string* out) {
  if ((*index)++ == target) {
    out->append(replacement);
    return;
  }
  switch (element.type()) {
    case simdjson::dom::element_type::OBJECT: {
      out->push_back('{');
      bool first = true;
      for (simdjson::dom::key_value_pair kv : simdjson::dom::object(element)) {
        if (!first) out->push_back(',');
        first = false;
        absl::StrAppend(out, "\"",
                        absl::StrReplaceAll(absl::string_view(kv.key.data(), kv.key.size()),
                                            {{"\\", "\\\\"}, {"\"", "\\\""}}),
                        "\":");
        WriteReplacing(kv.value, target, replacement, index, out);
      }
      out->push_back('}');
      return;
    }
    case simdjson::dom::element_type::ARRAY: {
      out->push_back('[');
      bool first = true;
      for (simdjson::dom::element item : simdjson::dom::array(element)) {
        if (!first) out->push_back(',');
        first = false;
        WriteReplacing(item, target, replacement, index, out);
      }
      out->push_back(']');
      return;
    }
    default:
      out->append(simdjson::minify(element));
      return;
  }
}

TEST_F(PodManifestTest, EveryNodeReplacedByEveryTypeIsHandled) {
  simdjson::dom::parser dom;
  simdjson::dom::element root;
  ASSERT_EQ(dom.parse(std::string(testdata::kArgoPodJson)).get(root), simdjson::SUCCESS);
  const std::vector<std::string> replacements = {
      "1",
      "-1",
      "0.5",
      "1e400",
      "\"x\"",
      "\"-1\"",
      "\"1.5.2\"",
      "\"\"",
      "[]",
      "{}",
      "null",
      "true",
      "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]"
      "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
      "{\"a\":{}}",
      "[null]",
      "[{}]"};
  int nodes = 0;
  {
    std::string ignored;
    WriteReplacing(root, -1, "", &nodes, &ignored);
  }
  ASSERT_GT(nodes, 100);
  int accepted = 0;
  for (int target = 0; target < nodes; ++target) {
    for (const std::string& replacement : replacements) {
      std::string json;
      int index = 0;
      WriteReplacing(root, target, replacement, &index, &json);
      FieldError error;
      absl::StatusOr<PodManifestInfo> info = analyzer_.Analyze(json, &error);
      if (info.ok()) {
        ++accepted;
        EXPECT_FALSE(info->requests.ToString().empty() && info->containers == 0);
      } else {
        EXPECT_FALSE(error.reason.empty());
      }
    }
  }
  EXPECT_GT(accepted, 0);
}

}  // namespace
}  // namespace sluice::kube
