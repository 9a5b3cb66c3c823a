#ifndef SLUICE_TOOLS_KUBESIM_THROTTLE_H_
#define SLUICE_TOOLS_KUBESIM_THROTTLE_H_

#include <cstdint>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "scheduler/common/clock.h"
#include "tools/kubesim/retry_after_tracker.h"

namespace sluice::kubesim {

// The write budget of the simulated APIServer.
struct ThrottleLimits {
  double mutating_qps = 0;     // sustained mutating requests per second; 0: unlimited
  int64_t mutating_burst = 0;  // bucket size; 0: max(1, ceil(qps))
  int64_t max_inflight = 0;    // concurrent mutating requests (seats); 0: unlimited
};

// One step of a --qps-schedule: from `at` after start, mutating_qps = qps.
struct QpsStep {
  absl::Duration at;
  double qps;
};

// Parses "0s=300,20s=150,40s=400" (durations as absl::ParseDuration accepts,
// a bare number meaning seconds), sorted by time.
absl::StatusOr<std::vector<QpsStep>> ParseQpsSchedule(std::string_view text);

// A model of API Priority and Fairness for the one priority level every
// mutating request of the simulator lands in (like a service account in
// `workload-low`):
//   - seats: at most max_inflight mutating requests execute at once (APF
//     concurrency shares);
//   - a token bucket (mutating_qps, mutating_burst) on top, standing in for
//     the server's capacity to absorb writes (real APF has no QPS limit; the
//     bucket is what makes "the limit" a rate scenarios can script);
//   - a request that gets no seat or token may wait in the queue until its
//     give-up time (APF queuing), then is rejected with 429 and a Retry-After
//     from RetryAfterTracker (starts at 1, grows to 32 under sustained
//     rejection, shrinks back after).
// Read-only requests are not throttled. Time comes from the Clock, so tests
// drive it with a SimulatedClock. Thread-safe.
class Throttle {
 public:
  Throttle(const Clock& clock, ThrottleLimits limits, std::vector<QpsStep> schedule = {});

  struct Decision {
    enum class Kind { kAdmitted, kWait, kRejected };
    Kind kind;
    absl::Duration wait;    // kWait: try again after this long
    int64_t retry_after_s;  // kRejected: the Retry-After header
  };
  // Tries to admit one mutating request at clock.MonoNow(). kAdmitted takes a
  // seat (and a token): call Release() when the request is done. kWait is
  // returned only while now < give_up_at, kRejected records a drop.
  Decision TryAdmit(MonoTime give_up_at);
  void Release();
  // Rejects one mutating request as if it had found no seat (an injected
  // overload): records the drop and returns the Retry-After to send.
  int64_t RejectNow();

  // Replaces the limits (PUT /sim/limits); a --qps-schedule keeps applying
  // its later steps.
  void SetLimits(ThrottleLimits limits);
  ThrottleLimits limits();
  int64_t inflight() const;
  int64_t retry_after() const;

 private:
  void ApplyScheduleLocked(MonoTime now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RefillLocked(MonoTime now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  double BurstLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Decision RejectLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock& clock_;
  const MonoTime start_;
  const std::vector<QpsStep> schedule_;
  mutable absl::Mutex mu_;
  ThrottleLimits limits_ ABSL_GUARDED_BY(mu_);
  size_t next_step_ ABSL_GUARDED_BY(mu_) = 0;
  double tokens_ ABSL_GUARDED_BY(mu_);
  MonoTime last_refill_ ABSL_GUARDED_BY(mu_);
  int64_t inflight_ ABSL_GUARDED_BY(mu_) = 0;
  RetryAfterTracker retry_after_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_THROTTLE_H_
