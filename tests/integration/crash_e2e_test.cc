// Crash test (issue #9): kubesim and sluiced --ledger as processes on
// loopback ports; 50,000 pods (500 workflows x 100) submitted by loadgen's
// controller (RunLoad, as `sluice-loadgen --spawn --chaos-kill-sluiced`
// does), while SluicedChaos SIGKILLs sluiced at random (seeded) moments
// during the creation of the pods, at least 5 times, and restarts it each
// time with the same flags, ledger and address. The controller notices each
// new epoch and resubmits what it has not seen created. Then:
//   - kubesim's /sim/history (every pod ever stored, deleted ones too) holds
//     every intended pod exactly once and nothing else: 0 missing, 0
//     duplicate creates;
//   - WatchEvents (with DUPLICATE answers) accounted for every pod: the run
//     completed with 50,000 created, none rejected or failed, and a LIST of
//     the cluster matches;
//   - the ledger, opened read-only once sluiced has exited, holds exactly one
//     row per pod attempt (uid) in kubesim's history: 0 lost, 0 double, none
//     foreign, each attributed to the workflow that asked for the pod.
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "scheduler/common/clock.h"
#include "tests/integration/time_scale.h"
#include "tools/loadgen/http_get.h"
#include "tools/loadgen/kubesim_stats.h"
#include "tools/loadgen/load_run.h"
#include "tools/loadgen/local_stack.h"
#include "tools/loadgen/sluiced_chaos.h"
#include "tools/loadgen/workload_plan.h"

namespace sluice::loadgen {
namespace {

constexpr uint32_t kWorkflows = 500;
constexpr uint32_t kPodsPerWorkflow = 100;
constexpr int64_t kPods = int64_t{kWorkflows} * kPodsPerWorkflow;
constexpr uint32_t kKills = 6;
constexpr uint32_t kMinKills = 5;
constexpr uint64_t kSeed = 20261202;

std::string BinDir() {
  const char* dir = std::getenv("SLUICE_BIN_DIR");
  return dir != nullptr ? dir : ExecutableDir() + "/../bin";
}

class CrashEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/crash_e2e_", getpid());
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    ASSERT_TRUE(std::filesystem::create_directories(dir_)) << dir_;
    ledger_ = dir_ + "/cost.db";
    LocalStack::Options options;
    options.bin_dir = BinDir();
    options.log_dir = dir_;
    // No kubelet: pods stay Pending, the history's entries never change.
    // sluiced's write budget stretches creation over tens of seconds, so
    // that the kills land while pods are being created (a kubesim limit
    // would do it too, but its 429s make sluiced pause for the Retry-After).
    options.kubesim_args = "--no-kubelet";
    options.sluiced_args = absl::StrCat("--apiserver-qps 2000 --log-level info --ledger ", ledger_);
    absl::StatusOr<std::unique_ptr<LocalStack>> stack = LocalStack::Start(options);
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
  }

  void TearDown() override {
    if (chaos_ != nullptr) chaos_->Finish().IgnoreError();
    if (stack_ != nullptr) stack_->Stop();
    chaos_.reset();  // after the stack: its thread started the last sluiced
    stack_.reset();
    std::error_code ignored;
    if (!HasFailure()) std::filesystem::remove_all(dir_, ignored);
  }

  std::string dir_;
  std::string ledger_;
  std::unique_ptr<LocalStack> stack_;
  std::unique_ptr<SluicedChaos> chaos_;
};

TEST_F(CrashEndToEndTest, EveryPodOnceAndOneLedgerRowPerAttemptAcrossSigkills) {
  const std::string kubesim_url = stack_->kubesim_url();
  // kubesim's creates (201) at each kill.
  absl::Mutex mu;
  std::vector<int64_t> creates_at_kill;
  SluicedChaos::Options chaos;
  chaos.kills = kKills;
  chaos.seed = kSeed;
  chaos.min_gap = absl::Milliseconds(1500);
  chaos.max_gap = absl::Milliseconds(3500);
  chaos.busy = [&] {
    // Only while pods are being created: some exist, not all.
    absl::StatusOr<ApiServerCounts> stats = FetchKubesimStats(kubesim_url);
    if (!stats.ok() || stats->creates <= 0 || stats->creates >= kPods) return false;
    absl::MutexLock lock(&mu);
    creates_at_kill.push_back(stats->creates);
    return true;
  };
  chaos_ = std::make_unique<SluicedChaos>(stack_.get(), chaos);
  chaos_->Start();

  LoadgenOptions options;
  options.workflows = kWorkflows;
  options.pods_per_workflow = kPodsPerWorkflow;
  options.namespaces = 4;
  options.seed = kSeed;
  options.timeout_seconds = 100 * testing::TimeScale();
  options.verify = true;
  RunTarget target;
  target.sluiced = stack_->sluiced_target();
  target.kubesim_url = kubesim_url;
  target.spawned = true;
  const MonoTime start = RealClock::Get().MonoNow();
  const LoadReport report = RunLoad(options, target, RealClock::Get(), nullptr);
  const absl::Duration run_time = RealClock::Get().MonoNow() - start;
  ASSERT_TRUE(chaos_->Finish().ok());
  const std::vector<SluicedChaos::Kill> kills = chaos_->kills();

  // The kills happened, mid-creation, and the controller saw the restarts.
  ASSERT_GE(kills.size(), kMinKills);
  {
    absl::MutexLock lock(&mu);
    ASSERT_EQ(creates_at_kill.size(), kills.size());
    for (int64_t c : creates_at_kill) EXPECT_TRUE(c > 0 && c < kPods) << c;
  }
  EXPECT_GE(report.sluiced_restarts_seen, kMinKills);
  EXPECT_LE(report.sluiced_restarts_seen, kills.size());
  EXPECT_GT(report.resubmitted, 0u);

  // WatchEvents (and DUPLICATE answers) accounted for every pod.
  EXPECT_TRUE(report.complete) << report.error;
  EXPECT_EQ(report.pods, static_cast<uint64_t>(kPods));
  EXPECT_EQ(report.created, static_cast<uint64_t>(kPods));
  EXPECT_EQ(report.unsettled, 0u);
  EXPECT_EQ(report.rejected, 0u);
  EXPECT_EQ(report.create_failed, 0u);
  EXPECT_EQ(report.verify_error, "");
  EXPECT_EQ(report.cluster_pods, std::optional<uint64_t>(kPods));

  // kubesim's record: every intended pod exactly once, nothing else.
  WorkloadPlan::Options plan_options;
  plan_options.workflows = kWorkflows;
  plan_options.pods_per_workflow = kPodsPerWorkflow;
  plan_options.namespaces = options.namespaces;
  plan_options.seed = kSeed;
  const WorkloadPlan plan = WorkloadPlan::Make(plan_options);
  absl::StatusOr<std::string> history = HttpGet(kubesim_url, "/sim/history", absl::Seconds(30));
  ASSERT_TRUE(history.ok()) << history.status();
  rapidjson::Document doc;
  doc.Parse(history->data(), history->size());
  ASSERT_TRUE(!doc.HasParseError() && doc.IsArray());
  absl::flat_hash_map<std::string, int> stored;  // ns/name -> attempts
  absl::flat_hash_set<std::string> uids;
  for (const auto& pod : doc.GetArray()) {
    ++stored[absl::StrCat(pod["namespace"].GetString(), "/", pod["name"].GetString())];
    uids.insert(pod["uid"].GetString());
  }
  uint64_t twice = 0, foreign = 0, missing = 0;
  for (const auto& [key, n] : stored) {
    if (n > 1 && ++twice <= 5) ADD_FAILURE() << key << " created " << n << " times";
    const size_t slash = key.find('/');
    if (!plan.FindPod(key.substr(0, slash), key.substr(slash + 1)).has_value() && ++foreign <= 5) {
      ADD_FAILURE() << key << " never intended";
    }
  }
  for (uint32_t pod = 0; pod < plan.pod_count(); ++pod) {
    if (!stored.contains(plan.Key(pod)) && ++missing <= 5) {
      ADD_FAILURE() << plan.Key(pod) << " never created";
    }
  }
  EXPECT_EQ(missing, 0u);
  EXPECT_EQ(twice, 0u);
  EXPECT_EQ(foreign, 0u);
  EXPECT_EQ(doc.Size(), static_cast<rapidjson::SizeType>(kPods));

  // The ledger, read-only, once sluiced has exited (SIGTERM: exit 0): one
  // row per attempt.
  EXPECT_EQ(stack_->sluiced().Stop(absl::Seconds(10)), 0);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(ledger_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(
          db, "SELECT pod_uid, pod_namespace, pod_name, workflow_uid, workflow_name FROM attempts",
          -1, &stmt, nullptr),
      SQLITE_OK)
      << sqlite3_errmsg(db);
  absl::flat_hash_map<std::string, int> rows_by_uid;
  absl::flat_hash_map<std::string, int> rows_by_key;
  uint64_t rows = 0, misattributed = 0;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    ++rows;
    auto text = [&](int i) {
      const unsigned char* t = sqlite3_column_text(stmt, i);
      return t != nullptr ? std::string(reinterpret_cast<const char*>(t)) : std::string();
    };
    ++rows_by_uid[text(0)];
    ++rows_by_key[absl::StrCat(text(1), "/", text(2))];
    // Attributed to the workflow that asked for the pod.
    const std::optional<uint32_t> pod = plan.FindPod(text(1), text(2));
    if (pod.has_value() &&
        (text(3) != plan.workflow_of(*pod).uid || text(4) != plan.workflow_of(*pod).name)) {
      if (++misattributed <= 5) {
        ADD_FAILURE() << text(1) << "/" << text(2) << ": row of workflow " << text(3) << " "
                      << text(4);
      }
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  uint64_t lost = 0, doubled = 0, stray = 0;
  for (const std::string& uid : uids) {
    if (!rows_by_uid.contains(uid) && ++lost <= 5) ADD_FAILURE() << "no ledger row for " << uid;
  }
  for (const auto& [uid, n] : rows_by_uid) {
    if (n > 1 && ++doubled <= 5) ADD_FAILURE() << uid << ": " << n << " rows";
    if (!uids.contains(uid) && ++stray <= 5) ADD_FAILURE() << uid << ": row of no attempt";
  }
  for (const auto& [key, n] : rows_by_key) {
    auto it = stored.find(key);
    const int attempts = it == stored.end() ? 0 : it->second;
    if (n > attempts && ++doubled <= 5) {
      ADD_FAILURE() << key << ": " << n << " rows for " << attempts << " attempts";
    }
  }
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(doubled, 0u);
  EXPECT_EQ(stray, 0u);
  EXPECT_EQ(misattributed, 0u);
  EXPECT_EQ(rows, uids.size());

  std::string kill_list;
  {
    absl::MutexLock lock(&mu);
    for (size_t i = 0; i < kills.size(); ++i) {
      absl::StrAppend(&kill_list, i == 0 ? "" : ", ", absl::FormatDuration(kills[i].at), " (",
                      creates_at_kill[i], " created, down ", absl::FormatDuration(kills[i].down),
                      ")");
    }
  }
  std::printf(
      "crash: %zu kills at %s\n"
      "run %s: %llu created, %llu restarts seen, %llu resubmitted, %llu duplicate answers, "
      "kubesim 201/409: %lld/%lld\n"
      "kubesim history %zu pods (%zu attempts), ledger %llu rows\n",
      kills.size(), kill_list.c_str(), absl::FormatDuration(run_time).c_str(),
      static_cast<unsigned long long>(report.created),
      static_cast<unsigned long long>(report.sluiced_restarts_seen),
      static_cast<unsigned long long>(report.resubmitted),
      static_cast<unsigned long long>(report.duplicate),
      static_cast<long long>(report.apiserver.has_value() ? report.apiserver->creates : -1),
      static_cast<long long>(report.apiserver.has_value() ? report.apiserver->status_409 : -1),
      stored.size(), uids.size(), static_cast<unsigned long long>(rows));
}

}  // namespace
}  // namespace sluice::loadgen
