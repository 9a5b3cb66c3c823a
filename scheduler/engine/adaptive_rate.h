#ifndef SLUICE_SCHEDULER_ENGINE_ADAPTIVE_RATE_H_
#define SLUICE_SCHEDULER_ENGINE_ADAPTIVE_RATE_H_

#include <cstdint>

#include "absl/time/time.h"
#include "scheduler/common/clock.h"

namespace sluice {

// Learns the mutating rate an APIServer grants, from its answers alone.
//
// A static QPS is either too timid or too aggressive; the real limit (API
// Priority and Fairness seats, etcd, webhooks) is unknown and moves. The rate
// follows the shape TCP CUBIC gives a congestion window, in requests/s:
//
//  - slow start: from `initial_qps`, the rate doubles every `doubling_time`
//    until the first sign of overload;
//  - multiplicative decrease: a 429 (or an answer slower than
//    `latency_target`) multiplies the rate by `decrease_factor`
//    (`latency_decrease_factor`), remembering the rate it fell from (w_max).
//    The cut on a 429 scales with the throttled share (below), as DCTCP's
//    with the share of marked packets: all of (1 - decrease_factor) once the
//    share reaches `pause_share`, a third of it for a lone 429 among many
//    answers (a rate just above the limit, or a clump after a stall);
//  - growth after a decrease, t seconds later:
//        rate(t) = w_max * (1 + (1 - decrease_factor) * ((t - K) / K)^3)
//    with K = `recovery_time`: concave back up to w_max in K (where the limit
//    was), flat around it, then convex, probing beyond it quickly if the
//    limit has risen (3 * w_max after about 2.9 K);
//  - only answers to requests *started after* the last decrease can cause
//    another, so one overshoot is one decrease, however many 429s it drew;
//  - growth only counts time during which the budget was the bottleneck
//    (`saturated`): an idle Sluice does not inflate its rate;
//  - never above `ceiling_qps`, never below `floor_qps`.
//
// It also keeps the throttled share: the 429s among every answer of the last
// `share_window`. A 429's Retry-After is a hint about that one request (APF
// answers 1 s routinely, and kube-apiserver's value grows to 32 s after a
// clump of rejections): while the share is low, the refused request alone
// waits it out and the rate cut does the rest. Only when the share reaches
// `pause_share` (the server refuses much of what is sent even after cuts) does
// every write pause, for share x Retry-After: a server that answers every
// write with 429 gets its full Retry-After, never a stream of retries.
//
// Deterministic and clock-driven: every method takes `now`. Not thread-safe
// (the engine thread owns it).
class AdaptiveRate {
 public:
  struct Options {
    bool enabled = false;
    double floor_qps = 5;
    double ceiling_qps = 5000;
    double initial_qps = 50;
    absl::Duration doubling_time = absl::Milliseconds(500);
    double decrease_factor = 0.7;
    double latency_decrease_factor = 0.9;
    // Answers slower than this mean the APIServer is queueing (0: ignore latency).
    absl::Duration latency_target = absl::Seconds(1);
    absl::Duration recovery_time = absl::Milliseconds(1500);
    // The throttled share is measured over the answers of this long.
    absl::Duration share_window = absl::Seconds(1);
    // From this throttled share on, a 429 pauses every write (0 < x <= 1).
    double pause_share = 0.5;
  };

  enum class Cause : uint8_t { kThrottled = 0, kLatency = 1 };
  static constexpr int kCauseCount = 2;

  AdaptiveRate(const Options& options, MonoTime now);

  // An answer to a write started at `started`. Returns true if the rate fell.
  // Every answer counts toward the throttled share.
  bool OnAnswer(MonoTime now, MonoTime started, bool throttled, absl::Duration latency);

  // 429s among the answers of the last share_window (0 without answers).
  double ThrottledShare(MonoTime now) const;
  // How long every write should pause after a 429 carrying `retry_after`:
  // share x retry_after once the share reaches pause_share, else zero.
  absl::Duration PauseFor(MonoTime now, absl::Duration retry_after) const;

  // Advances growth to `now`. `saturated`: since the previous call the budget,
  // not demand, limited the writes. Returns true if the rate changed.
  bool Advance(MonoTime now, bool saturated);

  double rate() const { return rate_; }
  bool slow_start() const { return slow_start_; }
  uint64_t decreases(Cause cause) const { return decreases_[static_cast<int>(cause)]; }
  const Options& options() const { return options_; }

 private:
  double Clamp(double qps) const;
  void Decrease(MonoTime now, double factor, Cause cause);
  double GrowthAt(absl::Duration t) const;
  // The factor a 429 answered at `now` cuts the rate by.
  double ThrottledFactor(MonoTime now) const;
  void CountAnswer(MonoTime now, bool throttled);

  // The share window in kShareBuckets buckets of share_window / kShareBuckets
  // (the window read covers the current bucket and the ones before it).
  static constexpr int kShareBuckets = 10;
  struct ShareBucket {
    int64_t index = -1;  // bucket number since MonoTime::Zero(); -1: unused
    uint64_t answers = 0;
    uint64_t throttled = 0;
  };
  int64_t BucketIndex(MonoTime t) const;
  ShareBucket share_[kShareBuckets];

  Options options_;
  double rate_;
  bool slow_start_ = true;
  // Growth clock: saturated time since the last decrease (or since start).
  absl::Duration grown_for_ = absl::ZeroDuration();
  MonoTime last_advance_;
  // Where growth starts from: the rate at slow start's start, or w_max.
  double base_;
  MonoTime last_decrease_;
  uint64_t decreases_[kCauseCount] = {};
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_ENGINE_ADAPTIVE_RATE_H_
