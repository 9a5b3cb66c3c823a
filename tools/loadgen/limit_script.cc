#include "tools/loadgen/limit_script.h"

#include "absl/strings/str_format.h"
#include "tools/loadgen/http_get.h"

namespace sluice::loadgen {

LimitScript::LimitScript(std::string kubesim_url, std::vector<LimitStep> steps, const Clock* clock)
    : kubesim_url_(std::move(kubesim_url)), steps_(std::move(steps)), clock_(clock) {}

LimitScript::~LimitScript() { Stop(); }

absl::Status LimitScript::Apply(double qps) {
  absl::StatusOr<std::string> r =
      HttpPutJson(kubesim_url_, "/sim/limits", absl::StrFormat("{\"mutating_qps\":%g}", qps));
  if (r.ok()) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  if (status_.ok()) status_ = r.status();
  return r.status();
}

absl::Status LimitScript::Start() {
  if (steps_.empty()) return absl::OkStatus();
  if (absl::Status s = Apply(steps_.front().qps); !s.ok()) return s;
  const MonoTime start = clock_->MonoNow();
  thread_ = std::thread([this, start] {
    for (size_t i = 1; i < steps_.size(); ++i) {
      const absl::Duration wait = start + absl::Seconds(steps_[i].at_seconds) - clock_->MonoNow();
      if (stop_.WaitForNotificationWithTimeout(std::max(wait, absl::ZeroDuration()))) return;
      Apply(steps_[i].qps).IgnoreError();
    }
  });
  return absl::OkStatus();
}

void LimitScript::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

absl::Status LimitScript::status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

}  // namespace sluice::loadgen
