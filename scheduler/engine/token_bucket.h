#ifndef SLUICE_SCHEDULER_ENGINE_TOKEN_BUCKET_H_
#define SLUICE_SCHEDULER_ENGINE_TOKEN_BUCKET_H_

#include <cstdint>

#include "absl/time/time.h"
#include "scheduler/common/clock.h"

namespace sluice {

// A token bucket refilled at `rate_per_second` up to `burst` tokens, kept as a
// generic cell rate algorithm on integer nanoseconds so that boundaries are
// exact: at 10 tokens/s an empty bucket holds no token at 99,999,999 ns and one
// token at 100,000,000 ns.
//
// A rate of 0 means unlimited: every Consume succeeds.
//
// Not thread-safe: owned by the engine thread.
class TokenBucket {
 public:
  // A full bucket. REQUIRES: rate_per_second >= 0, burst >= 1.
  TokenBucket(double rate_per_second, uint32_t burst, MonoTime now);

  bool unlimited() const { return interval_nanos_ == 0; }
  double rate_per_second() const { return rate_per_second_; }
  uint32_t burst() const { return burst_; }

  // Whole tokens available at `now` (at most burst).
  uint32_t Available(MonoTime now) const;
  // Fractional tokens available at `now`, for status displays.
  double AvailableFractional(MonoTime now) const;

  // Takes one token if available.
  bool TryConsume(MonoTime now);

  // The earliest time at which TryConsume will succeed (now if a token is available).
  MonoTime NextAvailable(MonoTime now) const;

  // Changes the rate and burst, keeping the fraction of the bucket that is full.
  void Reconfigure(double rate_per_second, uint32_t burst, MonoTime now);

 private:
  static int64_t IntervalNanos(double rate_per_second);

  double rate_per_second_;
  uint32_t burst_;
  int64_t interval_nanos_;  // time to earn one token; 0 = unlimited
  // The theoretical arrival time: the bucket is full at tat_ and holds
  // burst - (tat_ - now) / interval tokens before it.
  MonoTime tat_;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_ENGINE_TOKEN_BUCKET_H_
