#ifndef SLUICE_SCHEDULER_SERVER_ENGINE_LOOP_H_
#define SLUICE_SCHEDULER_SERVER_ENGINE_LOOP_H_

#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "scheduler/common/clock.h"
#include "scheduler/engine/engine.h"

namespace sluice {

// The engine thread: owns the Engine, runs tasks posted from other threads
// (intake batches, API answers, informer updates) in the order they were
// posted, and pumps the engine after each batch of tasks and whenever its next
// wake-up comes due.
//
// Post() is thread-safe; everything a task does to the engine happens on the
// engine thread.
class EngineLoop {
 public:
  using Task = absl::AnyInvocable<void(Engine&)>;

  // `engine` must outlive the loop. `clock` is the clock the engine reads.
  EngineLoop(const Clock& clock, Engine* engine);
  ~EngineLoop();  // Stops the thread if running.
  EngineLoop(const EngineLoop&) = delete;
  EngineLoop& operator=(const EngineLoop&) = delete;

  void Start();
  // Runs the tasks already posted, then stops the thread. Tasks posted later
  // are dropped.
  void Stop();

  void Post(Task task);

  // Runs `task` on the engine thread and waits for it. Must not be called on
  // the engine thread.
  void RunSync(Task task);

  // Called on the engine thread after each iteration, at most once per
  // `period` (for metrics snapshots).
  void SetPeriodicHook(absl::Duration period, absl::AnyInvocable<void(Engine&)> hook);

 private:
  void Run();

  const Clock& clock_;
  Engine* const engine_;
  absl::Mutex mu_;
  std::vector<Task> inbox_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool running_ = false;
  std::thread thread_;
  absl::Duration hook_period_ = absl::Seconds(1);
  absl::AnyInvocable<void(Engine&)> hook_;
  MonoTime last_hook_;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_SERVER_ENGINE_LOOP_H_
