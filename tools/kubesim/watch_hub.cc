#include "tools/kubesim/watch_hub.h"

#include <algorithm>

namespace sluice::kubesim {

WatchHub::WatchHub(size_t capacity, uint64_t start_rv)
    : capacity_(std::max<size_t>(capacity, 1)), horizon_rv_(start_rv) {
  ring_.resize(capacity_);
}

void WatchHub::Publish(StoredEvent event) {
  absl::MutexLock lock(&mu_);
  if (end_seq_ - first_seq_ == capacity_) {
    ++first_seq_;
    evicted_ = true;
  }
  ring_[end_seq_ % capacity_] = std::move(event);
  ++end_seq_;
  cv_.SignalAll();
}

uint64_t WatchHub::MinResumableRvLocked() const {
  if (evicted_ && end_seq_ > first_seq_) return ring_[first_seq_ % capacity_].rv - 1;
  return horizon_rv_;
}

uint64_t WatchHub::MinResumableRv() const {
  absl::MutexLock lock(&mu_);
  return MinResumableRvLocked();
}

std::optional<uint64_t> WatchHub::SeekAfter(uint64_t after_rv) const {
  absl::MutexLock lock(&mu_);
  if (after_rv < MinResumableRvLocked()) return std::nullopt;
  // Binary search for the first kept event with rv > after_rv.
  uint64_t lo = first_seq_, hi = end_seq_;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (ring_[mid % capacity_].rv <= after_rv) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

uint64_t WatchHub::end_seq() const {
  absl::MutexLock lock(&mu_);
  return end_seq_;
}

WatchHub::ReadStatus WatchHub::Read(uint64_t* seq, size_t max_events, absl::Duration max_wait,
                                    std::vector<StoredEvent>* out) {
  absl::MutexLock lock(&mu_);
  if (!closed_ && *seq >= end_seq_ && max_wait > absl::ZeroDuration()) {
    const absl::Time deadline = absl::Now() + max_wait;
    while (!closed_ && *seq >= end_seq_) {
      if (cv_.WaitWithDeadline(&mu_, deadline)) break;
    }
  }
  if (closed_) return ReadStatus::kClosed;
  if (*seq < first_seq_) return ReadStatus::kFellBehind;
  size_t n = 0;
  while (*seq < end_seq_ && n < max_events) {
    out->push_back(ring_[*seq % capacity_]);
    ++*seq;
    ++n;
  }
  return ReadStatus::kOk;
}

void WatchHub::Compact(uint64_t current_rv) {
  absl::MutexLock lock(&mu_);
  for (uint64_t s = first_seq_; s < end_seq_; ++s) ring_[s % capacity_] = StoredEvent{};
  first_seq_ = end_seq_;
  horizon_rv_ = current_rv;
  evicted_ = false;
  cv_.SignalAll();
}

void WatchHub::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  cv_.SignalAll();
}

void WatchHub::WakeAll() {
  absl::MutexLock lock(&mu_);
  cv_.SignalAll();
}

}  // namespace sluice::kubesim
