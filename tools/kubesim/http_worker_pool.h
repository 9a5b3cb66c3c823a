#ifndef SLUICE_TOOLS_KUBESIM_HTTP_WORKER_POOL_H_
#define SLUICE_TOOLS_KUBESIM_HTTP_WORKER_POOL_H_

#include <httplib.h>

#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace sluice::kubesim {

// httplib's task queue: one job per accepted connection, which holds a
// worker for as long as the connection lives (keep-alive, watch streams).
// Threads are started on demand, up to `max_threads`, and then kept; when
// all are busy, new connections wait in FIFO order. Thread-safe.
class HttpWorkerPool final : public httplib::TaskQueue {
 public:
  explicit HttpWorkerPool(size_t max_threads);
  ~HttpWorkerPool() override;

  void enqueue(std::function<void()> fn) override;
  // Runs the queued jobs, then joins every worker.
  void shutdown() override;

  size_t threads() const;
  // Workers waiting for a job.
  size_t idle_threads() const;

 private:
  void Work();

  const size_t max_threads_;
  mutable absl::Mutex mu_;
  std::vector<std::function<void()>> jobs_ ABSL_GUARDED_BY(mu_);  // FIFO via head_
  size_t head_ ABSL_GUARDED_BY(mu_) = 0;
  size_t idle_ ABSL_GUARDED_BY(mu_) = 0;
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_HTTP_WORKER_POOL_H_
