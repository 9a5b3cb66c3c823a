#include "tools/kubesim/pod_create.h"

#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tools/kubesim/json_parse.h"

namespace sluice::kubesim {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'700'000'000) + absl::Milliseconds(700);

ParsedPod MustParse(std::string_view body, std::string_view ns = "default") {
  ApiOr<ParsedPod> p = ParsePodForCreate(body, ns, kNow);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().body);
  return p.ok() ? p.value() : ParsedPod{};
}

rapidjson::Document Published(const Pod& pod) {
  // Encoding is done by the store; a clone published through it would do
  // too, but the spec JSON alone is what this file checks.
  rapidjson::Document doc;
  ParseJson(pod.spec().json, &doc);
  return doc;
}

TEST(PodCreateTest, AppliesApiserverDefaults) {
  ParsedPod p = MustParse(
      R"({"metadata":{"name":"p1","labels":{"b":"2","a":"1"}},"spec":{"containers":[{"name":"c","image":"busybox"},{"name":"d","image":"img:1.0"}]}})");
  ASSERT_NE(p.pod, nullptr);
  EXPECT_TRUE(p.invalid.empty());
  EXPECT_FALSE(p.name_generated);
  const ObjectMeta& m = p.pod->meta();
  EXPECT_EQ(m.name, "p1");
  EXPECT_EQ(m.namespace_name, "default");
  EXPECT_EQ(m.uid.size(), 36u);
  EXPECT_EQ(m.creation_timestamp, absl::FromUnixSeconds(1'700'000'000));  // whole seconds
  EXPECT_EQ(m.labels, (StringMap{{"a", "1"}, {"b", "2"}}));
  rapidjson::Document spec = Published(*p.pod);
  EXPECT_STREQ(spec["restartPolicy"].GetString(), "Always");
  EXPECT_EQ(spec["terminationGracePeriodSeconds"].GetInt(), 30);
  EXPECT_STREQ(spec["dnsPolicy"].GetString(), "ClusterFirst");
  EXPECT_STREQ(spec["schedulerName"].GetString(), "default-scheduler");
  EXPECT_STREQ(spec["serviceAccountName"].GetString(), "default");
  EXPECT_STREQ(spec["serviceAccount"].GetString(), "default");
  EXPECT_EQ(spec["tolerations"].Size(), 2u);
  EXPECT_STREQ(spec["tolerations"][0]["key"].GetString(), "node.kubernetes.io/not-ready");
  EXPECT_EQ(spec["tolerations"][1]["tolerationSeconds"].GetInt(), 300);
  const auto& c0 = spec["containers"][0];
  EXPECT_STREQ(c0["imagePullPolicy"].GetString(), "Always");  // no tag
  EXPECT_STREQ(c0["terminationMessagePath"].GetString(), "/dev/termination-log");
  EXPECT_STREQ(c0["terminationMessagePolicy"].GetString(), "File");
  EXPECT_TRUE(c0["resources"].IsObject());
  EXPECT_STREQ(spec["containers"][1]["imagePullPolicy"].GetString(), "IfNotPresent");
  EXPECT_FALSE(spec.HasMember("nodeName"));
  EXPECT_EQ(p.pod->spec().qos_class, "BestEffort");
  EXPECT_EQ(p.pod->phase(), PodPhase::kPending);
}

TEST(PodCreateTest, KeepsClientChoices) {
  ParsedPod p = MustParse(
      R"({"metadata":{"name":"p1"},"spec":{"restartPolicy":"Never","terminationGracePeriodSeconds":5,"serviceAccountName":"argo","tolerations":[{"operator":"Exists"}],"containers":[{"name":"c","image":"i:latest","imagePullPolicy":"Never"}]}})");
  rapidjson::Document spec = Published(*p.pod);
  EXPECT_STREQ(spec["restartPolicy"].GetString(), "Never");
  EXPECT_EQ(spec["terminationGracePeriodSeconds"].GetInt(), 5);
  EXPECT_STREQ(spec["serviceAccount"].GetString(), "argo");
  EXPECT_EQ(spec["tolerations"].Size(), 1u);  // a wildcard toleration covers both
  EXPECT_STREQ(spec["containers"][0]["imagePullPolicy"].GetString(), "Never");
  EXPECT_EQ(p.pod->spec().termination_grace_period_seconds, 5);
  EXPECT_EQ(p.pod->spec().restart_policy, "Never");
  EXPECT_EQ(p.pod->spec().service_account_name, "argo");
}

TEST(PodCreateTest, RequestsFollowTheKubernetesRule) {
  // max(sum of containers, each init container) + overhead; limits default requests.
  ParsedPod p = MustParse(R"({"metadata":{"name":"p"},"spec":{
      "initContainers":[{"name":"i","image":"x","resources":{"requests":{"cpu":"2","memory":"64Mi"}}}],
      "containers":[
        {"name":"a","image":"x","resources":{"requests":{"cpu":"500m","memory":"1Gi"}}},
        {"name":"b","image":"x","resources":{"limits":{"cpu":"750m","nvidia.com/gpu":"1"}}}],
      "overhead":{"cpu":"100m"}}})");
  EXPECT_EQ(p.pod->spec().requests,
            (ResourceAmounts{
                {"cpu", 2100}, {"memory", int64_t{1073741824} * 1000}, {"nvidia.com/gpu", 1000}}));
  EXPECT_EQ(p.pod->spec().qos_class, "Burstable");
  rapidjson::Document spec = Published(*p.pod);
  EXPECT_STREQ(spec["containers"][1]["resources"]["requests"]["cpu"].GetString(), "750m");
}

TEST(PodCreateTest, QosGuaranteed) {
  ParsedPod p = MustParse(
      R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x","resources":{"limits":{"cpu":"1","memory":"1Gi"}}}]}})");
  EXPECT_EQ(p.pod->spec().qos_class, "Guaranteed");
}

TEST(PodCreateTest, GenerateName) {
  ParsedPod p = MustParse(
      R"({"metadata":{"generateName":"wf-"},"spec":{"containers":[{"name":"c","image":"i"}]}})");
  EXPECT_TRUE(p.name_generated);
  ASSERT_EQ(p.pod->meta().name.size(), 8u);
  EXPECT_EQ(p.pod->meta().name.substr(0, 3), "wf-");
  EXPECT_EQ(p.pod->meta().generate_name, "wf-");
}

TEST(PodCreateTest, ValidationCauses) {
  ParsedPod p = MustParse(R"({"metadata":{"name":"p1"},"spec":{}})");
  ASSERT_EQ(p.invalid.size(), 1u);
  EXPECT_EQ(p.invalid[0].field, "spec.containers");
  EXPECT_EQ(p.invalid[0].reason, "FieldValueRequired");

  p = MustParse(R"({"metadata":{"name":"p1"},"spec":{"containers":[{"image":"x"},{"name":"c"}]}})");
  ASSERT_EQ(p.invalid.size(), 2u);
  EXPECT_EQ(p.invalid[0].field, "spec.containers[0].name");
  EXPECT_EQ(p.invalid[1].field, "spec.containers[1].image");
  EXPECT_EQ(
      Invalid("Pod", p.pod->meta().name, p.invalid).body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Pod \"p1\" is invalid: [spec.containers[0].name: Required value, spec.containers[1].image: Required value]","reason":"Invalid","details":{"name":"p1","kind":"Pod","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.containers[0].name"},{"reason":"FieldValueRequired","message":"Required value","field":"spec.containers[1].image"}]},"code":422})");

  p = MustParse(R"({"spec":{"containers":[{"name":"c","image":"x"}]}})");
  ASSERT_EQ(p.invalid.size(), 1u);
  EXPECT_EQ(p.invalid[0].message, "Required value: name or generateName is required");
  EXPECT_EQ(p.invalid[0].field, "metadata.name");

  p = MustParse(
      R"({"metadata":{"name":"Bad_Name"},"spec":{"containers":[{"name":"c","image":"x"},{"name":"c","image":"y"}]}})");
  ASSERT_EQ(p.invalid.size(), 2u);
  EXPECT_EQ(p.invalid[0].reason, "FieldValueInvalid");
  EXPECT_EQ(p.invalid[0].message.substr(0, 62),
            "Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must");
  EXPECT_EQ(p.invalid[1].reason, "FieldValueDuplicate");
  EXPECT_EQ(p.invalid[1].message, "Duplicate value: \"c\"");
  EXPECT_EQ(p.invalid[1].field, "spec.containers[1].name");
}

TEST(PodCreateTest, BadRequests) {
  auto r = ParsePodForCreate("{not json", "default", kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().http_code, 400);
  r = ParsePodForCreate(R"({"metadata":{"name":"p","namespace":"other"},"spec":{}})", "default",
                        kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(
      r.error().body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the namespace of the provided object does not match the namespace sent on the request","reason":"BadRequest","code":400})");
  r = ParsePodForCreate(
      R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"x","resources":{"requests":{"cpu":"lots"}}}]}})",
      "default", kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().http_code, 400);
  r = ParsePodForCreate(R"({"kind":"Service","metadata":{"name":"p"}})", "default", kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().http_code, 400);
}

TEST(PodCreateTest, SimulationAnnotationsAndDirectBinding) {
  ParsedPod p = MustParse(R"({"metadata":{"name":"p","annotations":{
      "sim.sluice.dev/run-ms":"1500","sim.sluice.dev/exit-code":"3","sim.sluice.dev/start-ms":"20",
      "sim.sluice.dev/schedule-ms":"x"}},
      "spec":{"nodeName":"n7","containers":[{"name":"c","image":"x"}]}})");
  EXPECT_EQ(p.pod->spec().sim.run_ms, 1500);
  EXPECT_EQ(p.pod->spec().sim.exit_code, 3);
  EXPECT_EQ(p.pod->spec().sim.start_ms, 20);
  EXPECT_EQ(p.pod->spec().sim.schedule_ms, std::nullopt);  // not a number: ignored
  EXPECT_EQ(p.pod->state().node_name, "n7");
  EXPECT_EQ(p.pod->spec().json.find("nodeName"), std::string::npos);
}

TEST(PodCreateTest, IgnoresClientStatusAndKeepsOwnerReferences) {
  ParsedPod p = MustParse(R"({"metadata":{"name":"p","resourceVersion":"9","uid":"mine",
      "ownerReferences":[{"apiVersion":"argoproj.io/v1alpha1","kind":"Workflow","name":"w","uid":"u1"}],
      "finalizers":["a/b"]},"spec":{"containers":[{"name":"c","image":"x"}]},
      "status":{"phase":"Running"}})");
  EXPECT_NE(p.pod->meta().uid, "mine");
  EXPECT_EQ(p.pod->phase(), PodPhase::kPending);
  EXPECT_EQ(p.pod->meta().owner_references_json,
            R"([{"apiVersion":"argoproj.io/v1alpha1","kind":"Workflow","name":"w","uid":"u1"}])");
  EXPECT_EQ(p.pod->meta().finalizers_json, R"(["a/b"])");
}

}  // namespace
}  // namespace sluice::kubesim
