#include "scheduler/engine/intent.h"

#include "absl/strings/str_cat.h"
#include "scheduler/engine/pod_observation.h"

namespace sluice {

absl::string_view IntentStateName(IntentState s) {
  switch (s) {
    case IntentState::kQueued:
      return "queued";
    case IntentState::kBackoff:
      return "backoff";
    case IntentState::kDispatching:
      return "dispatching";
    case IntentState::kCreated:
      return "created";
    case IntentState::kScheduled:
      return "scheduled";
    case IntentState::kRunning:
      return "running";
    case IntentState::kRescheduling:
      return "rescheduling";
    case IntentState::kSucceeded:
      return "succeeded";
    case IntentState::kFailed:
      return "failed";
    case IntentState::kCreateFailed:
      return "create_failed";
    case IntentState::kCancelled:
      return "cancelled";
    case IntentState::kDeleted:
      return "deleted";
  }
  return "unknown";
}

std::string MakePodKey(absl::string_view ns, absl::string_view name) {
  return absl::StrCat(ns, "/", name);
}

Intent::~Intent() = default;

void IntentSpec::SetKey(absl::string_view ns, absl::string_view name) {
  key = MakePodKey(ns, name);
  namespace_length = static_cast<uint32_t>(ns.size());
}

}  // namespace sluice
