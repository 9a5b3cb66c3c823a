#ifndef SLUICE_TOOLS_LOADGEN_RESTART_PROTOCOL_H_
#define SLUICE_TOOLS_LOADGEN_RESTART_PROTOCOL_H_

#include <cstdint>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "tools/loadgen/pod_ledger.h"

namespace sluice::loadgen {

// The bookkeeping of the controller side of sluiced's restart protocol
// (proto/sluice/v1/scheduler.proto, "How a controller uses this API", 5):
// every Submit answer and every event carries the epoch of the sluiced that
// sent it; a new epoch means sluiced restarted and forgot every intent it had
// not created yet.

// The epochs seen on answers and events. Thread-safe (the submitter's reader
// and the event tracker report from their own threads).
class EpochWatch {
 public:
  // Notes `epoch` (0 is ignored: not from sluiced). True if it was never seen
  // before; it becomes current() then. An epoch seen before never becomes
  // current again (a late message from a dead incarnation changes nothing).
  bool Observe(uint64_t epoch);
  // The last new epoch observed; 0 before the first.
  uint64_t current() const;
  // Distinct epochs seen, minus one (0 before the first): restarts noticed.
  uint64_t restarts_seen() const;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_set<uint64_t> seen_ ABSL_GUARDED_BY(mu_);
  uint64_t current_ ABSL_GUARDED_BY(mu_) = 0;
};

// The pods of `intended` (indices into `records`) that must be sent to sluiced
// (again), in the order of `intended`: every pod not settled for `wait_for`
// (see IsSettled) unless the sluiced of `trusted_epoch` holds it (answered
// ACCEPTED or DUPLICATE in that epoch, see PodRecord::held_epoch).
//
// `trusted_epoch` is the epoch whose events the controller is sure to see
// for the pods it holds: the epoch of an event stream opened before those
// pods were sent and unbroken since. 0 trusts no answer: every unsettled pod
// is sent again (after a restart, or after the event stream was re-opened,
// when events may have been missed; DUPLICATE answers then report each
// pod's state).
//
// So a pod is never lost: an intent whose answer was lost in a crash has no
// answer from the trusted epoch, an intent accepted by a dead incarnation
// holds an older epoch, and both are sent again. Resubmitting a pod that
// exists is safe: sluiced folds it (DUPLICATE, or adopts the existing pod,
// or takes the APIServer's 409 as created).
std::vector<uint32_t> PodsToSubmit(const std::vector<PodRecord>& records,
                                   absl::Span<const uint32_t> intended, uint64_t trusted_epoch,
                                   WaitFor wait_for);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_RESTART_PROTOCOL_H_
