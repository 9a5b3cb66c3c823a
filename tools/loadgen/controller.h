#ifndef SLUICE_TOOLS_LOADGEN_CONTROLLER_H_
#define SLUICE_TOOLS_LOADGEN_CONTROLLER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "scheduler/common/clock.h"
#include "sluice/v1/scheduler.grpc.pb.h"
#include "tools/loadgen/event_tracker.h"
#include "tools/loadgen/intent_submitter.h"
#include "tools/loadgen/pod_ledger.h"
#include "tools/loadgen/restart_protocol.h"
#include "tools/loadgen/workload_plan.h"

namespace sluice::loadgen {

// The workflow controller's side of sluiced, as loadgen plays it: one
// WatchEvents stream (EventTracker) and Submit streams (IntentSubmitter),
// kept going across sluiced restarts and broken connections by the restart
// protocol (proto/sluice/v1/scheduler.proto, item 5):
//
// - Every answer and event reports its epoch (EpochWatch).
// - When a Submit stream or the event stream breaks, or an answer carries an
//   epoch the event stream is not following, the controller recovers:
//   it waits for sluiced with a capped exponential backoff (sluiced may be
//   down for seconds; the channel's own reconnect backoff is capped too, see
//   MakeSchedulerChannel), opens a new WatchEvents stream if the old one
//   broke or belongs to another epoch (always before resubmitting, so that no
//   event of a resubmitted pod is missed), and sends again what PodsToSubmit
//   says: after a new event stream, every intended pod not yet settled
//   (created, or finished with --wait finished); on the same unbroken stream,
//   only those without an ACCEPTED/DUPLICATE answer from its epoch (answers
//   lost with the stream, RESOURCE_EXHAUSTED retries). Duplicates fold in
//   sluiced.
// - It keeps going until the deadline; errors that no reconnect can fix
//   (a malformed request, answers that do not match the requests) end it.
//
// All methods from one thread; `stub`, `plan`, `ledger` and `clock` must
// outlive the controller.
class Controller {
 public:
  struct Options {
    WaitFor wait = WaitFor::kCreated;
    IntentSubmitter::Options submit;
    // Between attempts to reach sluiced again: doubles from `backoff_initial`
    // up to `backoff_max`.
    absl::Duration backoff_initial = absl::Milliseconds(50);
    absl::Duration backoff_max = absl::Seconds(1);
    // For opening one WatchEvents stream once sluiced answers.
    absl::Duration open_timeout = absl::Seconds(10);
  };

  Controller(v1::Scheduler::Stub* stub, const WorkloadPlan* plan, PodLedger* ledger,
             const Clock* clock, Options options);
  ~Controller();

  // Opens the first WatchEvents stream (no retry: sluiced must be there).
  absl::Status Start();

  // Adds `pods` to the intended set and sends them; returns once each has an
  // answer from the sluiced the event stream follows, reconnecting and
  // resubmitting (see above) as often as needed before `deadline`.
  absl::Status Submit(absl::Span<const uint32_t> pods, MonoTime deadline);

  // PodLedger::AwaitSettled for options.wait, recovering whenever the event
  // stream breaks or a new epoch shows. False at the deadline, when
  // `progress` returns false, or when recovery failed (watch_status() says
  // why).
  bool AwaitSettled(MonoTime deadline, absl::Duration period,
                    const std::function<bool(const LedgerCounts&)>& progress);

  // Closes the event stream. Idempotent.
  void Stop();

  // The last recovery's error, or the event stream's while it is broken.
  absl::Status watch_status() const;
  // Distinct sluiced epochs seen, minus one.
  uint64_t restarts_seen() const { return epochs_.restarts_seen(); }
  // Intents sent again by recoveries (pods sent before; a pod resubmitted in
  // two recoveries counts twice).
  uint64_t resubmitted() const { return resubmitted_; }
  // WatchEvents streams opened after the first.
  uint64_t reopened_streams() const { return reopened_; }

 private:
  bool NeedsNewStream() const;
  // New event stream: retried with backoff until it opens or the deadline.
  absl::Status Reopen(MonoTime deadline);
  // Sends `to_send`, then recovers and sends again until everything intended is
  // held by the followed epoch (or settled).
  absl::Status SendUntilHeld(std::vector<uint32_t> to_send, MonoTime deadline);
  void SleepBackoff(absl::Duration* backoff, MonoTime deadline);

  v1::Scheduler::Stub* const stub_;
  PodLedger* const ledger_;
  const Clock* const clock_;
  const Options options_;
  EpochWatch epochs_;
  IntentSubmitter submitter_;
  std::unique_ptr<EventTracker> tracker_;
  std::vector<uint32_t> intended_;  // every pod given to Submit, in order
  absl::Status recovery_error_;
  uint64_t resubmitted_ = 0;
  uint64_t reopened_ = 0;
};

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_CONTROLLER_H_
