#include "tools/loadgen/sluiced_chaos.h"

#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace sluice::loadgen {

SluicedChaos::SluicedChaos(LocalStack* stack, Options options)
    : stack_(stack), options_(std::move(options)) {}

SluicedChaos::~SluicedChaos() {
  Finish().IgnoreError();
  {
    absl::MutexLock lock(&mu_);
    released_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void SluicedChaos::Start() {
  thread_ = std::thread([this] { Run(); });
}

absl::Status SluicedChaos::Finish() {
  absl::MutexLock lock(&mu_);
  finishing_ = true;
  if (thread_.joinable()) mu_.Await(absl::Condition(&idle_));
  return error_;
}

std::vector<SluicedChaos::Kill> SluicedChaos::kills() const {
  absl::MutexLock lock(&mu_);
  return kills_;
}

void SluicedChaos::Run() {
  std::mt19937_64 rng(options_.seed);
  std::uniform_real_distribution<double> gap(absl::ToDoubleSeconds(options_.min_gap),
                                             absl::ToDoubleSeconds(options_.max_gap));
  const absl::Time start = absl::Now();
  auto finishing = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return finishing_; };
  for (uint32_t i = 0; i < options_.kills; ++i) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&finishing), absl::Seconds(gap(rng)))) break;
    }
    bool stop = false;
    while (options_.busy && !options_.busy()) {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&finishing), absl::Milliseconds(50))) {
        stop = true;
        break;
      }
    }
    {
      absl::MutexLock lock(&mu_);
      if (stop || finishing_) break;
    }
    const absl::Time killed_at = absl::Now();
    absl::Status s = stack_->KillSluiced();
    if (s.ok()) s = stack_->RestartSluiced();
    absl::MutexLock lock(&mu_);
    if (!s.ok()) {
      error_ = absl::Status(s.code(), absl::StrCat("chaos kill ", i + 1, ": ", s.message()));
      break;
    }
    kills_.push_back({killed_at - start, absl::Now() - killed_at});
  }
  absl::MutexLock lock(&mu_);
  idle_ = true;
  // Parked: the sluiced this thread started lives as long as it does.
  mu_.Await(absl::Condition(&released_));
}

}  // namespace sluice::loadgen
