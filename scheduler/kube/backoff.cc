#include "scheduler/kube/backoff.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/random/random.h"

namespace sluice::kube {

Backoff::Backoff(const Clock& clock, BackoffPolicy policy, absl::AnyInvocable<double()> uniform01)
    : clock_(clock), policy_(policy), uniform01_(std::move(uniform01)) {
  if (!uniform01_) {
    uniform01_ = [gen = std::make_shared<absl::BitGen>()]() {
      return absl::Uniform<double>(*gen, 0.0, 1.0);
    };
  }
}

absl::Duration Backoff::NextDelay() {
  const MonoTime now = clock_.MonoNow();
  if (failures_ > 0 && now - last_failure_ >= policy_.reset_after) Reset();
  last_failure_ = now;
  if (failures_ == 0) {
    base_ = policy_.initial;
  } else {
    base_ = std::min(policy_.max, base_ * policy_.multiplier);
  }
  ++failures_;
  const double u = std::clamp(uniform01_(), 0.0, 1.0);
  return std::min(policy_.max, base_ * (1.0 + policy_.jitter * u));
}

void Backoff::Reset() {
  failures_ = 0;
  base_ = absl::ZeroDuration();
}

}  // namespace sluice::kube
