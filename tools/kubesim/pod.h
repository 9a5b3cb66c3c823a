#ifndef SLUICE_TOOLS_KUBESIM_POD_H_
#define SLUICE_TOOLS_KUBESIM_POD_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "tools/kubesim/api_object.h"
#include "tools/kubesim/resource_amounts.h"

namespace sluice::kubesim {

enum class PodPhase { kPending, kRunning, kSucceeded, kFailed, kUnknown };
std::string_view PodPhaseName(PodPhase phase);
inline bool IsTerminal(PodPhase p) { return p == PodPhase::kSucceeded || p == PodPhase::kFailed; }

// Per-pod simulation settings read from annotations at creation
// (sim.sluice.dev/schedule-ms, start-ms, run-ms, exit-code, termination-ms);
// unset fields fall back to the kubelet's flags.
struct PodSimOverrides {
  std::optional<int64_t> schedule_ms;
  std::optional<int64_t> start_ms;
  std::optional<int64_t> run_ms;
  std::optional<int64_t> exit_code;
  std::optional<int64_t> termination_ms;
};

struct ContainerInfo {
  std::string name;
  std::string image;
};

// What the spec says, fixed at creation and shared by every version.
struct PodSpecInfo {
  std::string json;  // the defaulted spec, without nodeName
  std::vector<ContainerInfo> init_containers;
  std::vector<ContainerInfo> containers;
  std::string restart_policy;
  std::string scheduler_name;
  std::string service_account_name;
  bool host_network = false;
  int64_t termination_grace_period_seconds = 30;
  std::string qos_class;     // BestEffort, Burstable, Guaranteed
  ResourceAmounts requests;  // effective pod requests, milli-units
  PodSimOverrides sim;
};

// The status a pod has reached; every transition is one method of Pod.
struct PodState {
  PodPhase phase = PodPhase::kPending;
  std::string node_name;  // spec.nodeName
  std::string host_ip;
  std::string pod_ip;
  std::optional<absl::Time> scheduled_at;  // PodScheduled=True
  // PodScheduled=False (reason, message) while it cannot be placed.
  std::string unschedulable_reason;
  std::string unschedulable_message;
  std::optional<absl::Time> unschedulable_since;
  std::optional<absl::Time> started_at;   // containers running; status.startTime
  std::optional<absl::Time> finished_at;  // containers terminated
  int64_t exit_code = 0;
  std::string terminated_reason;   // Completed, Error, ContainerStatusUnknown
  std::string terminated_message;  // for ContainerStatusUnknown
  std::string reason;              // status.reason (e.g. Evicted)
  std::string message;             // status.message
  // Condition DisruptionTarget=True (an interruption notice), once given.
  std::optional<absl::Time> disruption_since;
  std::string disruption_reason;
  std::string disruption_message;
};

// A Pod (core/v1). Built by ParsePodForCreate, then advanced by the simulated
// scheduler and kubelet through the Mark* transitions on clones.
class Pod final : public ApiObject {
 public:
  Pod(std::shared_ptr<const PodSpecInfo> spec, PodState state)
      : spec_(std::move(spec)), state_(std::move(state)) {}
  Pod(const Pod&) = default;

  std::shared_ptr<ApiObject> Clone() const override { return std::make_shared<Pod>(*this); }
  std::string_view kind() const override { return "Pod"; }
  std::optional<std::string_view> FieldValue(std::string_view field) const override;

  const PodSpecInfo& spec() const { return *spec_; }
  // The spec, shared by every version of the pod.
  const std::shared_ptr<const PodSpecInfo>& shared_spec() const { return spec_; }
  const PodState& state() const { return state_; }
  PodPhase phase() const { return state_.phase; }
  bool terminating() const { return meta().deletion_timestamp.has_value(); }

  // Transitions (on an unpublished clone).
  void MarkScheduled(std::string node_name, std::string host_ip, absl::Time now);
  void MarkUnschedulable(std::string reason, std::string message, absl::Time now);
  void MarkRunning(std::string pod_ip, absl::Time now);
  // Containers exited by themselves: Succeeded when exit_code is 0, else Failed.
  void MarkFinished(int64_t exit_code, absl::Time now);
  // Containers stopped because the pod is being deleted (exit 143 after
  // SIGTERM, 137 when killed at the end of the grace period): Failed.
  void MarkKilled(int64_t exit_code, absl::Time now);
  // An interruption notice: condition DisruptionTarget=True.
  void MarkDisruptionTarget(std::string reason, std::string message, absl::Time now);
  // Capacity taken away (spot reclaim): containers killed (exit 137), phase
  // Failed with status.reason / status.message.
  void MarkPreempted(std::string reason, std::string message, absl::Time now);
  // Graceful deletion requested: deletionTimestamp = now + grace.
  void MarkDeleting(int64_t grace_seconds, absl::Time now);

  // Field labels usable in fieldSelector for pods.
  static const std::vector<std::string>& FieldLabels();

 private:
  void EncodeBody(JsonWriter& w) const override;
  void EncodeStatus(JsonWriter& w) const;
  void EncodeContainerStatus(JsonWriter& w, const ContainerInfo& c, bool init, size_t index) const;

  std::shared_ptr<const PodSpecInfo> spec_;
  PodState state_;
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_POD_H_
