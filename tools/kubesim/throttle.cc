#include "tools/kubesim/throttle.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {

absl::StatusOr<std::vector<QpsStep>> ParseQpsSchedule(std::string_view text) {
  std::vector<QpsStep> steps;
  if (text.empty()) return steps;
  for (absl::string_view item : absl::StrSplit(ToAbsl(text), ',', absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(item, '=');
    kv.first = absl::StripAsciiWhitespace(kv.first);
    kv.second = absl::StripAsciiWhitespace(kv.second);
    QpsStep step;
    double seconds;
    if (absl::SimpleAtod(kv.first, &seconds)) {
      step.at = absl::Seconds(seconds);
    } else if (!absl::ParseDuration(std::string(kv.first), &step.at)) {
      return absl::InvalidArgumentError(Cat("bad time in qps schedule: '", item, "'"));
    }
    if (!absl::SimpleAtod(kv.second, &step.qps) || step.qps < 0 || step.at < absl::ZeroDuration()) {
      return absl::InvalidArgumentError(Cat("bad qps in qps schedule: '", item, "'"));
    }
    steps.push_back(step);
  }
  std::stable_sort(steps.begin(), steps.end(),
                   [](const QpsStep& a, const QpsStep& b) { return a.at < b.at; });
  return steps;
}

Throttle::Throttle(const Clock& clock, ThrottleLimits limits, std::vector<QpsStep> schedule)
    : clock_(clock), start_(clock.MonoNow()), schedule_(std::move(schedule)), limits_(limits) {
  absl::MutexLock lock(&mu_);
  last_refill_ = start_;
  ApplyScheduleLocked(start_);
  tokens_ = BurstLocked();
}

double Throttle::BurstLocked() const {
  if (limits_.mutating_burst > 0) return static_cast<double>(limits_.mutating_burst);
  return std::max(1.0, std::ceil(limits_.mutating_qps));
}

void Throttle::ApplyScheduleLocked(MonoTime now) {
  while (next_step_ < schedule_.size() && now - start_ >= schedule_[next_step_].at) {
    limits_.mutating_qps = schedule_[next_step_].qps;
    ++next_step_;
  }
}

void Throttle::RefillLocked(MonoTime now) {
  if (now > last_refill_) {
    const double elapsed_s = absl::ToDoubleSeconds(now - last_refill_);
    tokens_ = std::min(BurstLocked(), tokens_ + elapsed_s * limits_.mutating_qps);
    last_refill_ = now;
  }
  tokens_ = std::min(tokens_, BurstLocked());
}

Throttle::Decision Throttle::RejectLocked() {
  retry_after_.RecordDrop(absl::ToUnixSeconds(clock_.WallNow()));
  return {Decision::Kind::kRejected, absl::ZeroDuration(), retry_after_.retry_after()};
}

Throttle::Decision Throttle::TryAdmit(MonoTime give_up_at) {
  absl::MutexLock lock(&mu_);
  const MonoTime now = clock_.MonoNow();
  ApplyScheduleLocked(now);
  RefillLocked(now);
  const bool rate_limited = limits_.mutating_qps > 0;
  const bool seat_free = limits_.max_inflight <= 0 || inflight_ < limits_.max_inflight;
  const bool token_free = !rate_limited || tokens_ >= 1.0;
  if (seat_free && token_free) {
    if (rate_limited) tokens_ -= 1.0;
    ++inflight_;
    return {Decision::Kind::kAdmitted, absl::ZeroDuration(), 0};
  }
  absl::Duration wait = absl::Milliseconds(1);  // seats: poll
  if (!token_free) {
    wait = std::max(wait, absl::Seconds((1.0 - tokens_) / limits_.mutating_qps));
  }
  if (now + wait <= give_up_at) return {Decision::Kind::kWait, wait, 0};
  return RejectLocked();
}

int64_t Throttle::RejectNow() {
  absl::MutexLock lock(&mu_);
  return RejectLocked().retry_after_s;
}

void Throttle::Release() {
  absl::MutexLock lock(&mu_);
  --inflight_;
}

void Throttle::SetLimits(ThrottleLimits limits) {
  absl::MutexLock lock(&mu_);
  const MonoTime now = clock_.MonoNow();
  RefillLocked(now);
  limits_ = limits;
  tokens_ = std::min(tokens_, BurstLocked());
}

ThrottleLimits Throttle::limits() {
  absl::MutexLock lock(&mu_);
  ApplyScheduleLocked(clock_.MonoNow());
  return limits_;
}

int64_t Throttle::inflight() const {
  absl::MutexLock lock(&mu_);
  return inflight_;
}

int64_t Throttle::retry_after() const {
  absl::MutexLock lock(&mu_);
  return retry_after_.retry_after();
}

}  // namespace sluice::kubesim
