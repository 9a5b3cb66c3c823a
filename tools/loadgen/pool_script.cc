#include "tools/loadgen/pool_script.h"

#include <algorithm>
#include <chrono>

#include "absl/time/clock.h"
#include "grpcpp/client_context.h"
#include "tools/loadgen/http_get.h"

namespace sluice::loadgen {
namespace {

// sluiced's GetCapacity answer now; nullopt if it did not answer within 2 s.
std::optional<v1::GetCapacityResponse> Capacity(v1::Scheduler::Stub* stub) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  v1::GetCapacityResponse response;
  if (!stub->GetCapacity(&context, v1::GetCapacityRequest(), &response).ok()) return std::nullopt;
  return response;
}

uint64_t StockoutsOf(const v1::GetCapacityResponse& capacity, const std::string& pool) {
  for (const v1::PoolStatus& p : capacity.pools()) {
    if (p.name() == pool) return p.stockouts();
  }
  return 0;
}

}  // namespace

bool StockoutNoticed(const v1::GetCapacityResponse& capacity, const std::string& pool,
                     uint64_t stockouts_before) {
  for (const v1::PoolStatus& p : capacity.pools()) {
    if (p.name() != pool) continue;
    return p.state() == "Unavailable" || p.stockouts() > stockouts_before;
  }
  return false;
}

PoolScript::PoolScript(std::string kubesim_url, std::vector<PoolStep> steps,
                       v1::Scheduler::Stub* stub, const Clock* clock, absl::Duration poll)
    : kubesim_url_(std::move(kubesim_url)),
      steps_(std::move(steps)),
      stub_(stub),
      clock_(clock),
      poll_(poll) {}

PoolScript::~PoolScript() { Stop(); }

absl::Status PoolScript::Apply(const PoolStep& step) {
  absl::StatusOr<std::string> r = HttpPutJson(kubesim_url_, "/sim/pools", step.pools_json);
  if (r.ok()) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  if (status_.ok()) status_ = r.status();
  return r.status();
}

std::optional<double> PoolScript::AwaitDetection(const std::string& pool, MonoTime applied,
                                                 MonoTime give_up) {
  // Stock-outs sluiced had counted before this one (read right after the PUT:
  // sluiced cannot have seen a pod of the new stock-out yet).
  std::optional<v1::GetCapacityResponse> before = Capacity(stub_);
  const uint64_t stockouts_before = before.has_value() ? StockoutsOf(*before, pool) : 0;
  while (true) {
    if (std::optional<v1::GetCapacityResponse> now = Capacity(stub_);
        now.has_value() && StockoutNoticed(*now, pool, stockouts_before)) {
      return absl::ToDoubleSeconds(clock_->MonoNow() - applied);
    }
    const MonoTime now = clock_->MonoNow();
    if (now >= give_up) return std::nullopt;
    if (stop_.WaitForNotificationWithTimeout(std::min(poll_, give_up - now))) return std::nullopt;
  }
}

absl::Status PoolScript::Start() {
  if (steps_.empty()) return absl::OkStatus();
  const MonoTime start = clock_->MonoNow();
  thread_ = std::thread([this, start] {
    for (size_t i = 0; i < steps_.size(); ++i) {
      const absl::Duration wait = start + absl::Seconds(steps_[i].at_seconds) - clock_->MonoNow();
      if (stop_.WaitForNotificationWithTimeout(std::max(wait, absl::ZeroDuration()))) return;
      if (!Apply(steps_[i]).ok() || steps_[i].stockout_pool.empty() || stub_ == nullptr) continue;
      const MonoTime applied = clock_->MonoNow();
      const MonoTime give_up = i + 1 < steps_.size()
                                   ? start + absl::Seconds(steps_[i + 1].at_seconds)
                                   : applied + absl::Minutes(5);
      std::optional<double> detected = AwaitDetection(steps_[i].stockout_pool, applied, give_up);
      absl::MutexLock lock(&mu_);
      detections_.push_back(detected);
    }
  });
  return absl::OkStatus();
}

void PoolScript::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

absl::Status PoolScript::status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

std::vector<std::optional<double>> PoolScript::detection_seconds() const {
  absl::MutexLock lock(&mu_);
  return detections_;
}

}  // namespace sluice::loadgen
