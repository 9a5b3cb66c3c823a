#include "scheduler/engine/token_bucket.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace sluice {

int64_t TokenBucket::IntervalNanos(double rate_per_second) {
  if (rate_per_second <= 0) return 0;
  return std::max<int64_t>(1, std::llround(1e9 / rate_per_second));
}

TokenBucket::TokenBucket(double rate_per_second, uint32_t burst, MonoTime now)
    : rate_per_second_(rate_per_second),
      burst_(std::max<uint32_t>(burst, 1)),
      interval_nanos_(IntervalNanos(rate_per_second)),
      tat_(now) {
  assert(rate_per_second >= 0);
}

uint32_t TokenBucket::Available(MonoTime now) const {
  if (unlimited()) return burst_;
  const int64_t debt = tat_.nanos() - now.nanos();
  if (debt <= 0) return burst_;
  // Tokens owed, rounded up: a partly earned token is not available.
  const int64_t owed = (debt + interval_nanos_ - 1) / interval_nanos_;
  return owed >= burst_ ? 0 : burst_ - static_cast<uint32_t>(owed);
}

double TokenBucket::AvailableFractional(MonoTime now) const {
  if (unlimited()) return burst_;
  const int64_t debt = std::max<int64_t>(0, tat_.nanos() - now.nanos());
  const double tokens = static_cast<double>(burst_) -
                        static_cast<double>(debt) / static_cast<double>(interval_nanos_);
  return std::max(0.0, tokens);
}

bool TokenBucket::TryConsume(MonoTime now) {
  if (unlimited()) return true;
  if (Available(now) == 0) return false;
  tat_ = MonoTime::FromNanos(std::max(tat_.nanos(), now.nanos()) + interval_nanos_);
  return true;
}

MonoTime TokenBucket::NextAvailable(MonoTime now) const {
  if (unlimited() || Available(now) > 0) return now;
  // Available once debt <= (burst - 1) * interval.
  return MonoTime::FromNanos(tat_.nanos() - static_cast<int64_t>(burst_ - 1) * interval_nanos_);
}

void TokenBucket::Reconfigure(double rate_per_second, uint32_t burst, MonoTime now) {
  const double fraction_full =
      unlimited() ? 1.0 : AvailableFractional(now) / static_cast<double>(burst_);
  rate_per_second_ = rate_per_second;
  burst_ = std::max<uint32_t>(burst, 1);
  interval_nanos_ = IntervalNanos(rate_per_second);
  if (unlimited()) {
    tat_ = now;
    return;
  }
  const double missing_tokens = (1.0 - fraction_full) * static_cast<double>(burst_);
  tat_ = MonoTime::FromNanos(now.nanos() +
                             std::llround(missing_tokens * static_cast<double>(interval_nanos_)));
}

}  // namespace sluice
