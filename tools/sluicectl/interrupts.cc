#include "tools/sluicectl/interrupts.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <thread>
#include <utility>

#include "absl/synchronization/mutex.h"

namespace sluice::ctl {
namespace {

struct InterruptState {
  absl::Mutex mu;
  std::function<void()> handler ABSL_GUARDED_BY(mu);
  bool interrupted ABSL_GUARDED_BY(mu) = false;
};

InterruptState& State() {
  static InterruptState* const state = new InterruptState();  // never destroyed
  return *state;
}

sigset_t Signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

void WaitForSignals() {
  const sigset_t signals = Signals();
  while (true) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    InterruptState& state = State();
    absl::MutexLock lock(&state.mu);
    if (state.handler == nullptr || state.interrupted) _exit(128 + sig);
    state.interrupted = true;
    state.handler();
  }
}

}  // namespace

void InstallInterrupts() {
  const sigset_t signals = Signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread(WaitForSignals).detach();
}

void SetInterruptHandler(std::function<void()> handler) {
  InterruptState& state = State();
  absl::MutexLock lock(&state.mu);
  state.handler = std::move(handler);
  state.interrupted = false;
}

}  // namespace sluice::ctl
