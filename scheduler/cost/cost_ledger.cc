#include "scheduler/cost/cost_ledger.h"

#include <sqlite3.h>

#include <limits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "scheduler/common/log.h"

namespace sluice::cost {
namespace {

// Migration i brings the schema from version i to i + 1.
const char* const kMigrations[] = {
    // 0 -> 1: the attempts table.
    R"sql(
CREATE TABLE attempts (
  pod_uid TEXT PRIMARY KEY,
  pod_namespace TEXT NOT NULL,
  pod_name TEXT NOT NULL,
  workflow_uid TEXT NOT NULL,
  workflow_name TEXT NOT NULL,
  workflow_namespace TEXT NOT NULL,
  labels TEXT NOT NULL,
  pool TEXT NOT NULL,
  pool_class TEXT NOT NULL,
  currency TEXT NOT NULL,
  vcpu_milli INTEGER NOT NULL,
  memory_bytes INTEGER NOT NULL,
  gpu_milli INTEGER NOT NULL,
  billing_rule INTEGER NOT NULL,
  granularity_seconds INTEGER NOT NULL,
  minimum_seconds INTEGER NOT NULL,
  price_vcpu_nano_hour INTEGER NOT NULL,
  price_gib_nano_hour INTEGER NOT NULL,
  price_gpu_nano_hour INTEGER NOT NULL,
  created_ns INTEGER,
  billing_start_ns INTEGER,
  billing_end_ns INTEGER,
  billed_seconds INTEGER NOT NULL,
  cost_nano INTEGER NOT NULL,
  end_reason TEXT NOT NULL
);
CREATE INDEX attempts_by_end ON attempts (billing_end_ns);
CREATE INDEX attempts_by_workflow ON attempts (workflow_uid);
)sql",
};
constexpr int kMigrationCount = sizeof(kMigrations) / sizeof(kMigrations[0]);
static_assert(kMigrationCount == CostLedger::kSchemaVersion);

constexpr char kColumns[] =
    "pod_uid, pod_namespace, pod_name, workflow_uid, workflow_name, workflow_namespace, labels, "
    "pool, pool_class, currency, vcpu_milli, memory_bytes, gpu_milli, billing_rule, "
    "granularity_seconds, minimum_seconds, price_vcpu_nano_hour, price_gib_nano_hour, "
    "price_gpu_nano_hour, created_ns, billing_start_ns, billing_end_ns, billed_seconds, "
    "cost_nano, end_reason";
constexpr int kColumnCount = 25;

absl::Status SqlError(sqlite3* db, absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", sqlite3_errmsg(db)));
}

absl::Status Exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    absl::Status status = absl::InternalError(absl::StrCat(error != nullptr ? error : "?"));
    sqlite3_free(error);
    return status;
  }
  return absl::OkStatus();
}

absl::StatusOr<sqlite3*> OpenDb(const std::string& path) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    absl::Status status =
        absl::UnavailableError(absl::StrCat("cannot open cost ledger ", path, ": ",
                                            db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close(db);
    return status;
  }
  sqlite3_busy_timeout(db, 10'000);
  return db;
}

// Nanoseconds since the epoch; NULL for an infinite time.
void BindTime(sqlite3_stmt* stmt, int index, absl::Time t) {
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) {
    sqlite3_bind_null(stmt, index);
  } else {
    sqlite3_bind_int64(stmt, index, absl::ToUnixNanos(t));
  }
}

absl::Time ColumnTime(sqlite3_stmt* stmt, int index, absl::Time if_null) {
  if (sqlite3_column_type(stmt, index) == SQLITE_NULL) return if_null;
  return absl::FromUnixNanos(sqlite3_column_int64(stmt, index));
}

std::string ColumnText(sqlite3_stmt* stmt, int index) {
  const unsigned char* text = sqlite3_column_text(stmt, index);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt, index)));
}

void BindText(sqlite3_stmt* stmt, int index, absl::string_view text) {
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

// Labels as "key\x1fvalue\x1e..." (label syntax has neither byte).
std::string EncodeLabels(const CostRecord& r) {
  std::string out;
  for (const auto& [key, value] : r.labels) absl::StrAppend(&out, key, "\x1f", value, "\x1e");
  return out;
}

void DecodeLabels(absl::string_view text, CostRecord* r) {
  for (absl::string_view entry : absl::StrSplit(text, '\x1e', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(entry, absl::MaxSplits('\x1f', 1));
    r->labels.push_back(std::move(kv));
  }
}

CostRecord ReadRow(sqlite3_stmt* s) {
  CostRecord r;
  int i = 0;
  r.pod_uid = ColumnText(s, i++);
  r.pod_namespace = ColumnText(s, i++);
  r.pod_name = ColumnText(s, i++);
  r.workflow_uid = ColumnText(s, i++);
  r.workflow_name = ColumnText(s, i++);
  r.workflow_namespace = ColumnText(s, i++);
  DecodeLabels(ColumnText(s, i++), &r);
  r.pool = ColumnText(s, i++);
  r.pool_class = ColumnText(s, i++);
  r.currency = ColumnText(s, i++);
  r.billed.vcpu_milli = sqlite3_column_int64(s, i++);
  r.billed.memory_bytes = sqlite3_column_int64(s, i++);
  r.billed.gpu_milli = sqlite3_column_int64(s, i++);
  r.rule.start = static_cast<BillingStart>(sqlite3_column_int(s, i++));
  r.rule.granularity_seconds = sqlite3_column_int64(s, i++);
  r.rule.minimum_seconds = sqlite3_column_int64(s, i++);
  r.rule.price_vcpu_nano_hour = sqlite3_column_int64(s, i++);
  r.rule.price_gib_nano_hour = sqlite3_column_int64(s, i++);
  r.rule.price_gpu_nano_hour = sqlite3_column_int64(s, i++);
  r.created = ColumnTime(s, i++, absl::InfinitePast());
  r.billing_start = ColumnTime(s, i++, absl::InfinitePast());
  r.billing_end = ColumnTime(s, i++, absl::InfiniteFuture());
  r.billed_seconds = sqlite3_column_int64(s, i++);
  r.cost_nano = sqlite3_column_int64(s, i++);
  r.end_reason = ParseEndReason(ColumnText(s, i++)).value_or(EndReason::kDeleted);
  return r;
}

void BindRow(sqlite3_stmt* s, const CostRecord& r) {
  int i = 1;
  BindText(s, i++, r.pod_uid);
  BindText(s, i++, r.pod_namespace);
  BindText(s, i++, r.pod_name);
  BindText(s, i++, r.workflow_uid);
  BindText(s, i++, r.workflow_name);
  BindText(s, i++, r.workflow_namespace);
  BindText(s, i++, EncodeLabels(r));
  BindText(s, i++, r.pool);
  BindText(s, i++, r.pool_class);
  BindText(s, i++, r.currency);
  sqlite3_bind_int64(s, i++, r.billed.vcpu_milli);
  sqlite3_bind_int64(s, i++, r.billed.memory_bytes);
  sqlite3_bind_int64(s, i++, r.billed.gpu_milli);
  sqlite3_bind_int(s, i++, static_cast<int>(r.rule.start));
  sqlite3_bind_int64(s, i++, r.rule.granularity_seconds);
  sqlite3_bind_int64(s, i++, r.rule.minimum_seconds);
  sqlite3_bind_int64(s, i++, r.rule.price_vcpu_nano_hour);
  sqlite3_bind_int64(s, i++, r.rule.price_gib_nano_hour);
  sqlite3_bind_int64(s, i++, r.rule.price_gpu_nano_hour);
  BindTime(s, i++, r.created);
  BindTime(s, i++, r.billing_start);
  BindTime(s, i++, r.ended() ? r.billing_end : absl::InfiniteFuture());
  sqlite3_bind_int64(s, i++, r.billed_seconds);
  sqlite3_bind_int64(s, i++, r.cost_nano);
  BindText(s, i++, EndReasonName(r.end_reason));
}

std::string UpsertSql() {
  std::string placeholders;
  std::string updates;
  int i = 0;
  for (absl::string_view column : absl::StrSplit(kColumns, ", ")) {
    absl::StrAppend(&placeholders, i == 0 ? "" : ", ", "?");
    if (i > 0) absl::StrAppend(&updates, i == 1 ? "" : ", ", column, " = excluded.", column);
    ++i;
  }
  return absl::StrCat("INSERT INTO attempts (", kColumns, ") VALUES (", placeholders,
                      ") ON CONFLICT (pod_uid) DO UPDATE SET ", updates,
                      " WHERE attempts.end_reason = ''");
}

// Keeps one record per uid with the same end result as upserting them all in
// order: the first ended record if there is one (an ended row is final), else
// the last. Order among uids is kept.
void Coalesce(std::vector<CostRecord>& batch) {
  absl::flat_hash_map<absl::string_view, size_t> keep;  // uid -> index in batch
  keep.reserve(batch.size());
  std::vector<bool> dropped(batch.size(), false);
  bool any = false;
  for (size_t i = 0; i < batch.size(); ++i) {
    auto [it, inserted] = keep.try_emplace(batch[i].pod_uid, i);
    if (inserted) continue;
    any = true;
    if (batch[it->second].ended()) {
      dropped[i] = true;  // a later state never replaces an ended row
    } else {
      dropped[it->second] = true;
      it->second = i;
    }
  }
  if (!any) return;
  size_t out = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (dropped[i]) continue;
    if (out != i) batch[out] = std::move(batch[i]);
    ++out;
  }
  batch.resize(out);
}

}  // namespace

CostLedger::CostLedger(Options options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

absl::StatusOr<std::unique_ptr<CostLedger>> CostLedger::Open(Options options, const Clock& clock) {
  std::unique_ptr<CostLedger> ledger(new CostLedger(std::move(options), clock));
  if (absl::Status status = ledger->Init(); !status.ok()) return status;
  if (absl::StatusOr<int64_t> swept = ledger->Sweep(); !swept.ok()) return swept.status();
  ledger->thread_ = std::thread([raw = ledger.get()] { raw->Run(); });
  return ledger;
}

absl::Status CostLedger::Init() {
  absl::MutexLock write_lock(&write_mu_);
  absl::MutexLock read_lock(&read_mu_);
  absl::StatusOr<sqlite3*> db = OpenDb(options_.path);
  if (!db.ok()) return db.status();
  writer_db_ = *db;
  if (absl::Status s = Exec(writer_db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
      !s.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cost ledger ", options_.path, ": cannot enter WAL mode: ", s.message()));
  }
  // Migrations, in one transaction.
  if (absl::Status s = Exec(writer_db_,
                            "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS schema_version "
                            "(version INTEGER NOT NULL);");
      !s.ok()) {
    return absl::UnavailableError(absl::StrCat("cost ledger ", options_.path, ": ", s.message()));
  }
  int version = 0;
  {
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(writer_db_, "SELECT MAX(version) FROM schema_version", -1, &stmt, nullptr);
    if (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW &&
        sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
      version = sqlite3_column_int(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  if (version > kSchemaVersion) {
    (void)Exec(writer_db_, "ROLLBACK");
    return absl::FailedPreconditionError(
        absl::StrCat("cost ledger ", options_.path, " has schema version ", version,
                     ", newer than this sluiced knows (", kSchemaVersion, ")"));
  }
  for (int v = version; v < kSchemaVersion; ++v) {
    if (absl::Status s = Exec(writer_db_, kMigrations[v]); !s.ok()) {
      (void)Exec(writer_db_, "ROLLBACK");
      return absl::InternalError(
          absl::StrCat("cost ledger migration to version ", v + 1, " failed: ", s.message()));
    }
  }
  const std::string record_version =
      absl::StrCat("DELETE FROM schema_version; INSERT INTO schema_version VALUES (",
                   kSchemaVersion, "); COMMIT;");
  if (absl::Status s = Exec(writer_db_, record_version.c_str()); !s.ok()) {
    return absl::InternalError(absl::StrCat("cost ledger: ", s.message()));
  }
  const std::string upsert = UpsertSql();
  if (sqlite3_prepare_v3(writer_db_, upsert.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &upsert_,
                         nullptr) != SQLITE_OK) {
    return SqlError(writer_db_, "cost ledger: preparing the upsert");
  }
  db = OpenDb(options_.path);
  if (!db.ok()) return db.status();
  reader_db_ = *db;
  return absl::OkStatus();
}

CostLedger::~CostLedger() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  absl::MutexLock write_lock(&write_mu_);
  absl::MutexLock read_lock(&read_mu_);
  sqlite3_finalize(upsert_);
  sqlite3_close(writer_db_);
  sqlite3_close(reader_db_);
}

void CostLedger::Write(const CostRecord& record) {
  absl::MutexLock lock(&mu_);
  ++queued_total_;
  if (queue_.size() >= options_.max_queue) {
    ++errors_;
    ++applied_total_;
    return;
  }
  queue_.push_back(record);
}

void CostLedger::Flush() {
  absl::MutexLock lock(&mu_);
  const uint64_t target = queued_total_;
  auto done = [this, target]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return applied_total_ >= target || thread_.get_id() == std::thread::id();
  };
  mu_.Await(absl::Condition(&done));
}

void CostLedger::Run() {
  MonoTime next_sweep = clock_.MonoNow() + options_.sweep_period;
  std::vector<CostRecord> batch;
  while (true) {
    bool stop = false;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_SHARED_LOCKS_REQUIRED(mu_) { return !queue_.empty() || stopping_; };
      mu_.AwaitWithTimeout(absl::Condition(&ready), options_.sweep_period);
      stop = stopping_ && queue_.empty();
      if (queue_.size() <= options_.max_batch) {
        batch.swap(queue_);
      } else {
        batch.assign(std::make_move_iterator(queue_.begin()),
                     std::make_move_iterator(queue_.begin() +
                                             static_cast<std::ptrdiff_t>(options_.max_batch)));
        queue_.erase(queue_.begin(),
                     queue_.begin() + static_cast<std::ptrdiff_t>(options_.max_batch));
      }
    }
    if (!batch.empty()) {
      const size_t taken = batch.size();
      Coalesce(batch);
      absl::Status status;
      std::vector<size_t> ended;
      {
        absl::MutexLock write_lock(&write_mu_);
        status = Apply(batch, &ended);
      }
      if (status.ok() && options_.on_ended) {
        for (size_t i : ended) options_.on_ended(batch[i]);
      }
      absl::MutexLock lock(&mu_);
      applied_total_ += taken;
      if (status.ok()) {
        committed_ += taken;
      } else {
        errors_ += taken;
        SLUICE_LOG(kError, "cost ledger write failed", {"rows", absl::StrCat(batch.size())},
                   {"error", status.ToString()});
      }
      batch.clear();
    }
    if (clock_.MonoNow() >= next_sweep) {
      next_sweep = clock_.MonoNow() + options_.sweep_period;
      if (absl::StatusOr<int64_t> swept = Sweep(); !swept.ok()) {
        SLUICE_LOG(kError, "cost ledger retention sweep failed",
                   {"error", swept.status().ToString()});
      }
    }
    if (stop) return;
  }
}

absl::Status CostLedger::Apply(const std::vector<CostRecord>& batch, std::vector<size_t>* ended) {
  if (absl::Status s = Exec(writer_db_, "BEGIN IMMEDIATE"); !s.ok()) return s;
  for (size_t i = 0; i < batch.size(); ++i) {
    const CostRecord& record = batch[i];
    sqlite3_reset(upsert_);
    BindRow(upsert_, record);
    if (sqlite3_step(upsert_) != SQLITE_DONE) {
      absl::Status status = SqlError(writer_db_, "upsert");
      sqlite3_reset(upsert_);
      (void)Exec(writer_db_, "ROLLBACK");
      ended->clear();
      return status;
    }
    // 1 when the row was inserted or replaced; 0 when an ended row stood.
    if (record.ended() && sqlite3_changes(writer_db_) > 0) ended->push_back(i);
  }
  sqlite3_reset(upsert_);
  return Exec(writer_db_, "COMMIT");
}

absl::StatusOr<int64_t> CostLedger::Sweep() {
  if (options_.retention <= absl::ZeroDuration()) return 0;
  const absl::Time cutoff = clock_.WallNow() - options_.retention;
  absl::MutexLock write_lock(&write_mu_);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(writer_db_,
                         "DELETE FROM attempts WHERE billing_end_ns IS NOT NULL AND "
                         "billing_end_ns < ?",
                         -1, &stmt, nullptr) != SQLITE_OK) {
    return SqlError(writer_db_, "retention sweep");
  }
  sqlite3_bind_int64(stmt, 1, absl::ToUnixNanos(cutoff));
  const int rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) return SqlError(writer_db_, "retention sweep");
  return static_cast<int64_t>(sqlite3_changes(writer_db_));
}

absl::StatusOr<std::vector<CostRecord>> CostLedger::Select(const std::string& where,
                                                           const std::vector<int64_t>& ints,
                                                           const std::string& text) {
  absl::MutexLock lock(&read_mu_);
  const std::string sql = absl::StrCat("SELECT ", kColumns, " FROM attempts WHERE ", where);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(reader_db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    return SqlError(reader_db_, "cost ledger query");
  }
  int index = 1;
  for (int64_t v : ints) sqlite3_bind_int64(stmt, index++, v);
  if (!text.empty()) BindText(stmt, index++, text);
  std::vector<CostRecord> out;
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) out.push_back(ReadRow(stmt));
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) return SqlError(reader_db_, "cost ledger query");
  static_assert(kColumnCount == 25);
  return out;
}

absl::StatusOr<std::vector<CostRecord>> CostLedger::LoadOpen() {
  return Select("end_reason = ''", {}, "");
}

absl::StatusOr<std::vector<CostRecord>> CostLedger::Load(absl::Time since, absl::Time until,
                                                         const std::string& workflow_uid) {
  auto nanos = [](absl::Time t) {
    if (t == absl::InfinitePast()) return std::numeric_limits<int64_t>::min();
    if (t == absl::InfiniteFuture()) return std::numeric_limits<int64_t>::max();
    return absl::ToUnixNanos(t);
  };
  std::string where = "(billing_end_ns IS NULL OR (billing_end_ns >= ?1 AND billing_end_ns < ?2))";
  if (!workflow_uid.empty()) absl::StrAppend(&where, " AND workflow_uid = ?3");
  return Select(where, {nanos(since), nanos(until)}, workflow_uid);
}

uint64_t CostLedger::queue_depth() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

uint64_t CostLedger::rows_committed() const {
  absl::MutexLock lock(&mu_);
  return committed_;
}

uint64_t CostLedger::write_errors() const {
  absl::MutexLock lock(&mu_);
  return errors_;
}

}  // namespace sluice::cost
