// `sluicectl submit`: the real binary against an in-process sluiced, and the
// human form of its answers.
#include "tools/sluicectl/submit_command.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/sluicectl/in_process_daemon.h"
#include "tests/sluicectl/sluicectl_process.h"

namespace sluice::ctl {
namespace {

using ::sluice::ctl::testing::InProcessDaemonTest;
using ::sluice::ctl::testing::RunResult;
using ::sluice::ctl::testing::RunSluicectl;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;

// Two good pods and, between them, one without containers.
constexpr char kPodList[] = R"(apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: good-1
  spec:
    restartPolicy: Never
    containers:
    - name: main
      image: busybox
      resources: {requests: {cpu: 100m, memory: 64Mi}}
- apiVersion: v1
  kind: Pod
  metadata: {name: bad}
  spec:
    containers: []
- kind: Pod
  metadata: {name: good-2}
  spec: {containers: [{name: main, image: busybox}]}
)";

using SubmitCommandTest = InProcessDaemonTest;

TEST_F(SubmitCommandTest, ListWithOneInvalidPodAcceptsTheOthersAndNamesTheField) {
  const std::string file = dir_.Write("pods.yaml", kPodList);
  const RunResult r = RunSluicectl({"--address", address(), "submit", "-f", file, "--workflow",
                                    "demo", "--workflow-uid", "wf-1"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, ContainsRegex("default/good-1 +ACCEPTED\n"));
  EXPECT_THAT(r.out,
              ContainsRegex("default/bad +REJECTED +pod_json.spec.containers: Required value"));
  EXPECT_THAT(r.out, ContainsRegex("default/good-2 +ACCEPTED\n"));
  EXPECT_THAT(r.out, HasSubstr("3 intents: 2 accepted, 0 duplicate, 1 rejected, 0 queue full"));
  EXPECT_THAT(r.err, HasSubstr("1 of 3 intents were not accepted"));
}

TEST_F(SubmitCommandTest, JsonOutputIsTheSubmitResponse) {
  const std::string file = dir_.Write("pods.yaml", kPodList);
  const RunResult r = RunSluicectl(
      {"--address", address(), "-o", "json", "submit", "-f", file, "--workflow-uid", "wf-1"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  rapidjson::Document doc;
  ASSERT_FALSE(doc.Parse(r.out.c_str()).HasParseError()) << r.out;
  EXPECT_EQ(std::string(doc["epoch"].GetString()), std::to_string(daemon_->epoch()));
  EXPECT_EQ(doc["accepted"].GetUint(), 2u);
  const auto& results = doc["results"];
  ASSERT_EQ(results.Size(), 3u);
  EXPECT_STREQ(results[0]["code"].GetString(), "ACCEPTED");
  EXPECT_STREQ(results[1]["code"].GetString(), "REJECTED");
  EXPECT_STREQ(results[1]["field"].GetString(), "pod_json.spec.containers");
  // No generated uid to report: stderr has only the summary error.
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("workflow uid")));
}

TEST_F(SubmitCommandTest, ResubmittingAnswersDuplicateAndMultiDocumentJsonWorks) {
  const std::string file = dir_.Write("pods.json", R"({"kind":"Pod","metadata":{"name":"j-1"},
    "spec":{"containers":[{"name":"m","image":"i"}]}}
---
{"kind":"Pod","metadata":{"name":"j-2","namespace":"team-a"},"spec":{"containers":[{"name":"m","image":"i"}]}}
)");
  const RunResult first = RunSluicectl({"--address", address(), "submit", "-f", file});
  EXPECT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_THAT(first.out, ContainsRegex("default/j-1 +ACCEPTED"));
  EXPECT_THAT(first.out, ContainsRegex("team-a/j-2 +ACCEPTED"));
  EXPECT_THAT(first.err, ContainsRegex("workflow uid [0-9a-f]{8}-[0-9a-f]{4}-4"));
  const RunResult second = RunSluicectl({"--address", address(), "submit", "-f", file});
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_THAT(second.out, ContainsRegex("default/j-1 +DUPLICATE +already known, "));
}

TEST_F(SubmitCommandTest, NamespaceFlagAgainstTheManifestIsRejectedBySluiced) {
  const std::string file = dir_.Write("pod.yaml",
                                      "kind: Pod\nmetadata: {name: p, namespace: team-a}\nspec: "
                                      "{containers: [{name: m, image: i}]}\n");
  const RunResult r = RunSluicectl({"--address", address(), "submit", "-n", "team-b", "-f", file});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, ContainsRegex("team-b/p +REJECTED +pod_json.metadata.namespace: "));
}

TEST_F(SubmitCommandTest, BadInputIsAUsageErrorAndSendsNothing) {
  const std::string deployment =
      dir_.Write("deploy.yaml",
                 "kind: Pod\nmetadata: {name: a}\n---\napiVersion: apps/v1\nkind: Deployment\n");
  RunResult r = RunSluicectl({"--address", address(), "submit", "-f", deployment});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("document 2 (line 4): kind Deployment: only pods can be submitted"));

  r = RunSluicectl({"--address", address(), "submit", "-f", dir_.path() + "/missing.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("cannot read"));

  r = RunSluicectl({"--address", address(), "submit"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--filename is required"));

  r = RunSluicectl({"--address", address(), "submit", "-f", deployment, "--policy", "cheap"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("must be on-demand, spot-preferred or spot-only"));

  v1::GetStatusResponse status;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->GetStatus(&context, v1::GetStatusRequest(), &status).ok());
  EXPECT_EQ(status.states().queued() + status.states().created() + status.states().dispatching(),
            0u);
}

TEST_F(SubmitCommandTest, DryRunNeedsNoDaemonAndShowsTheIntents) {
  const std::string file = dir_.Write("pods.yaml", kPodList);
  const RunResult r = RunSluicectl({"--address", "unix:///nonexistent.sock", "submit", "-f", file,
                                    "--dry-run", "--priority", "7", "--cost-label", "team=quant",
                                    "--policy", "SPOT_ONLY", "--pool", "spot-a"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  rapidjson::Document doc;
  ASSERT_FALSE(doc.Parse(r.out.c_str()).HasParseError()) << r.out;
  const auto& intent = doc["intents"][0];
  EXPECT_STREQ(intent["name"].GetString(), "good-1");
  EXPECT_EQ(intent["priority"].GetInt(), 7);
  EXPECT_STREQ(intent["cost_labels"]["team"].GetString(), "quant");
  EXPECT_STREQ(intent["capacity_policy"].GetString(), "CAPACITY_POLICY_SPOT_ONLY");
  EXPECT_STREQ(intent["allowed_pools"][0].GetString(), "spot-a");
}

TEST(SubmitTextTest, OneLinePerIntentThenTheCounts) {
  std::vector<v1::PodIntent> intents(3);
  intents[0].set_namespace_("ns");
  intents[0].set_name("a");
  intents[1].set_namespace_("ns");
  intents[1].set_name("long-name-b");
  intents[2].set_namespace_("ns");
  v1::SubmitResponse response;
  response.add_results()->set_code(v1::IntentResult::ACCEPTED);
  v1::IntentResult* dup = response.add_results();
  dup->set_code(v1::IntentResult::DUPLICATE);
  dup->set_state(v1::INTENT_STATE_RUNNING);
  v1::IntentResult* bad = response.add_results();
  bad->set_code(v1::IntentResult::REJECTED);
  bad->set_field("name");
  bad->set_reason("required");
  response.set_accepted(1);
  response.set_duplicates(1);
  response.set_rejected(1);
  EXPECT_EQ(SubmitText(intents, response),
            "POD             RESULT     DETAIL\n"
            "ns/a            ACCEPTED\n"
            "ns/long-name-b  DUPLICATE  already known, Running\n"
            "ns/(no name)    REJECTED   name: required\n"
            "3 intents: 1 accepted, 1 duplicate, 1 rejected, 0 queue full\n");
}

}  // namespace
}  // namespace sluice::ctl
