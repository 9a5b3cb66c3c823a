#include "tools/kubesim/due_loop.h"

#include <algorithm>

namespace sluice::kubesim {

void DueLoop::Start() {
  absl::MutexLock lock(&mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void DueLoop::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    cv_.Signal();
  }
  if (thread_.joinable()) thread_.join();
}

void DueLoop::Wake() {
  absl::MutexLock lock(&mu_);
  woken_ = true;
  cv_.Signal();
}

void DueLoop::Loop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      woken_ = false;
    }
    const MonoTime next = run_();
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    if (woken_) continue;
    const absl::Duration wait =
        next.is_infinite() ? absl::Seconds(1) : std::min(next - clock_.MonoNow(), absl::Seconds(1));
    if (wait > absl::ZeroDuration()) cv_.WaitWithTimeout(&mu_, wait);
  }
}

}  // namespace sluice::kubesim
