#ifndef SLUICE_TOOLS_KUBESIM_FAULT_POLICY_H_
#define SLUICE_TOOLS_KUBESIM_FAULT_POLICY_H_

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sluice::kubesim {

// The faults the simulated APIServer injects. Shares are fractions in [0, 1]
// of the API requests they apply to (never /sim/*, /healthz, /version).
struct FaultSettings {
  // Any API request (watches included) answered 500 InternalError, not executed.
  double rate_500 = 0;
  // Any API request answered 503 ServiceUnavailable with `Retry-After:
  // retry_after_503_s`, not executed.
  double rate_503 = 0;
  int64_t retry_after_503_s = 1;
  // Mutating requests rejected 429 as if APF had no seat: each counts as a
  // drop, so under a sustained share the Retry-After grows 1, 2, 4 .. 32.
  double rate_429 = 0;
  // Any API request whose connection is reset (TCP RST, no status line)
  // before it is executed: nothing happened.
  double reset_before_rate = 0;
  // Non-watch API requests executed (a create: the pod exists) and then the
  // connection reset before the answer is written: the answer is lost.
  double reset_after_rate = 0;
  // Non-watch API requests executed, then cut after the status line and
  // headers (--drop-connections-rate).
  double drop_after_headers_rate = 0;
  // Pod creates answered 500 ServerTimeout (not created) or 504 Timeout
  // (created half of the time) (--fail-rate-5xx).
  double create_5xx_rate = 0;
  // Every API answer is delayed by latency + uniform[0, latency_jitter]; a
  // share spike_rate of them by `spike` more.
  absl::Duration latency = absl::ZeroDuration();
  absl::Duration latency_jitter = absl::ZeroDuration();
  double spike_rate = 0;
  absl::Duration spike = absl::ZeroDuration();
  // > 0: every watch stream is cut (connection closed without the final
  // chunk) this long after it started.
  absl::Duration watch_cut = absl::ZeroDuration();
  // Watches that resume from a resourceVersion (not "" or "0") answered with
  // one ERROR event carrying the 410 Expired Status, then end of stream, as
  // when the history was compacted.
  double watch_410_rate = 0;
};

// Parses a JSON object of settings over `base` (absent keys keep their
// value): rate_500, rate_503, retry_after_503_s, rate_429, reset_before_rate,
// reset_after_rate, drop_after_headers_rate, create_5xx_rate, latency_ms,
// latency_jitter_ms, spike_rate, spike_ms, watch_cut_s (number, may be
// fractional), watch_410_rate. Unknown keys, shares outside [0, 1] and
// negative durations are errors.
absl::StatusOr<FaultSettings> ParseFaultSettingsJson(std::string_view json,
                                                     const FaultSettings& base);

// What the server does to one API request, drawn by FaultPolicy::PlanRequest.
struct RequestFaults {
  enum class Before { kNone, kReset, k500, k503, k429 };
  Before before = Before::kNone;  // instead of executing the request
  int64_t retry_after_503_s = 0;
  bool create_5xx = false;                      // pod creates: the --fail-rate-5xx answer
  bool reset_after = false;                     // executed, then reset before the answer
  bool drop_after_headers = false;              // executed, then cut after the headers
  absl::Duration delay = absl::ZeroDuration();  // before the answer
  bool spiked = false;                          // delay includes the spike
};

// What happens to one watch stream, drawn by FaultPolicy::PlanWatch.
struct WatchFaults {
  bool expire_410 = false;
  absl::Duration cut_after = absl::ZeroDuration();  // 0: never cut
};

// How many faults were injected of each kind.
struct FaultCounts {
  int64_t answered_500 = 0;
  int64_t answered_503 = 0;
  int64_t answered_429 = 0;
  int64_t reset_before = 0;
  int64_t reset_after = 0;
  int64_t dropped_after_headers = 0;
  int64_t create_5xx = 0;
  int64_t spikes = 0;
  int64_t watches_cut = 0;
  int64_t watches_expired = 0;
};

// Draws the faults of each request from the settings with a seeded PRNG: the
// same seed and the same sequence of calls give the same faults. Settings
// change at run time (PUT /sim/faults). Thread-safe (one lock per draw).
class FaultPolicy {
 public:
  explicit FaultPolicy(FaultSettings settings = {}, uint64_t seed = 1);

  FaultSettings settings() const;
  void Set(const FaultSettings& settings);

  // One API request: `mutating` (POST/PUT/PATCH/DELETE), `watch`, `pod_create`.
  // At most one of the `before` faults; the after-execution faults only when
  // none of them was drawn. Counts what it returns, except watch cuts.
  RequestFaults PlanRequest(bool mutating, bool watch, bool pod_create);
  // One watch that got past PlanRequest; `resumes` when it names a
  // resourceVersion other than "" and "0".
  WatchFaults PlanWatch(bool resumes);
  // A watch stream was cut by its WatchFaults::cut_after.
  void RecordWatchCut();

  FaultCounts counts() const;
  // {"settings":{...as ParseFaultSettingsJson takes...},"injected":{...}}.
  std::string Json() const;

 private:
  bool Draw(double rate) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  FaultSettings settings_ ABSL_GUARDED_BY(mu_);
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  FaultCounts counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_FAULT_POLICY_H_
