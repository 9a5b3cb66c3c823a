#include "scheduler/server/engine_loop.h"

#include <utility>

#include "absl/synchronization/notification.h"

namespace sluice {

EngineLoop::EngineLoop(const Clock& clock, Engine* engine) : clock_(clock), engine_(engine) {}

EngineLoop::~EngineLoop() { Stop(); }

void EngineLoop::Start() {
  if (running_) return;
  running_ = true;
  thread_ = std::thread([this] { Run(); });
}

void EngineLoop::Stop() {
  if (!running_) return;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
  running_ = false;
}

void EngineLoop::Post(Task task) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  inbox_.push_back(std::move(task));
}

void EngineLoop::RunSync(Task task) {
  absl::Notification done;
  Post([&task, &done](Engine& engine) {
    task(engine);
    done.Notify();
  });
  done.WaitForNotification();
}

void EngineLoop::SetPeriodicHook(absl::Duration period, absl::AnyInvocable<void(Engine&)> hook) {
  hook_period_ = period;
  hook_ = std::move(hook);
}

void EngineLoop::Run() {
  std::vector<Task> tasks;
  while (true) {
    bool stopping = false;
    {
      absl::MutexLock lock(&mu_);
      MonoTime wake = engine_->NextWakeup();
      // The periodic hook (metrics) runs on an idle engine too.
      if (hook_ && last_hook_ + hook_period_ < wake) wake = last_hook_ + hook_period_;
      auto ready = [this]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !inbox_.empty() || stopping_; };
      if (!ready()) {
        if (wake.is_infinite()) {
          mu_.Await(absl::Condition(&ready));
        } else {
          const absl::Duration wait = wake - clock_.MonoNow();
          if (wait > absl::ZeroDuration()) {
            mu_.AwaitWithTimeout(absl::Condition(&ready), wait);
          }
        }
      }
      tasks.swap(inbox_);
      stopping = stopping_;
    }
    for (Task& task : tasks) task(*engine_);
    tasks.clear();
    engine_->Pump();
    if (hook_) {
      const MonoTime now = clock_.MonoNow();
      if (now - last_hook_ >= hook_period_ || stopping) {
        last_hook_ = now;
        hook_(*engine_);
      }
    }
    if (stopping) {
      absl::MutexLock lock(&mu_);
      if (inbox_.empty()) return;
    }
  }
}

}  // namespace sluice
