#include "scheduler/engine/write_budget.h"

#include <algorithm>
#include <cassert>

namespace sluice {

WriteBudget::WriteBudget(const Options& options, MonoTime now)
    : options_(options), bucket_(options.qps, options.burst, now), paused_until_(now) {}

bool WriteBudget::CanStart(MonoTime now) const {
  return in_flight_ < window() && !paused(now) && bucket_.Available(now) > 0;
}

void WriteBudget::Start(MonoTime now) {
  assert(CanStart(now));
  bucket_.TryConsume(now);
  ++in_flight_;
}

void WriteBudget::Finish() {
  assert(in_flight_ > 0);
  if (in_flight_ > 0) --in_flight_;
}

void WriteBudget::PauseUntil(MonoTime until) { paused_until_ = std::max(paused_until_, until); }

MonoTime WriteBudget::NextStart(MonoTime now) const {
  return std::max({now, paused_until_, bucket_.NextAvailable(now)});
}

void WriteBudget::Reconfigure(const Options& options, MonoTime now) {
  options_ = options;
  bucket_.Reconfigure(options.qps, options.burst, now);
}

}  // namespace sluice
