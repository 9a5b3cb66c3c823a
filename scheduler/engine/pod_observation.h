#ifndef SLUICE_SCHEDULER_ENGINE_POD_OBSERVATION_H_
#define SLUICE_SCHEDULER_ENGINE_POD_OBSERVATION_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace sluice {

enum class PodPhase : uint8_t { kPending, kRunning, kSucceeded, kFailed, kUnknown };

// What the informer saw of one pod Sluice manages: the engine's view of a
// watch event or a listed pod.
struct PodObservation {
  std::string key;  // "namespace/name"
  std::string uid;
  PodPhase phase = PodPhase::kPending;
  // Condition PodScheduled=True.
  bool scheduled = false;
  // metadata.deletionTimestamp is set.
  bool terminating = false;
  // The pod is gone (a DELETED watch event).
  bool deleted = false;
  // status.reason / status.message, or the first terminated container's reason.
  std::string reason;
  std::string message;
  // Condition PodScheduled=False with reason Unschedulable, and its message
  // (where serverless providers say why: NoStock, ProviderFailed, ...).
  bool unschedulable = false;
  std::string unschedulable_message;
  // Condition DisruptionTarget=True (an interruption notice: spot reclaim,
  // preemption, eviction) and its reason.
  bool disruption_target = false;
  std::string disruption_reason;
  std::string disruption_message;
  // The label sluice.dev/pool.
  std::string pool;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_ENGINE_POD_OBSERVATION_H_
