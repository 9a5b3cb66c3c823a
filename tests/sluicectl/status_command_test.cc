// `sluicectl status`: the real binary against an in-process sluiced, and the
// human form of a status.
#include "tools/sluicectl/status_command.h"

#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
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
using ::testing::Not;

using StatusCommandTest = InProcessDaemonTest;

TEST_F(StatusCommandTest, JsonIsTheGetStatusResponseWithTheEpoch) {
  const RunResult r = RunSluicectl({"--address", address(), "-o", "json", "status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rapidjson::Document doc;
  ASSERT_FALSE(doc.Parse(r.out.c_str()).HasParseError()) << r.out;
  ASSERT_TRUE(doc.HasMember("epoch"));
  EXPECT_EQ(std::string(doc["epoch"].GetString()), std::to_string(daemon_->epoch()));
  EXPECT_STREQ(doc["version"].GetString(), "test");
  // Zero fields are printed too, so scripts always find their keys.
  EXPECT_TRUE(doc.HasMember("queue_depth"));
  EXPECT_TRUE(doc["budget"].HasMember("adaptive"));
  v1::GetStatusResponse parsed;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &parsed).ok());
  EXPECT_EQ(parsed.epoch(), daemon_->epoch());
}

TEST_F(StatusCommandTest, ConfigFlagShowsTheConfigurationInForce) {
  const RunResult table = RunSluicectl({"--address", address(), "status", "--config"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, ContainsRegex("Config: +generation 1, loaded .* from defaults and flags"));
  EXPECT_THAT(table.out, HasSubstr("\nbudget:\n  qps: "));

  const RunResult json = RunSluicectl({"--address", address(), "-o", "json", "status", "--config"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  rapidjson::Document doc;
  ASSERT_FALSE(doc.Parse(json.out.c_str()).HasParseError()) << json.out;
  ASSERT_TRUE(doc.HasMember("config"));
  EXPECT_STREQ(doc["config"]["generation"].GetString(), "1");
  EXPECT_THAT(std::string(doc["config"]["yaml"].GetString()), HasSubstr("listen: unix://"));

  const RunResult plain = RunSluicectl({"--address", address(), "status"});
  EXPECT_THAT(plain.out, Not(HasSubstr("Config:")));
}

TEST_F(StatusCommandTest, TableShowsQueueBudgetAndNamespaces) {
  SluicedConfig config;
  config.engine.budget.qps = 0.001;  // nothing leaves the queue after the first
  config.engine.budget.burst = 1;
  StartDaemon(config);
  const std::string file = dir_.Write("pods.yaml", R"(kind: List
items:
- {kind: Pod, metadata: {name: a, namespace: team-a}, spec: {containers: [{name: m, image: i}]}}
- {kind: Pod, metadata: {name: b, namespace: team-a}, spec: {containers: [{name: m, image: i}]}}
- {kind: Pod, metadata: {name: c, namespace: team-a}, spec: {containers: [{name: m, image: i}]}}
)");
  ASSERT_EQ(RunSluicectl({"--address", address(), "submit", "-f", file}).exit_code, 0);

  // $SLUICE_ADDRESS replaces the default address.
  const RunResult r = RunSluicectl({"status"}, {"SLUICE_ADDRESS=" + address()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("sluiced test, epoch ", absl::Hex(daemon_->epoch()))));
  EXPECT_THAT(r.out, HasSubstr("APIServer:     (injected writer)"));
  EXPECT_THAT(r.out, ContainsRegex("Budget: +0.001 qps, burst 1, "));
  EXPECT_THAT(r.out, HasSubstr("Adaptive:      off"));
  EXPECT_THAT(r.out, ContainsRegex("NAMESPACE +QUEUED +QUOTA-BLOCKED +IN-FLIGHT"));
  EXPECT_THAT(r.out, ContainsRegex("team-a +[23] +0 +[01] +1 +1 +-\n"));

  const RunResult without = RunSluicectl({"--address", address(), "status", "--no-namespaces"});
  EXPECT_THAT(without.out, ::testing::Not(HasSubstr("NAMESPACE")));
}

TEST(StatusTextTest, AdaptiveBudgetPauseAndQuotaHeadroom) {
  v1::GetStatusResponse s;
  s.set_epoch(0xabc);
  s.set_version("1.2.3");
  s.mutable_started()->set_seconds(1'700'000'000);
  s.set_kube_server("https://k8s:443");
  s.set_queue_depth(12);
  s.set_queue_cap(1000);
  s.set_backing_off(2);
  v1::BudgetStatus* b = s.mutable_budget();
  b->set_qps(37.5);
  b->set_burst(50);
  b->set_tokens(3.25);
  b->set_in_flight(4);
  b->set_max_in_flight(64);
  b->set_paused_ms(1500);
  b->set_adaptive(true);
  b->set_slow_start(true);
  b->set_floor_qps(5);
  b->set_ceiling_qps(400);
  b->set_decreases_throttled(3);
  s.mutable_states()->set_queued(12);
  s.mutable_states()->set_running(7);
  v1::NamespaceStatus* ns = s.add_namespaces();
  ns->set_namespace_("quant");
  ns->set_queued(12);
  ns->set_blocked(10);
  ns->set_weight(2);
  ns->set_strict_fifo(true);
  v1::QuotaStatus* q = ns->add_quotas();
  q->set_name("compute");
  q->set_status_known(true);
  (*q->mutable_headroom())["requests.cpu"] = "2";
  (*q->mutable_headroom())["pods"] = "0";
  v1::QuotaStatus* fresh = ns->add_quotas();
  fresh->set_name("new");

  const absl::Time now = absl::FromUnixSeconds(1'700'000'000 + 192);
  EXPECT_EQ(StatusText(s, now),
            "sluiced 1.2.3, epoch abc, up 3m12s (since 2023-11-14T22:13:20Z)\n"
            "APIServer:     https://k8s:443\n"
            "Queue:         12 queued (cap 1000), 2 backing off, 0 deletes queued\n"
            "Workflows:     0 active\n"
            "Budget:        37.5 qps, burst 50, 3.25 tokens, in flight 4/64\n"
            "Adaptive:      on (slow start), 5..400 qps; decreases: 3 on 429, 0 on latency\n"
            "Paused:        1.5s more (Retry-After)\n"
            "Intents:       queued 12, running 7\n"
            "Watch streams: 0\n"
            "\n"
            "NAMESPACE     QUEUED  QUOTA-BLOCKED  IN-FLIGHT  WORKFLOWS  WEIGHT  QUOTA HEADROOM\n"
            "quant (fifo)  12      10             0          0          2       compute: "
            "pods=0 requests.cpu=2; new: usage not counted yet\n");
}

}  // namespace
}  // namespace sluice::ctl
