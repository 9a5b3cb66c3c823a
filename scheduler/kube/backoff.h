#ifndef SLUICE_SCHEDULER_KUBE_BACKOFF_H_
#define SLUICE_SCHEDULER_KUBE_BACKOFF_H_

#include <cstdint>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "scheduler/common/clock.h"

namespace sluice::kube {

// Capped exponential backoff with jitter, for reconnecting watches and retrying lists.
struct BackoffPolicy {
  absl::Duration initial = absl::Milliseconds(800);  // first delay (before jitter)
  double multiplier = 2.0;                           // growth per failure
  absl::Duration max = absl::Seconds(30);            // cap, jitter included
  double jitter = 0.5;                               // delay *= 1 + jitter * U[0,1)
  // A failure after this long without one starts the schedule over (client-go: 2 min).
  absl::Duration reset_after = absl::Minutes(2);
};

// The delays to wait between attempts: initial, initial*m, initial*m^2, ... capped at
// `max`, each stretched by a random jitter factor. Not thread-safe: owned by one thread
// (the informer's I/O thread).
//
// Example:
//   Backoff backoff(clock, BackoffPolicy{});
//   transport.RunAfter(backoff.NextDelay(), [&] { Reconnect(); });
//   ...on success: backoff.Reset();
class Backoff {
 public:
  // `uniform01` returns values in [0, 1); the default draws from absl::BitGen. Tests pass
  // a fixed sequence. `clock` must outlive the Backoff.
  Backoff(const Clock& clock, BackoffPolicy policy,
          absl::AnyInvocable<double()> uniform01 = nullptr);

  // Records a failure now and returns how long to wait before the next attempt.
  absl::Duration NextDelay();
  // Success: the next failure starts from `initial` again.
  void Reset();
  // Failures counted since the last reset.
  int64_t failures() const { return failures_; }
  const BackoffPolicy& policy() const { return policy_; }

 private:
  const Clock& clock_;
  const BackoffPolicy policy_;
  absl::AnyInvocable<double()> uniform01_;
  int64_t failures_ = 0;
  absl::Duration base_ = absl::ZeroDuration();  // un-jittered delay of the last failure
  MonoTime last_failure_;
};

}  // namespace sluice::kube

#endif  // SLUICE_SCHEDULER_KUBE_BACKOFF_H_
