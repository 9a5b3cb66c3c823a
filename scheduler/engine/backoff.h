#ifndef SLUICE_SCHEDULER_ENGINE_BACKOFF_H_
#define SLUICE_SCHEDULER_ENGINE_BACKOFF_H_

#include <cstdint>

#include "absl/time/time.h"

namespace sluice {

// Capped exponential backoff with optional jitter:
//   delay(n) = min(max, initial * multiplier^(n-1)) * (1 + jitter * u), u in [-1, 1)
// for the n-th consecutive failure (n >= 1). Jitter comes from a seeded
// generator so that a run is reproducible.
//
// Not thread-safe: owned by one thread.
class ExponentialBackoff {
 public:
  struct Options {
    absl::Duration initial = absl::Milliseconds(500);
    double multiplier = 2.0;
    absl::Duration max = absl::Seconds(30);
    // Fraction of the delay added or removed at random; 0 for exact schedules.
    double jitter = 0.2;
    uint64_t seed = 0x5eed;
  };

  explicit ExponentialBackoff(const Options& options);

  // The delay before retry number `failures` (the count of failures so far, >= 1).
  absl::Duration Delay(uint32_t failures);

  // The delay without jitter.
  absl::Duration BaseDelay(uint32_t failures) const;

 private:
  double NextUnit();  // uniform in [-1, 1)

  Options options_;
  uint64_t state_;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_ENGINE_BACKOFF_H_
