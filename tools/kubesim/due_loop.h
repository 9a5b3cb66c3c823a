#ifndef SLUICE_TOOLS_KUBESIM_DUE_LOOP_H_
#define SLUICE_TOOLS_KUBESIM_DUE_LOOP_H_

#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "scheduler/common/clock.h"

namespace sluice::kubesim {

// Drives a simulation component on the real clock: one thread calls `run`,
// which does what is due and returns when it wants to run next
// (MonoTime::Infinite(): when woken), then sleeps until then, at most one
// second, or until Wake(). Tests on a SimulatedClock call the component
// directly instead of starting the loop.
//
// Thread-safe. Start() and Stop() are idempotent; Stop() joins the thread
// and must not be called from `run`.
class DueLoop {
 public:
  DueLoop(const Clock& clock, std::function<MonoTime()> run)
      : clock_(clock), run_(std::move(run)) {}
  ~DueLoop() { Stop(); }
  DueLoop(const DueLoop&) = delete;
  DueLoop& operator=(const DueLoop&) = delete;

  void Start();
  void Stop();
  // Runs `run` again as soon as possible.
  void Wake();

 private:
  void Loop();

  const Clock& clock_;
  const std::function<MonoTime()> run_;
  absl::Mutex mu_;
  absl::CondVar cv_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_DUE_LOOP_H_
