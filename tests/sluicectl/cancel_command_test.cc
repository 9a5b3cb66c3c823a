// `sluicectl cancel`: the real binary against an in-process sluiced whose
// budget keeps intents queued, and the parsing of pod keys.
#include "tools/sluicectl/cancel_command.h"

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

constexpr char kThreePods[] = R"(kind: List
items:
- {kind: Pod, metadata: {name: c-1}, spec: {containers: [{name: m, image: i}]}}
- {kind: Pod, metadata: {name: c-2}, spec: {containers: [{name: m, image: i}]}}
- {kind: Pod, metadata: {name: c-3}, spec: {containers: [{name: m, image: i}]}}
)";

class CancelCommandTest : public InProcessDaemonTest {
 protected:
  void SetUp() override {
    SluicedConfig config;
    config.engine.budget.qps = 0.001;  // at most the first create leaves the queue
    config.engine.budget.burst = 1;
    StartDaemon(config);
    const std::string file = dir_.Write("pods.yaml", kThreePods);
    const RunResult r =
        RunSluicectl({"--address", address(), "submit", "-f", file, "--workflow-uid", "wf-c"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
};

TEST_F(CancelCommandTest, ByWorkflow) {
  const RunResult r =
      RunSluicectl({"--address", address(), "-o", "json", "cancel", "--workflow", "wf-c"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rapidjson::Document doc;
  ASSERT_FALSE(doc.Parse(r.out.c_str()).HasParseError()) << r.out;
  EXPECT_EQ(doc["dropped"].GetUint() + doc["deleting"].GetUint(), 3u);
  EXPECT_EQ(doc["not_found"].GetUint(), 0u);
}

TEST_F(CancelCommandTest, ByPodKeysReportsUnknownOnesAndFails) {
  const RunResult r =
      RunSluicectl({"--address", address(), "cancel", "default/c-3", "c-2", "default/nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, ContainsRegex("cancelled: [12] dropped from the queue, [01] pods being "
                                   "deleted, 0 already done, 1 not found"));
  EXPECT_THAT(r.err, HasSubstr("1 of 3 pods are not known to sluiced"));

  const RunResult again = RunSluicectl({"--address", address(), "cancel", "default/c-3"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("1 already done"));
}

TEST_F(CancelCommandTest, UnknownWorkflowFails) {
  const RunResult r = RunSluicectl({"--address", address(), "cancel", "--workflow", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("workflow nope is not known to sluiced"));
}

TEST_F(CancelCommandTest, NeedsATargetButNotBoth) {
  RunResult r = RunSluicectl({"--address", address(), "cancel"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("give --workflow UID or pods"));
  r = RunSluicectl({"--address", address(), "cancel", "--workflow", "wf-c", "default/c-1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("excludes"));
  r = RunSluicectl({"--address", address(), "cancel", "a/b/c"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("expected NAMESPACE/NAME or NAME"));
}

TEST(CancelTextTest, CountsOrNothing) {
  v1::CancelResponse r;
  EXPECT_EQ(CancelText(r), "cancelled: nothing, every intent had already finished\n");
  r.set_dropped(2);
  r.set_deleting(1);
  EXPECT_EQ(CancelText(r),
            "cancelled: 2 dropped from the queue, 1 pods being deleted, 0 already done, 0 not "
            "found\n");
}

TEST(ParsePodKeyTest, NamespaceSlashNameOrNameInTheDefault) {
  absl::StatusOr<v1::PodKey> key = ParsePodKey("ns/p", "default");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->namespace_(), "ns");
  EXPECT_EQ(key->name(), "p");
  key = ParsePodKey("p", "team");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->namespace_(), "team");
  EXPECT_FALSE(ParsePodKey("/p", "default").ok());
  EXPECT_FALSE(ParsePodKey("ns/", "default").ok());
  EXPECT_FALSE(ParsePodKey("", "default").ok());
}

}  // namespace
}  // namespace sluice::ctl
