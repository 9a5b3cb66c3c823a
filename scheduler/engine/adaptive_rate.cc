#include "scheduler/engine/adaptive_rate.h"

#include <algorithm>
#include <cmath>

namespace sluice {

AdaptiveRate::AdaptiveRate(const Options& options, MonoTime now)
    : options_(options),
      rate_(Clamp(options.initial_qps)),
      last_advance_(now),
      base_(rate_),
      last_decrease_(MonoTime::Zero()) {}

double AdaptiveRate::Clamp(double qps) const {
  return std::clamp(qps, options_.floor_qps, std::max(options_.floor_qps, options_.ceiling_qps));
}

double AdaptiveRate::GrowthAt(absl::Duration t) const {
  if (slow_start_) {
    return base_ * std::exp2(absl::FDivDuration(t, options_.doubling_time));
  }
  const double k = absl::ToDoubleSeconds(options_.recovery_time);
  const double x = (absl::ToDoubleSeconds(t) - k) / k;
  return base_ * (1.0 + (1.0 - options_.decrease_factor) * x * x * x);
}

bool AdaptiveRate::Advance(MonoTime now, bool saturated) {
  const absl::Duration elapsed = now - last_advance_;
  last_advance_ = now;
  if (!saturated || elapsed <= absl::ZeroDuration()) return false;
  grown_for_ += elapsed;
  const double next = Clamp(std::max(rate_, GrowthAt(grown_for_)));
  if (next == rate_) return false;
  rate_ = next;
  return true;
}

void AdaptiveRate::Decrease(MonoTime now, double factor, Cause cause) {
  ++decreases_[static_cast<int>(cause)];
  // w_max: where the limit was met. Growth restarts at factor * w_max, which
  // is where GrowthAt(0) puts it for the throttling factor.
  base_ = rate_;
  rate_ = Clamp(rate_ * factor);
  slow_start_ = false;
  // Start the growth curve where the new rate sits on it.
  const double k = absl::ToDoubleSeconds(options_.recovery_time);
  const double beta = 1.0 - options_.decrease_factor;
  const double ratio = base_ > 0 ? rate_ / base_ : 1.0;
  // rate = base * (1 + beta * x^3)  =>  x = cbrt((ratio - 1) / beta)
  const double x = beta > 0 ? std::cbrt((ratio - 1.0) / beta) : 0.0;
  grown_for_ = absl::Seconds(std::max(0.0, k + x * k));
  last_decrease_ = now;
  last_advance_ = now;
}

int64_t AdaptiveRate::BucketIndex(MonoTime t) const {
  const absl::Duration width =
      std::max(absl::Nanoseconds(1), options_.share_window / kShareBuckets);
  absl::Duration rest;
  return absl::IDivDuration(t - MonoTime::Zero(), width, &rest);
}

void AdaptiveRate::CountAnswer(MonoTime now, bool throttled) {
  const int64_t index = BucketIndex(now);
  ShareBucket& bucket = share_[((index % kShareBuckets) + kShareBuckets) % kShareBuckets];
  if (bucket.index != index) bucket = {index, 0, 0};
  ++bucket.answers;
  if (throttled) ++bucket.throttled;
}

double AdaptiveRate::ThrottledShare(MonoTime now) const {
  const int64_t current = BucketIndex(now);
  uint64_t answers = 0;
  uint64_t throttled = 0;
  for (const ShareBucket& bucket : share_) {
    if (bucket.index < 0 || bucket.index > current || current - bucket.index >= kShareBuckets) {
      continue;
    }
    answers += bucket.answers;
    throttled += bucket.throttled;
  }
  return answers == 0 ? 0.0 : static_cast<double>(throttled) / static_cast<double>(answers);
}

absl::Duration AdaptiveRate::PauseFor(MonoTime now, absl::Duration retry_after) const {
  const double share = ThrottledShare(now);
  if (share <= 0 || share < options_.pause_share) return absl::ZeroDuration();
  return retry_after * share;
}

double AdaptiveRate::ThrottledFactor(MonoTime now) const {
  // The cut scales with the throttled share, as DCTCP's with the share of
  // marked packets: the whole (1 - decrease_factor) from pause_share on, a
  // third of it for a lone 429 among many answers.
  const double pause_share = std::max(options_.pause_share, 1e-9);
  const double depth = std::clamp(ThrottledShare(now) / pause_share, 1.0 / 3.0, 1.0);
  return 1.0 - (1.0 - options_.decrease_factor) * depth;
}

bool AdaptiveRate::OnAnswer(MonoTime now, MonoTime started, bool throttled,
                            absl::Duration latency) {
  CountAnswer(now, throttled);
  // A request started before the last decrease says nothing about the new rate.
  if (started < last_decrease_) return false;
  if (throttled) {
    Decrease(now, ThrottledFactor(now), Cause::kThrottled);
    return true;
  }
  if (options_.latency_target > absl::ZeroDuration() && latency > options_.latency_target) {
    Decrease(now, options_.latency_decrease_factor, Cause::kLatency);
    return true;
  }
  return false;
}

}  // namespace sluice
