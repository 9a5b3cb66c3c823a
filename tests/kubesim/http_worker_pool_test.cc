#include "tools/kubesim/http_worker_pool.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace sluice::kubesim {
namespace {

// Waits (bounded) until every worker waits for a job.
bool AllIdle(const HttpWorkerPool& pool) {
  for (int i = 0; i < 10'000; ++i) {
    if (pool.idle_threads() == pool.threads()) return true;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return false;
}

// Jobs hold their worker like keep-alive connections do, until released. With
// n idle workers, n + 1 jobs enqueued back to back must all run at once: the
// last one must not wait for a connection to close. Whether the idle workers
// wake between two enqueues is up to the scheduler, so the scenario is
// repeated; a pool that counts only idle workers (not queued jobs against
// them) leaves a job waiting in almost every round.
TEST(HttpWorkerPoolTest, JobsQueuedFasterThanIdleWorkersWakeEachGetAThread) {
  HttpWorkerPool pool(1024);
  for (int round = 0; round < 30; ++round) {
    ASSERT_TRUE(AllIdle(pool)) << "round " << round;
    const int jobs = static_cast<int>(pool.threads()) + 1;
    absl::Notification release, all_running;
    std::atomic<int> running{0};
    for (int i = 0; i < jobs; ++i) {
      pool.enqueue([&] {
        if (running.fetch_add(1) + 1 == jobs) all_running.Notify();
        release.WaitForNotification();
      });
    }
    const bool ok = all_running.WaitForNotificationWithTimeout(absl::Seconds(20));
    const int started = running.load();
    release.Notify();
    ASSERT_TRUE(ok) << "round " << round << ": " << started << " of " << jobs << " jobs running";
    // Wait for the jobs to finish before `release` and `running` go.
    ASSERT_TRUE(AllIdle(pool));
  }
  pool.shutdown();
}

}  // namespace
}  // namespace sluice::kubesim
