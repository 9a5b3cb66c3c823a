#include "tools/kubesim/retry_after_tracker.h"

#include <algorithm>

namespace sluice::kubesim {

void RetryAfterTracker::RecordDrop(int64_t unix_seconds) {
  if (unix_seconds == current_unix_) {
    ++current_count_;
    return;
  }
  UpdateHistory(current_unix_, current_count_);
  current_unix_ = unix_seconds;
  current_count_ = 1;
  UpdateRetryAfter(unix_seconds);
}

void RetryAfterTracker::UpdateHistory(int64_t unix_seconds, int64_t count) {
  history_.push_back({unix_seconds, count});
  size_t start = 0;
  while (start < history_.size() && unix_seconds - history_[start].unix_seconds > kMaxRetryAfter) {
    ++start;
  }
  history_.erase(history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(start));
}

void RetryAfterTracker::UpdateRetryAfter(int64_t unix_seconds) {
  int64_t drops = 0;
  for (auto it = history_.rbegin(); it != history_.rend(); ++it) {
    if (unix_seconds - it->unix_seconds > retry_after_) break;
    if (it->unix_seconds < unix_seconds) drops += it->drops;
  }
  if (unix_seconds - last_increase_unix_ >= retry_after_ && drops >= 3 * retry_after_) {
    retry_after_ = std::min(retry_after_ * 2, kMaxRetryAfter);
    last_increase_unix_ = unix_seconds;
    return;
  }
  if (drops < retry_after_ && retry_after_ > 1) --retry_after_;
}

}  // namespace sluice::kubesim
