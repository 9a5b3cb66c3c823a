#ifndef SLUICE_SCHEDULER_COST_COST_LEDGER_H_
#define SLUICE_SCHEDULER_COST_COST_LEDGER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "scheduler/common/clock.h"
#include "scheduler/cost/cost_record.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sluice::cost {

// The durable cost ledger: one SQLite row per pod attempt, keyed by pod UID.
//
// Write() queues a record; a writer thread applies the queue in grouped
// transactions (one per wake-up, at most `max_batch` rows each) as an UPSERT
// by UID: a row that has not ended is replaced by any later record of the
// same attempt; a row that has ended is final (a repeat after a restart, or a
// late event, changes nothing). So writing the same attempt any number of
// times never counts it twice.
//
// The database is in WAL mode (readers do not block the writer). Its schema
// is versioned (table schema_version) and migrated forward on open. Rows
// whose attempt ended more than `retention` ago are deleted on open and then
// every `sweep_period`.
//
// Thread safety: every method may be called from any thread.
class CostLedger : public CostRecordSink {
 public:
  struct Options {
    std::string path;
    // 0: keep rows forever.
    absl::Duration retention = absl::Hours(24 * 400);
    absl::Duration sweep_period = absl::Minutes(10);
    size_t max_batch = 20'000;
    // Records queued beyond this are dropped (and counted as write errors).
    size_t max_queue = 2'000'000;
    // Called on the writer thread, after the commit, for every record that
    // ended an attempt in the database (not for repeats the upsert ignored):
    // exactly once per attempt across restarts. May be empty.
    std::function<void(const CostRecord&)> on_ended;
  };

  // Opens (creating if needed) and migrates the database, then starts the
  // writer thread. `clock` (wall time for retention) must outlive the ledger.
  static absl::StatusOr<std::unique_ptr<CostLedger>> Open(Options options, const Clock& clock);
  // Applies what is queued, then stops the writer.
  ~CostLedger() override;
  CostLedger(const CostLedger&) = delete;
  CostLedger& operator=(const CostLedger&) = delete;

  // Queues `record` (copied). Never blocks on the database.
  void Write(const CostRecord& record) override;
  // Returns once every record queued before the call has been committed (or
  // failed).
  void Flush();

  // Rows of attempts that have not ended (to restore after a restart).
  absl::StatusOr<std::vector<CostRecord>> LoadOpen();
  // Rows that ended in [since, until), and every row not ended; only the
  // workflow's when `workflow_uid` is not empty. Committed rows only (Flush
  // first to include what is queued).
  absl::StatusOr<std::vector<CostRecord>> Load(absl::Time since, absl::Time until,
                                               const std::string& workflow_uid);
  // Deletes rows that ended before now - retention; returns how many.
  absl::StatusOr<int64_t> Sweep();

  static constexpr int kSchemaVersion = 1;

  uint64_t queue_depth() const;
  uint64_t rows_committed() const;
  uint64_t write_errors() const;

 private:
  CostLedger(Options options, const Clock& clock);
  absl::Status Init();
  void Run();
  // Applies `batch` in one transaction; `ended` gets the indexes of records
  // that ended an attempt.
  absl::Status Apply(const std::vector<CostRecord>& batch, std::vector<size_t>* ended)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  absl::StatusOr<std::vector<CostRecord>> Select(const std::string& where,
                                                 const std::vector<int64_t>& ints,
                                                 const std::string& text);

  const Options options_;
  const Clock& clock_;
  // The write connection: the writer thread's batches and Sweep.
  absl::Mutex write_mu_;
  sqlite3* writer_db_ ABSL_GUARDED_BY(write_mu_) = nullptr;
  sqlite3_stmt* upsert_ ABSL_GUARDED_BY(write_mu_) = nullptr;
  absl::Mutex read_mu_;
  sqlite3* reader_db_ ABSL_GUARDED_BY(read_mu_) = nullptr;

  mutable absl::Mutex mu_;
  std::vector<CostRecord> queue_ ABSL_GUARDED_BY(mu_);
  uint64_t queued_total_ ABSL_GUARDED_BY(mu_) = 0;  // records ever queued (or dropped)
  uint64_t applied_total_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t committed_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t errors_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace sluice::cost

#endif  // SLUICE_SCHEDULER_COST_COST_LEDGER_H_
