#ifndef SLUICE_TOOLS_KUBESIM_RETRY_AFTER_TRACKER_H_
#define SLUICE_TOOLS_KUBESIM_RETRY_AFTER_TRACKER_H_

#include <cstdint>
#include <vector>

namespace sluice::kubesim {

// The Retry-After value kube-apiserver puts on APF rejections, modelled on
// apiserver/pkg/util/flowcontrol/dropped_requests_tracker.go (one priority
// level). Drops are counted per unix second. When the first drop of a new
// second arrives, the value is recomputed from the drops of the previous
// `retry_after` seconds (the current second excluded):
//   - at least 3 * retry_after drops, and at least retry_after seconds since
//     the last increase: doubled (TCP-like), capped at 32;
//   - fewer than retry_after drops: decreased by one, down to 1.
// So it starts at 1, grows under sustained rejection, and shrinks back one
// step per new second with few drops once pressure stops.
//
// Not thread-safe (the Throttle holds it under its lock).
class RetryAfterTracker {
 public:
  static constexpr int64_t kMaxRetryAfter = 32;

  // Records one dropped request at `unix_seconds`.
  void RecordDrop(int64_t unix_seconds);
  // The current suggestion, in seconds (>= 1).
  int64_t retry_after() const { return retry_after_; }

 private:
  struct SecondStat {
    int64_t unix_seconds;
    int64_t drops;
  };
  void UpdateHistory(int64_t unix_seconds, int64_t count);
  void UpdateRetryAfter(int64_t unix_seconds);

  std::vector<SecondStat> history_;
  int64_t current_unix_ = 0;
  int64_t current_count_ = 0;
  int64_t retry_after_ = 1;
  int64_t last_increase_unix_ = 0;
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_RETRY_AFTER_TRACKER_H_
