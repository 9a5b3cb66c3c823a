#ifndef SLUICE_SCHEDULER_ENGINE_POD_EVENT_H_
#define SLUICE_SCHEDULER_ENGINE_POD_EVENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "scheduler/engine/intent.h"

namespace sluice {

enum class PodEventType : uint8_t {
  kCreated,
  kCreateFailed,
  kScheduled,
  kRunning,
  kSucceeded,
  kFailed,
  kCancelled,
  kDeleted,
  kRetrying,
  kWaiting,      // queued behind a ResourceQuota or for pool capacity
  kRescheduled,  // could not start in its pool; re-created in another
  kPreempted,    // a running pod reclaimed (spot) or preempted: ended, not retried
};
inline constexpr int kPodEventTypeCount = 12;
absl::string_view PodEventTypeName(PodEventType type);

// A lifecycle event for controllers (WatchEvents). Sequence numbers and the
// epoch are added by the event log, not the engine.
struct PodEvent {
  PodEventType type = PodEventType::kCreated;
  IntentState state = IntentState::kQueued;
  std::string pod_key;  // "namespace/name"
  uint32_t namespace_length = 0;
  std::string workflow_uid;
  absl::Time time;
  std::string pod_uid;
  std::string reason;
  std::string message;
  uint32_t attempt = 0;
  // For kCreated: acceptance to the APIServer's answer; -1 otherwise.
  int64_t submit_to_create_ms = -1;
  // The capacity pool of the pod (empty without pools); for kRescheduled, the
  // pool it left too.
  std::string pool;
  std::string previous_pool;
};

// Receives the engine's events, in order. Called on the engine thread at the
// end of each engine call; takes the events (the vector is left empty).
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void Publish(std::vector<PodEvent>& events) = 0;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_ENGINE_POD_EVENT_H_
