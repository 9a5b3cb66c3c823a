#include "tools/kubesim/http_worker_pool.h"

#include <algorithm>

namespace sluice::kubesim {

HttpWorkerPool::HttpWorkerPool(size_t max_threads)
    : max_threads_(std::max<size_t>(max_threads, 1)) {}

HttpWorkerPool::~HttpWorkerPool() { shutdown(); }

void HttpWorkerPool::enqueue(std::function<void()> fn) {
  absl::MutexLock lock(&mu_);
  jobs_.push_back(std::move(fn));
  // Idle workers that have not woken yet cannot take more jobs than there are
  // of them: a job beyond that gets a new thread (else it would wait for a
  // connection to close, up to the keep-alive timeout).
  if (jobs_.size() - head_ > idle_ && workers_.size() < max_threads_) {
    workers_.emplace_back([this] { Work(); });
  }
}

void HttpWorkerPool::Work() {
  while (true) {
    std::function<void()> job;
    {
      absl::MutexLock lock(&mu_);
      ++idle_;
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return head_ < jobs_.size() || shutdown_;
      };
      mu_.Await(absl::Condition(&ready));
      --idle_;
      if (head_ == jobs_.size()) return;  // shut down, nothing left
      job = std::move(jobs_[head_]);
      ++head_;
      if (head_ == jobs_.size()) {
        jobs_.clear();
        head_ = 0;
      }
    }
    job();
  }
}

void HttpWorkerPool::shutdown() {
  std::vector<std::thread> workers;
  {
    absl::MutexLock lock(&mu_);
    shutdown_ = true;
    workers.swap(workers_);
  }
  for (std::thread& t : workers) t.join();
}

size_t HttpWorkerPool::idle_threads() const {
  absl::MutexLock lock(&mu_);
  return idle_;
}

size_t HttpWorkerPool::threads() const {
  absl::MutexLock lock(&mu_);
  return workers_.size();
}

}  // namespace sluice::kubesim
