#include "scheduler/engine/pod_event.h"

namespace sluice {

absl::string_view PodEventTypeName(PodEventType type) {
  switch (type) {
    case PodEventType::kCreated:
      return "created";
    case PodEventType::kCreateFailed:
      return "create_failed";
    case PodEventType::kScheduled:
      return "scheduled";
    case PodEventType::kRunning:
      return "running";
    case PodEventType::kSucceeded:
      return "succeeded";
    case PodEventType::kFailed:
      return "failed";
    case PodEventType::kCancelled:
      return "cancelled";
    case PodEventType::kDeleted:
      return "deleted";
    case PodEventType::kRetrying:
      return "retrying";
    case PodEventType::kWaiting:
      return "waiting";
    case PodEventType::kRescheduled:
      return "rescheduled";
    case PodEventType::kPreempted:
      return "preempted";
  }
  return "unknown";
}

}  // namespace sluice
