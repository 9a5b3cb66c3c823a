// Process-level: kubesim and sluiced (with --ledger) on ephemeral loopback
// ports. Hundreds of short pods are submitted over gRPC; sluiced is killed
// with SIGKILL while they run and started again on the same ledger; the
// client resubmits (as a controller would after losing its connection). Once
// every pod has finished, the ledger must hold exactly one ended row per pod
// attempt — compared uid by uid with kubesim's own record (GET /sim/history)
// — and every row's cost must equal an independent recomputation from
// kubesim's times and the configured prices.
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "scheduler/common/clock.h"
#include "sluice/v1/scheduler.grpc.pb.h"
#include "tools/loadgen/child_process.h"
#include "tools/loadgen/http_get.h"
#include "tools/loadgen/local_stack.h"
#include "tools/loadgen/scheduler_channel.h"

namespace sluice {
namespace {

using loadgen::ChildProcess;

constexpr int kPods = 400;
constexpr int kWorkflows = 8;
// The pool's exact prices (nano-units per hour) and rule, as in kConfig.
constexpr int64_t kVcpuNanoHour = 40'800'000;  // 0.0408
constexpr int64_t kGibNanoHour = 4'500'000;    // 0.0045
constexpr int64_t kMinimumSeconds = 2;
constexpr char kConfig[] = R"yaml(
budget:
  qps: 150
  burst: 20
pools:
  - name: od-a
    class: on-demand
    prices: {currency: USD, vcpu_hour: 0.0408, gib_hour: 0.0045}
    billing: {start: running, granularity_seconds: 1, minimum_seconds: 2}
cost:
  label_keys: [team]
)yaml";

std::string BinDir() {
  const char* dir = std::getenv("SLUICE_BIN_DIR");
  return dir != nullptr ? dir : loadgen::ExecutableDir() + "/../bin";
}

int64_t CpuMilli(int i) { return 100 + 50 * (i % 7); }
int64_t MemoryMi(int i) { return 64 << (i % 4); }

v1::PodIntent Intent(int i) {
  v1::PodIntent intent;
  intent.set_namespace_("default");
  intent.set_name(absl::StrCat("cost-pod-", i));
  const int w = i % kWorkflows;
  intent.mutable_workflow()->set_uid(absl::StrCat("wf-uid-", w));
  intent.mutable_workflow()->set_name(absl::StrCat("wf-", w));
  (*intent.mutable_cost_labels())["team"] = w % 2 == 0 ? "red" : "blue";
  intent.set_pod_json(absl::StrCat(
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"cost-pod-)", i,
      R"("},"spec":{"restartPolicy":"Never","containers":[{"name":"main","image":"busybox",)",
      R"("resources":{"requests":{"cpu":")", CpuMilli(i), R"(m","memory":")", MemoryMi(i),
      R"(Mi"}}}]}})"));
  return intent;
}

absl::Time ParseTime(const rapidjson::Value& v) {
  absl::Time t;
  std::string error;
  if (!v.IsString() || !absl::ParseTime(absl::RFC3339_full, v.GetString(), &t, &error)) {
    return absl::InfinitePast();
  }
  return t;
}

// Kubernetes writes pod times to the second: what sluiced bills from.
int64_t FloorSeconds(absl::Time t) { return absl::ToUnixSeconds(t); }

class LedgerRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/ledger_restart_", getpid());
    ASSERT_EQ(std::system(absl::StrCat("mkdir -p ", dir_).c_str()), 0);
    ledger_ = dir_ + "/cost.db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((ledger_ + suffix).c_str());
    config_ = dir_ + "/sluiced.yaml";
    std::ofstream(config_) << kConfig;

    ChildProcess::Spec kubesim;
    kubesim.binary = BinDir() + "/kubesim";
    kubesim.args = {"--listen",   "127.0.0.1:0", "--schedule-ms", "20",
                    "--start-ms", "30",          "--run-ms",      "700"};
    kubesim.stderr_path = dir_ + "/kubesim.log";
    auto k = ChildProcess::Start(kubesim);
    ASSERT_TRUE(k.ok()) << k.status();
    kubesim_ = std::move(*k);
    auto line = kubesim_->ReadLine(absl::Seconds(15));
    ASSERT_TRUE(line.ok()) << line.status();
    auto url = loadgen::ParseKubesimLine(*line);
    ASSERT_TRUE(url.ok()) << url.status();
    kubesim_url_ = *url;
    kubesim_->DiscardOutput();
  }

  void TearDown() override {
    if (sluiced_ != nullptr) sluiced_->Stop(absl::Seconds(3));
    if (kubesim_ != nullptr) kubesim_->Stop(absl::Seconds(3));
  }

  void StartSluiced() {
    ChildProcess::Spec spec;
    spec.binary = BinDir() + "/sluiced";
    spec.args = {"--listen",        "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
                 "--kube-server",   kubesim_url_,  "--log-format",     "json",
                 "--drain-seconds", "1",           "--config",         config_,
                 "--ledger",        ledger_,       "--log-level",      "warn"};
    spec.stderr_path = absl::StrCat(dir_, "/sluiced-", ++starts_, ".log");
    auto s = ChildProcess::Start(spec);
    ASSERT_TRUE(s.ok()) << s.status();
    sluiced_ = std::move(*s);
    auto line = sluiced_->ReadLine(absl::Seconds(15));
    ASSERT_TRUE(line.ok()) << line.status();
    auto address = loadgen::ParseSluicedLine(*line);
    ASSERT_TRUE(address.ok()) << address.status();
    sluiced_->DiscardOutput();
    stub_ = v1::Scheduler::NewStub(loadgen::MakeSchedulerChannel(address->first));
  }

  void SubmitAll() {
    for (int start = 0; start < kPods; start += 100) {
      v1::SubmitRequest request;
      for (int i = start; i < start + 100; ++i) *request.add_intents() = Intent(i);
      v1::SubmitResponse response;
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      grpc::Status status = stub_->SubmitBatch(&context, request, &response);
      ASSERT_TRUE(status.ok()) << status.error_message();
      ASSERT_EQ(response.rejected(), 0u);
    }
  }

  absl::StatusOr<v1::GetCostResponse> CostByPod() {
    v1::GetCostRequest request;
    request.set_group_by(v1::COST_GROUP_BY_POD);
    v1::GetCostResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Status status = stub_->GetCost(&context, request, &response);
    if (!status.ok()) return absl::UnavailableError(status.error_message());
    return response;
  }

  std::string dir_;
  std::string ledger_;
  std::string config_;
  std::string kubesim_url_;
  int starts_ = 0;
  std::unique_ptr<ChildProcess> kubesim_;
  std::unique_ptr<ChildProcess> sluiced_;
  std::unique_ptr<v1::Scheduler::Stub> stub_;
};

TEST_F(LedgerRestartTest, KillMidRunLosesNoRowAndCountsNoneTwice) {
  StartSluiced();
  SubmitAll();
  // Let part of the work happen: some pods created, some running, some done.
  const MonoTime kill_at = RealClock::Get().MonoNow() + absl::Milliseconds(1500);
  while (RealClock::Get().MonoNow() < kill_at) absl::SleepFor(absl::Milliseconds(50));
  sluiced_->KillNow();
  while (!sluiced_->Exited()) absl::SleepFor(absl::Milliseconds(10));
  sluiced_.reset();

  StartSluiced();
  SubmitAll();  // the client resubmits; pods that exist are adopted

  // Wait until kubesim has every pod finished and the ledger has every
  // attempt ended.
  const MonoTime deadline = RealClock::Get().MonoNow() + absl::Seconds(90);
  rapidjson::Document history;
  v1::GetCostResponse cost;
  bool done = false;
  while (!done && RealClock::Get().MonoNow() < deadline) {
    absl::SleepFor(absl::Milliseconds(250));
    auto body = loadgen::HttpGet(kubesim_url_, "/sim/history", absl::Seconds(10));
    if (!body.ok()) continue;
    history.Parse(body->c_str());
    if (history.HasParseError() || !history.IsArray()) continue;
    int finished = 0;
    for (const auto& pod : history.GetArray()) finished += pod["finished"].IsString() ? 1 : 0;
    if (finished < kPods) continue;
    auto c = CostByPod();
    if (!c.ok()) continue;
    cost = std::move(*c);
    done = cost.totals_size() == 1 && cost.totals(0).running() == 0 &&
           cost.attempts_size() >= static_cast<int>(history.Size());
  }
  ASSERT_TRUE(done) << "not every pod finished and was recorded in time";

  // One ledger row per pod attempt, uid by uid.
  ASSERT_EQ(history.Size(), static_cast<rapidjson::SizeType>(kPods));
  absl::flat_hash_map<std::string, const v1::CostAttempt*> rows;
  for (const v1::CostAttempt& a : cost.attempts()) {
    EXPECT_TRUE(rows.emplace(a.pod_uid(), &a).second) << "duplicate row " << a.pod_uid();
  }
  EXPECT_EQ(rows.size(), static_cast<size_t>(kPods));

  int64_t total = 0;
  int checked = 0;
  int mismatches = 0;
  for (const auto& pod : history.GetArray()) {
    const std::string uid = pod["uid"].GetString();
    auto it = rows.find(uid);
    if (it == rows.end()) {
      ADD_FAILURE() << "no ledger row for pod " << pod["name"].GetString() << " uid " << uid;
      continue;
    }
    const v1::CostAttempt& a = *it->second;
    int i = 0;
    ASSERT_EQ(std::sscanf(pod["name"].GetString(), "cost-pod-%d", &i), 1);
    EXPECT_EQ(a.end_reason(), "succeeded") << uid;
    EXPECT_EQ(a.pool(), "od-a");
    EXPECT_EQ(a.labels().at("team"), i % kWorkflows % 2 == 0 ? "red" : "blue");
    EXPECT_EQ(a.workflow_uid(), absl::StrCat("wf-uid-", i % kWorkflows));
    EXPECT_EQ(a.workflow_name(), absl::StrCat("wf-", i % kWorkflows));
    // Independent recomputation: billing from the first container start to
    // the finish (second precision, as the pod shows them), whole seconds,
    // at least the minimum; cost rounded up to the nano-unit.
    const int64_t start = FloorSeconds(ParseTime(pod["started"]));
    const int64_t end = FloorSeconds(ParseTime(pod["finished"]));
    int64_t seconds = end > start ? end - start : 0;
    if (seconds < kMinimumSeconds) seconds = kMinimumSeconds;
    const __int128 numerator =
        static_cast<__int128>(seconds) *
        (static_cast<__int128>(CpuMilli(i)) * kVcpuNanoHour * (int64_t{1} << 30) +
         static_cast<__int128>(MemoryMi(i) << 20) * kGibNanoHour * 1000);
    const __int128 denominator = static_cast<__int128>(3600) * 1000 * (int64_t{1} << 30);
    const int64_t expected = static_cast<int64_t>((numerator + denominator - 1) / denominator);
    ++checked;
    if (a.billed_seconds() != seconds || a.cost_nano() != expected) {
      ++mismatches;
      ADD_FAILURE() << uid << ": billed " << a.billed_seconds() << " s, cost " << a.cost_nano()
                    << "; expected " << seconds << " s, " << expected;
    }
    total += a.cost_nano();
  }
  EXPECT_EQ(checked, kPods);
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(cost.totals(0).cost_nano(), total);
  EXPECT_EQ(cost.totals(0).attempts(), static_cast<uint64_t>(kPods));

  // Grouped by team, the sums add up to the total.
  v1::GetCostRequest by_team;
  by_team.set_group_by(v1::COST_GROUP_BY_LABEL);
  by_team.set_label_key("team");
  v1::GetCostResponse teams;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->GetCost(&context, by_team, &teams).ok());
  int64_t team_sum = 0;
  for (const v1::CostGroup& g : teams.groups()) team_sum += g.cost_nano();
  EXPECT_EQ(teams.groups_size(), 2);
  EXPECT_EQ(team_sum, total);

  // And the file itself: one row per pod after a clean stop.
  sluiced_->Stop(absl::Seconds(5));
  sluiced_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(ledger_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT COUNT(*), COUNT(DISTINCT pod_uid), SUM(cost_nano) FROM attempts",
                     -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int64(stmt, 0), kPods);
  EXPECT_EQ(sqlite3_column_int64(stmt, 1), kPods);
  EXPECT_EQ(sqlite3_column_int64(stmt, 2), total);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

}  // namespace
}  // namespace sluice
