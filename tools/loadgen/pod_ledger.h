#ifndef SLUICE_TOOLS_LOADGEN_POD_LEDGER_H_
#define SLUICE_TOOLS_LOADGEN_POD_LEDGER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "scheduler/common/clock.h"
#include "sluice/v1/scheduler.pb.h"
#include "tools/loadgen/fairness.h"
#include "tools/loadgen/workload_plan.h"

namespace sluice::loadgen {

// What loadgen waits for before it reports.
enum class WaitFor {
  kCreated,   // every pod Created (or settled otherwise: rejected, failed, cancelled)
  kFinished,  // every pod in a terminal state
};

// What became of one pod, as loadgen saw it. Times are loadgen's monotonic
// clock; MonoTime::Zero() means "not yet".
struct PodRecord {
  MonoTime first_sent;   // the first batch carrying it was written to the stream
  MonoTime created_at;   // the CREATED event arrived (or a DUPLICATE said it exists)
  MonoTime finished_at;  // a terminal event arrived
  v1::IntentResult::Code last_result = v1::IntentResult::CODE_UNSPECIFIED;
  uint32_t answers = 0;  // Submit results received for it (all codes)
  // The epoch of the sluiced that last answered ACCEPTED or DUPLICATE for it
  // (0: none did): the incarnation that holds the intent. See PodsToSubmit.
  uint64_t held_epoch = 0;
  uint32_t duplicate_answers = 0;
  uint32_t created_events = 0;  // EVENT_TYPE_CREATED events received
  bool accepted = false;        // at least one ACCEPTED
  bool created = false;         // created (event, later lifecycle event, or DUPLICATE state)
  bool finished = false;        // terminal
  v1::EventType terminal_event = v1::EVENT_TYPE_UNSPECIFIED;
  // The terminal event's reason (what the controller was told), if any.
  std::string terminal_reason;
  uint32_t rescheduled_events = 0;       // EVENT_TYPE_RESCHEDULED: moved to another pool
  bool cancelled_before_create = false;  // CANCELLED with no CREATED before it
  bool arrived = false;                  // counted in the fairness log
  // The CREATED event's submit_to_create_ms (sluiced's clock: acceptance to
  // the APIServer's answer), when it came with one.
  std::optional<uint64_t> sluiced_submit_to_create_ms;
};

// Running totals over the ledger, cheap to read for progress lines.
struct LedgerCounts {
  uint64_t sent = 0;          // pods sent at least once
  uint64_t intents_sent = 0;  // intents written (a resent pod counts again)
  uint64_t answers = 0;       // results received (a resubmitted pod counts again)
  uint64_t accepted = 0;
  uint64_t duplicate = 0;
  uint64_t rejected = 0;
  uint64_t exhausted = 0;
  uint64_t created = 0;
  uint64_t finished = 0;
  uint64_t create_failed = 0;
  uint64_t cancelled = 0;
  uint64_t events = 0;            // events received for pods of the plan
  uint64_t foreign_events = 0;    // events for pods not in the plan
  uint64_t settled_created = 0;   // pods that need no further create: see Settled()
  uint64_t settled_finished = 0;  // pods in a terminal state or rejected
};

// The per-pod record of one run, written by the submitter (answers) and the
// event tracker (events), read by the runner and the report. Thread-safe.
//
// Also keeps, in the order loadgen observed them, each pod's arrival (first
// ACCEPTED answer or first event, whichever came first) and departure
// (created, or terminal without a create): the input of the fairness figure.
class PodLedger {
 public:
  PodLedger(const WorkloadPlan* plan, const Clock* clock);

  void RecordSent(absl::Span<const uint32_t> pods);
  // One Submit result for `pod`, from the sluiced of `epoch` (0: unknown).
  void RecordAnswer(uint32_t pod, const v1::IntentResult& result, uint64_t epoch = 0);
  // Every event of one WatchEvents message, received now.
  void RecordEvents(const v1::WatchEventsResponse& response);

  // Blocks until every pod of the plan is settled for `wait_for`, or until
  // `deadline`, or until `progress` returns false; calls `progress` about
  // every `period` while it waits (from this thread). True if settled.
  bool AwaitSettled(WaitFor wait_for, MonoTime deadline, absl::Duration period,
                    const std::function<bool(const LedgerCounts&)>& progress);

  LedgerCounts counts() const;
  // A copy of every record, by pod index.
  std::vector<PodRecord> Records() const;
  // The arrival/departure log, in observation order.
  std::vector<BacklogChange> BacklogLog() const;
  // Monotonic time of the last CREATED event, Zero if none.
  MonoTime last_created() const;
  // Monotonic time of the first batch sent, Zero if none.
  MonoTime first_sent() const;
  // Monotonic time of the last Submit answer, Zero if none.
  MonoTime last_answer() const;

 private:
  void Arrive(uint32_t pod, PodRecord& r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void MarkCreated(uint32_t pod, PodRecord& r, MonoTime now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void MarkFinished(uint32_t pod, PodRecord& r, v1::EventType type, MonoTime now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void UpdateSettled(PodRecord& r, bool was_created_settled, bool was_finished_settled)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const WorkloadPlan* const plan_;
  const Clock* const clock_;
  mutable absl::Mutex mu_;
  std::vector<PodRecord> records_ ABSL_GUARDED_BY(mu_);
  LedgerCounts counts_ ABSL_GUARDED_BY(mu_);
  std::vector<BacklogChange> backlog_log_ ABSL_GUARDED_BY(mu_);
  MonoTime last_created_ ABSL_GUARDED_BY(mu_);
  MonoTime last_answer_ ABSL_GUARDED_BY(mu_);
  MonoTime first_sent_ ABSL_GUARDED_BY(mu_);
};

// True for the event types after which an intent never changes again.
bool IsTerminalEvent(v1::EventType type);

// True if `r` needs nothing more for `wait_for`: created (or later) for
// kCreated, terminal for kFinished; rejected for both.
bool IsSettled(const PodRecord& r, WaitFor wait_for);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_POD_LEDGER_H_
