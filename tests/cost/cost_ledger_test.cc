#include "scheduler/cost/cost_ledger.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sluice::cost {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

class CostLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = absl::StrCat(::testing::TempDir(), "/ledger_", getpid(), "_",
                         ::testing::UnitTest::GetInstance()->current_test_info()->name(), ".db");
    Remove();
  }
  void TearDown() override { Remove(); }
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  }
  std::unique_ptr<CostLedger> Open(absl::Duration retention = absl::ZeroDuration()) {
    CostLedger::Options options;
    options.path = path_;
    options.retention = retention;
    auto ledger = CostLedger::Open(options, clock_);
    EXPECT_TRUE(ledger.ok()) << ledger.status();
    return ledger.ok() ? std::move(*ledger) : nullptr;
  }

  std::string path_;
  SimulatedClock clock_{kT0 + absl::Hours(1)};
};

CostRecord OpenRow(const char* uid) {
  CostRecord r;
  r.pod_uid = uid;
  r.pod_namespace = "ns";
  r.pod_name = absl::StrCat("pod-", uid);
  r.workflow_uid = "wf";
  r.workflow_name = "wf-name";
  r.labels = {{"cost-center", "cc"}, {"team", "blue"}};
  r.pool = "spot-a";
  r.pool_class = "spot";
  r.currency = "USD";
  r.billed = {500, 1 << 30, 0};
  r.rule.start = BillingStart::kRunning;
  r.rule.granularity_seconds = 60;
  r.rule.price_vcpu_nano_hour = 40'800'000;
  r.created = kT0;
  r.billing_start = kT0 + absl::Seconds(2);
  return r;
}

CostRecord Ended(const char* uid, int64_t cost, EndReason reason = EndReason::kSucceeded) {
  CostRecord r = OpenRow(uid);
  r.end_reason = reason;
  r.billing_end = kT0 + absl::Seconds(30);
  r.billed_seconds = 60;
  r.cost_nano = cost;
  return r;
}

TEST_F(CostLedgerTest, RowsRoundTripExactly) {
  auto ledger = Open();
  ledger->Write(Ended("a", 123));
  ledger->Write(OpenRow("b"));
  ledger->Flush();
  auto rows = ledger->Load(absl::InfinitePast(), absl::InfiniteFuture(), "");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  for (const CostRecord& r : *rows) EXPECT_EQ(r, r.pod_uid == "a" ? Ended("a", 123) : OpenRow("b"));
  EXPECT_EQ(ledger->rows_committed(), 2u);
  EXPECT_EQ(ledger->write_errors(), 0u);
}

TEST_F(CostLedgerTest, UpsertReplacesOpenRowsAndNeverEndedOnes) {
  auto ledger = Open();
  ledger->Write(OpenRow("a"));
  ledger->Write(Ended("a", 100));
  ledger->Write(Ended("a", 999, EndReason::kDeleted));  // a late repeat: ignored
  ledger->Write(OpenRow("a"));                          // and so is an older state
  ledger->Flush();
  auto rows = ledger->Load(absl::InfinitePast(), absl::InfiniteFuture(), "");
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0], Ended("a", 100));
}

TEST_F(CostLedgerTest, OnEndedRunsOncePerAttemptEvenAcrossReopens) {
  std::vector<std::string> ended;
  absl::Mutex mu;
  auto open_with_callback = [&] {
    CostLedger::Options options;
    options.path = path_;
    options.on_ended = [&](const CostRecord& r) {
      absl::MutexLock lock(&mu);
      ended.push_back(r.pod_uid);
    };
    return std::move(*CostLedger::Open(options, clock_));
  };
  {
    auto ledger = open_with_callback();
    ledger->Write(OpenRow("a"));
    ledger->Write(Ended("a", 1));
    ledger->Write(Ended("a", 1));
    ledger->Write(OpenRow("b"));
    ledger->Flush();
  }
  auto ledger = open_with_callback();
  ledger->Write(Ended("a", 1));  // seen again after a restart: not counted
  ledger->Write(Ended("b", 2));
  ledger->Flush();
  absl::MutexLock lock(&mu);
  EXPECT_EQ(ended, (std::vector<std::string>{"a", "b"}));
}

TEST_F(CostLedgerTest, ReopenRestoresOpenRowsAndKeepsTheSchemaVersion) {
  {
    auto ledger = Open();
    ledger->Write(OpenRow("running"));
    ledger->Write(Ended("done", 5));
  }  // the destructor applies the queue
  auto ledger = Open();
  auto open = ledger->LoadOpen();
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0], OpenRow("running"));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT version FROM schema_version", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), CostLedger::kSchemaVersion);
  sqlite3_finalize(stmt);
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_F(CostLedgerTest, WindowAndWorkflowFilter) {
  auto ledger = Open();
  CostRecord other = Ended("x", 1);
  other.workflow_uid = "other";
  ledger->Write(other);
  ledger->Write(Ended("y", 2));
  ledger->Write(OpenRow("z"));
  ledger->Flush();
  EXPECT_EQ(ledger->Load(kT0 + absl::Seconds(30), kT0 + absl::Seconds(31), "")->size(), 3u);
  EXPECT_EQ(ledger->Load(kT0 + absl::Seconds(31), absl::InfiniteFuture(), "")->size(), 1u);
  EXPECT_EQ(ledger->Load(absl::InfinitePast(), absl::InfiniteFuture(), "wf")->size(), 2u);
}

TEST_F(CostLedgerTest, RetentionDeletesRowsThatEndedLongAgo) {
  auto ledger = Open(absl::Minutes(30));
  ledger->Write(Ended("old", 1));
  ledger->Write(OpenRow("running"));
  ledger->Flush();
  // Now is kT0 + 1 h; "old" ended at kT0 + 30 s, more than 30 minutes ago.
  EXPECT_EQ(*ledger->Sweep(), 1);
  auto rows = ledger->Load(absl::InfinitePast(), absl::InfiniteFuture(), "");
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].pod_uid, "running");
}

TEST_F(CostLedgerTest, ANewerSchemaIsRefused) {
  Open();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE schema_version SET version = 99", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  CostLedger::Options options;
  options.path = path_;
  auto ledger = CostLedger::Open(options, clock_);
  EXPECT_EQ(ledger.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace sluice::cost
