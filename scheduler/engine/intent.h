#ifndef SLUICE_SCHEDULER_ENGINE_INTENT_H_
#define SLUICE_SCHEDULER_ENGINE_INTENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "scheduler/common/clock.h"
#include "scheduler/common/resource_list.h"
#include "scheduler/engine/pod_observation.h"
#include "scheduler/engine/pool.h"
#include "scheduler/engine/quota.h"

namespace sluice {

class Workflow;
class FlowQueue;
class NamespaceState;

// Where an intent is in its life. Terminal states are at the end.
enum class IntentState : uint8_t {
  kQueued,        // in the fair queue, waiting for budget
  kBackoff,       // waiting for a retry after a transient failure (reported as queued)
  kDispatching,   // a create request is in flight
  kCreated,       // the APIServer has the pod
  kScheduled,     // bound to a node
  kRunning,       // a container started
  kRescheduling,  // could not start in its pool: being deleted, to be re-created in another
  kSucceeded,     // terminal
  kFailed,        // terminal
  kCreateFailed,  // terminal: the APIServer refused the pod for good
  kCancelled,     // terminal
  kDeleted,       // terminal: deleted by someone else before it ended
};
inline constexpr int kIntentStateCount = 12;

inline bool IsTerminal(IntentState s) { return s >= IntentState::kSucceeded; }
// True once the pod exists (or existed) in the cluster.
inline bool IsCreatedOrLater(IntentState s) {
  return s >= IntentState::kCreated && s <= IntentState::kFailed;
}
absl::string_view IntentStateName(IntentState s);

// What a client asked for, after intake validated and converted it. Built on an
// intake thread, then handed to the engine, which owns it from then on.
struct IntentSpec {
  // "namespace/name": the idempotency key.
  std::string key;
  uint32_t namespace_length = 0;

  std::string workflow_uid;
  std::string workflow_name;
  std::string workflow_namespace;
  int32_t priority = 0;
  std::vector<std::pair<std::string, std::string>> cost_labels;
  // The pod as Kubernetes JSON, as submitted. Released once the pod exists.
  std::string manifest;
  // The pod's effective requests and limits by Kubernetes' rule.
  ResourceList requests;
  ResourceList limits;
  // What decides which scoped ResourceQuotas charge the pod.
  PodScopeFacts scope_facts;
  // Where the pod may be placed (capacity pools).
  CapacityPolicy capacity_policy = CapacityPolicy::kDefault;
  std::vector<std::string> allowed_pools;

  absl::string_view pod_namespace() const {
    return absl::string_view(key).substr(0, namespace_length);
  }
  absl::string_view pod_name() const { return absl::string_view(key).substr(namespace_length + 1); }
  void SetKey(absl::string_view ns, absl::string_view name);
};

// Builds "namespace/name".
std::string MakePodKey(absl::string_view ns, absl::string_view name);

// Where a rescheduled intent could not start. Allocated on the first
// reschedule: most intents never need it.
struct RescheduleHistory {
  // Pools it could not start in (never tried again for this intent).
  std::vector<std::string> excluded_pools;
  // The pool of the attempt before a reschedule, and why it was left; cleared
  // once the pod is re-created.
  std::string previous_pool;
  std::string reason;
};

// One pod creation intent as the engine tracks it. Owned by the engine's
// IntentTable; touched only on the engine thread.
struct Intent {
  explicit Intent(IntentSpec s) : spec(std::move(s)) {}
  ~Intent();
  Intent(const Intent&) = delete;
  Intent& operator=(const Intent&) = delete;

  IntentSpec spec;
  uint64_t id = 0;  // engine-assigned, increasing with acceptance order
  IntentState state = IntentState::kQueued;
  // Create attempts started (1 for the first).
  uint32_t attempts = 0;
  // Consecutive transient failures (resets on a non-transient answer).
  uint32_t transient_failures = 0;
  MonoTime accepted_at;
  MonoTime retry_at;       // kBackoff: when to re-queue
  MonoTime write_started;  // when the write in flight (request_id) was sent
  MonoTime terminal_at;
  // The in-flight write (create or delete), 0 if none.
  uint64_t request_id = 0;
  std::string pod_uid;

  // Set by Cancel while a create is in flight; applied when it answers.
  bool cancel_requested = false;
  bool keep_created_on_cancel = false;
  // A delete of this pod is queued or in flight.
  bool delete_pending = false;
  // What the informer reported while the create was in flight, applied when
  // the create answers.
  std::unique_ptr<PodObservation> early_observation;
  // What the pod charges to quotas; computed when first needed (only in
  // namespaces with quotas), null until then. Kept out of line: a queued
  // intent usually never needs it.
  std::unique_ptr<ResourceList> quota_usage;
  // A Waiting event was sent for this intent.
  bool waiting_reported = false;

  // Capacity pools. The pool the current (or last) create placed the pod in;
  // what it could not start in (null until the first reschedule).
  PoolTracker* pool = nullptr;
  PoolUsage pool_usage;
  bool pool_in_flight = false;  // pool_usage counted as in flight in `pool`
  bool pool_used = false;       // pool_usage counted as used in `pool`
  std::unique_ptr<RescheduleHistory> reschedule;
  // When the APIServer answered the create (provisioning timeout).
  MonoTime created_at;
  // An interruption notice (DisruptionTarget) was seen: a failure is a preemption.
  bool disrupted = false;

  Workflow* workflow = nullptr;
  NamespaceState* namespace_state = nullptr;
  // The flow this intent queues in (owned by its workflow).
  FlowQueue* home_flow = nullptr;

  // Fair-queue hooks (FairQueue only).
  FlowQueue* flow = nullptr;
  Intent* queue_prev = nullptr;
  Intent* queue_next = nullptr;
  // Workflow's list of live (non-terminal) intents (Workflow only).
  Intent* live_prev = nullptr;
  Intent* live_next = nullptr;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_ENGINE_INTENT_H_
