#ifndef SLUICE_SCHEDULER_ENGINE_WRITE_BUDGET_H_
#define SLUICE_SCHEDULER_ENGINE_WRITE_BUDGET_H_

#include <algorithm>
#include <cstdint>

#include "scheduler/common/clock.h"
#include "scheduler/engine/token_bucket.h"

namespace sluice {

// The APIServer's mutating budget as Sluice spends it: a token bucket (QPS and
// burst), a cap on writes in flight (max_in_flight, narrowed by a window the
// engine sizes), and a pause while a Retry-After runs.
// Creates and deletes share it.
//
// Not thread-safe: owned by the engine thread.
class WriteBudget {
 public:
  struct Options {
    double qps = 100;  // 0: no rate limit (only the in-flight cap)
    uint32_t burst = 200;
    uint32_t max_in_flight = 256;
  };

  WriteBudget(const Options& options, MonoTime now);

  // True if a write may start at `now`.
  bool CanStart(MonoTime now) const;
  // Takes a token and an in-flight slot. REQUIRES: CanStart(now).
  void Start(MonoTime now);
  // A write answered (whatever the answer).
  void Finish();

  // Narrows the in-flight cap to `window` writes (never above max_in_flight;
  // 0 restores max_in_flight). Writes already in flight beyond it stay.
  void SetWindow(uint32_t window) { window_ = window; }
  // The in-flight cap in force: the window, or max_in_flight without one.
  uint32_t window() const {
    return window_ == 0 ? options_.max_in_flight : std::min(window_, options_.max_in_flight);
  }
  bool window_full() const { return in_flight_ >= window(); }

  // Honour a Retry-After: no write starts before `until` (a later pause wins).
  void PauseUntil(MonoTime until);
  bool paused(MonoTime now) const { return now < paused_until_; }
  MonoTime paused_until() const { return paused_until_; }

  // When a write could start, ignoring the in-flight cap (which only an answer
  // lifts): the later of the pause's end and the next token.
  MonoTime NextStart(MonoTime now) const;

  void Reconfigure(const Options& options, MonoTime now);

  const Options& options() const { return options_; }
  uint32_t in_flight() const { return in_flight_; }
  double tokens(MonoTime now) const { return bucket_.AvailableFractional(now); }

 private:
  Options options_;
  TokenBucket bucket_;
  uint32_t in_flight_ = 0;
  uint32_t window_ = 0;
  MonoTime paused_until_;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_ENGINE_WRITE_BUDGET_H_
