#include "scheduler/engine/backoff.h"

#include <algorithm>
#include <cmath>

namespace sluice {

ExponentialBackoff::ExponentialBackoff(const Options& options)
    : options_(options), state_(options.seed) {}

absl::Duration ExponentialBackoff::BaseDelay(uint32_t failures) const {
  if (failures == 0) return absl::ZeroDuration();
  const double initial_s = absl::ToDoubleSeconds(options_.initial);
  const double max_s = absl::ToDoubleSeconds(options_.max);
  // Stop multiplying once past the cap so large counts cannot overflow.
  double delay_s = initial_s;
  for (uint32_t i = 1; i < failures && delay_s < max_s; ++i) delay_s *= options_.multiplier;
  return absl::Seconds(std::min(delay_s, max_s));
}

absl::Duration ExponentialBackoff::Delay(uint32_t failures) {
  const absl::Duration base = BaseDelay(failures);
  if (options_.jitter <= 0) return base;
  const double factor = 1.0 + options_.jitter * NextUnit();
  return base * std::max(0.0, factor);
}

double ExponentialBackoff::NextUnit() {
  // splitmix64: small, fast, good enough for jitter.
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

}  // namespace sluice
