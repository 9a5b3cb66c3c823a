#ifndef SLUICE_SCHEDULER_SERVER_EVENT_LOG_H_
#define SLUICE_SCHEDULER_SERVER_EVENT_LOG_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "scheduler/engine/pod_event.h"

namespace sluice {

// A pod event with its place in the epoch's sequence.
struct SequencedEvent {
  uint64_t sequence = 0;
  PodEvent event;
};

// The recent history of pod events, shared by every WatchEvents stream.
//
// The engine publishes (EventSink) on the engine thread; readers on gRPC
// threads copy events out by sequence number. The log keeps the last
// `capacity` events; a reader that falls further behind learns it from Read.
// Subscribers are told when new events arrive, outside the log's lock.
//
// Thread-safe.
class EventLog : public EventSink {
 public:
  // A registration for new-event notifications. The callback runs on the
  // publishing thread and must not block; Cancel() waits for a running
  // callback to return, after which it is never called again.
  class Subscription {
   public:
    void Cancel();

   private:
    friend class EventLog;
    explicit Subscription(absl::AnyInvocable<void()> notify) : notify_(std::move(notify)) {}
    void Notify();
    absl::Mutex mu_;
    absl::AnyInvocable<void()> notify_ ABSL_GUARDED_BY(mu_);
  };

  explicit EventLog(size_t capacity);

  // EventSink. Engine thread.
  void Publish(std::vector<PodEvent>& events) override;

  enum class ReadStatus { kOk, kTooOld };
  // Appends to `out` up to `max_events` events with sequence > after_sequence
  // that match `workflow_uid` (all if empty), scanning at most `max_scan`
  // events. Sets *next to the sequence to pass next time. kTooOld if events
  // after `after_sequence` have already left the log.
  ReadStatus Read(uint64_t after_sequence, const std::string& workflow_uid, size_t max_events,
                  size_t max_scan, std::vector<SequencedEvent>* out, uint64_t* next) const;

  // The sequence number of the newest event (0 before the first).
  uint64_t last_sequence() const;

  std::shared_ptr<Subscription> Subscribe(absl::AnyInvocable<void()> notify);
  // Subscriptions still held by someone.
  size_t subscribers() const;

 private:
  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::deque<SequencedEvent> events_ ABSL_GUARDED_BY(mu_);
  uint64_t last_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::weak_ptr<Subscription>> subscribers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_SERVER_EVENT_LOG_H_
