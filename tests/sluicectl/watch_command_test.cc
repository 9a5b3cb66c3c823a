// `sluicectl watch`: the real binary follows an in-process sluiced's events
// and stops cleanly on Ctrl-C; the human form of an event.
#include "tools/sluicectl/watch_command.h"

#include <signal.h>

#include <set>
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
using ::sluice::ctl::testing::SluicectlProcess;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kTwoPods[] = R"(kind: List
items:
- {kind: Pod, metadata: {name: w-1}, spec: {containers: [{name: m, image: i}]}}
- {kind: Pod, metadata: {name: w-2}, spec: {containers: [{name: m, image: i}]}}
)";
constexpr char kOtherPod[] =
    "kind: Pod\nmetadata: {name: other}\nspec: {containers: [{name: m, image: i}]}\n";

using WatchCommandTest = InProcessDaemonTest;

TEST_F(WatchCommandTest, PrintsOneLinePerEventOfItsWorkflowUntilInterrupted) {
  SluicectlProcess watch({"--address", address(), "watch", "--workflow", "wf-w"});
  EXPECT_THAT(watch.ReadLine(), StartsWith("TIME          SEQ     EVENT         POD"));
  WaitForWatchStreams(1);
  ASSERT_EQ(RunSluicectl({"--address", address(), "submit", "-f", dir_.Write("o.yaml", kOtherPod),
                          "--workflow-uid", "wf-other"})
                .exit_code,
            0);
  ASSERT_EQ(RunSluicectl({"--address", address(), "submit", "-f", dir_.Write("w.yaml", kTwoPods),
                          "--workflow-uid", "wf-w"})
                .exit_code,
            0);
  std::set<std::string> created;
  while (created.size() < 2) {
    const std::string line = watch.ReadLine();
    ASSERT_FALSE(line.empty()) << "the watch ended early";
    EXPECT_THAT(line, ::testing::Not(HasSubstr("default/other")));
    if (line.find(" Created ") != std::string::npos) {
      EXPECT_THAT(line, ContainsRegex("^[0-9:.]{12}  [0-9]+ +Created +default/w-[12]"));
      created.insert(line.substr(line.find("default/w-"), 11));
    }
  }
  const RunResult r = watch.Signal(SIGINT);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST_F(WatchCommandTest, JsonPrintsOnePodEventPerLine) {
  SluicectlProcess watch({"--address", address(), "-o", "json", "watch"});
  WaitForWatchStreams(1);
  ASSERT_EQ(RunSluicectl({"--address", address(), "submit", "-f", dir_.Write("o.yaml", kOtherPod),
                          "--workflow-uid", "wf-j"})
                .exit_code,
            0);
  const std::string line = watch.ReadLine();
  rapidjson::Document doc;
  ASSERT_FALSE(doc.Parse(line.c_str()).HasParseError()) << line;
  EXPECT_STREQ(doc["workflow_uid"].GetString(), "wf-j");
  EXPECT_STREQ(doc["pod"]["name"].GetString(), "other");
  EXPECT_EQ(std::string(doc["epoch"].GetString()), std::to_string(daemon_->epoch()));
  EXPECT_EQ(watch.Signal(SIGTERM).exit_code, 0);
}

TEST_F(WatchCommandTest, TheDaemonStoppingEndsTheWatchWithExitThree) {
  SluicectlProcess watch({"--address", address(), "watch"});
  WaitForWatchStreams(1);
  daemon_->Shutdown(absl::Seconds(5));
  daemon_.reset();
  const RunResult r = watch.Wait();
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("lost the event stream from sluiced at ", address())));
}

TEST(EventLineTest, DetailsSayWhatChangedAndWhy) {
  v1::PodEvent e;
  e.set_sequence(42);
  e.set_type(v1::EVENT_TYPE_RESCHEDULED);
  e.set_state(v1::INTENT_STATE_QUEUED);
  e.mutable_pod()->set_namespace_("ns");
  e.mutable_pod()->set_name("p");
  e.set_workflow_uid("wf");
  e.set_previous_pool("spot-a");
  e.set_pool("on-demand");
  e.set_attempt(2);
  e.set_reason("StockOut");
  e.set_message("no capacity");
  e.mutable_time()->set_seconds(1'700'000'000);
  e.mutable_time()->set_nanos(123'000'000);
  EXPECT_EQ(EventLine(e, absl::UTCTimeZone(), /*with_workflow=*/true),
            "22:13:20.123  42      Rescheduled   ns/p                            now Queued, pool "
            "spot-a -> on-demand, attempt 2, workflow wf, StockOut: no capacity\n");
  e.set_type(v1::EVENT_TYPE_CREATED);
  e.set_state(v1::INTENT_STATE_CREATED);
  e.set_submit_to_create_ms(1500);
  e.clear_previous_pool();
  e.set_attempt(1);
  e.clear_reason();
  e.clear_message();
  EXPECT_EQ(EventLine(e, absl::UTCTimeZone(), /*with_workflow=*/false),
            "22:13:20.123  42      Created       ns/p                            in 1.5s, pool "
            "on-demand\n");
  EXPECT_EQ(WatchHeader(),
            "TIME          SEQ     EVENT         POD                             DETAIL\n");
}

}  // namespace
}  // namespace sluice::ctl
