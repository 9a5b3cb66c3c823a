#include "scheduler/server/event_log.h"

#include <algorithm>

namespace sluice {

void EventLog::Subscription::Cancel() {
  absl::MutexLock lock(&mu_);
  notify_ = nullptr;
}

void EventLog::Subscription::Notify() {
  absl::MutexLock lock(&mu_);
  if (notify_) notify_();
}

EventLog::EventLog(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

void EventLog::Publish(std::vector<PodEvent>& events) {
  std::vector<std::shared_ptr<Subscription>> to_notify;
  {
    absl::MutexLock lock(&mu_);
    for (PodEvent& event : events) {
      events_.push_back({++last_sequence_, std::move(event)});
    }
    while (events_.size() > capacity_) events_.pop_front();
    to_notify.reserve(subscribers_.size());
    for (const auto& weak : subscribers_) {
      if (auto sub = weak.lock()) to_notify.push_back(std::move(sub));
    }
    // Forget subscriptions nobody holds any more. (Not by compacting with
    // self-moves: moving a weak_ptr onto itself empties it.)
    if (to_notify.size() != subscribers_.size()) {
      subscribers_.erase(std::remove_if(subscribers_.begin(), subscribers_.end(),
                                        [](const auto& weak) { return weak.expired(); }),
                         subscribers_.end());
    }
  }
  events.clear();
  for (auto& sub : to_notify) sub->Notify();
}

EventLog::ReadStatus EventLog::Read(uint64_t after_sequence, const std::string& workflow_uid,
                                    size_t max_events, size_t max_scan,
                                    std::vector<SequencedEvent>* out, uint64_t* next) const {
  absl::MutexLock lock(&mu_);
  *next = after_sequence;
  if (events_.empty() || after_sequence >= last_sequence_) return ReadStatus::kOk;
  const uint64_t first = events_.front().sequence;
  if (after_sequence + 1 < first) return ReadStatus::kTooOld;
  size_t index = static_cast<size_t>(after_sequence + 1 - first);
  size_t scanned = 0;
  size_t taken = 0;
  for (; index < events_.size() && scanned < max_scan && taken < max_events; ++index, ++scanned) {
    const SequencedEvent& e = events_[index];
    *next = e.sequence;
    if (!workflow_uid.empty() && e.event.workflow_uid != workflow_uid) continue;
    out->push_back(e);
    ++taken;
  }
  return ReadStatus::kOk;
}

uint64_t EventLog::last_sequence() const {
  absl::MutexLock lock(&mu_);
  return last_sequence_;
}

size_t EventLog::subscribers() const {
  absl::MutexLock lock(&mu_);
  size_t alive = 0;
  for (const auto& weak : subscribers_) {
    if (!weak.expired()) ++alive;
  }
  return alive;
}

std::shared_ptr<EventLog::Subscription> EventLog::Subscribe(absl::AnyInvocable<void()> notify) {
  std::shared_ptr<Subscription> sub(new Subscription(std::move(notify)));
  absl::MutexLock lock(&mu_);
  subscribers_.push_back(sub);
  return sub;
}

}  // namespace sluice
