#include "tools/kubesim/pod.h"

#include <cstdint>

#include "tools/kubesim/json_writer.h"
#include "tools/kubesim/strings.h"
#include "tools/kubesim/time_format.h"

namespace sluice::kubesim {
namespace {

// 64 hex digits derived from the inputs: stands in for container and image IDs.
std::string FakeDigest(std::string_view a, std::string_view b, size_t index) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  uint64_t h = uint64_t{1469598103934665603u} ^ static_cast<uint64_t>(index);
  for (int round = 0; round < 4; ++round) {
    for (char c : a) h = (h ^ static_cast<unsigned char>(c)) * uint64_t{1099511628211u};
    for (char c : b) h = (h ^ static_cast<unsigned char>(c)) * uint64_t{1099511628211u};
    h = (h ^ static_cast<uint64_t>(round)) * uint64_t{1099511628211u};
    for (int i = 0; i < 16; ++i) out.push_back(kHex[(h >> (4 * i)) & 0xF]);
  }
  return out;
}

void WriteCondition(JsonWriter& w, std::string_view type, bool status, absl::Time t,
                    std::string_view reason = {}, std::string_view message = {}) {
  w.BeginObject();
  w.KeyString("type", type);
  w.KeyString("status", status ? "True" : "False");
  w.Key("lastProbeTime");
  w.Null();
  w.KeyString("lastTransitionTime", FormatRfc3339(t));
  if (!reason.empty()) w.KeyString("reason", reason);
  if (!message.empty()) w.KeyString("message", message);
  w.EndObject();
}

void WriteIps(JsonWriter& w, std::string_view key, std::string_view list_key, std::string_view ip) {
  w.KeyString(key, ip);
  w.Key(list_key);
  w.BeginArray();
  w.BeginObject();
  w.KeyString("ip", ip);
  w.EndObject();
  w.EndArray();
}

}  // namespace

std::string_view PodPhaseName(PodPhase phase) {
  switch (phase) {
    case PodPhase::kPending:
      return "Pending";
    case PodPhase::kRunning:
      return "Running";
    case PodPhase::kSucceeded:
      return "Succeeded";
    case PodPhase::kFailed:
      return "Failed";
    case PodPhase::kUnknown:
      return "Unknown";
  }
  return "Unknown";
}

const std::vector<std::string>& Pod::FieldLabels() {
  static const auto* labels = new std::vector<std::string>{"metadata.name",
                                                           "metadata.namespace",
                                                           "spec.nodeName",
                                                           "spec.restartPolicy",
                                                           "spec.schedulerName",
                                                           "spec.serviceAccountName",
                                                           "spec.hostNetwork",
                                                           "status.phase",
                                                           "status.podIP",
                                                           "status.podIPs",
                                                           "status.nominatedNodeName"};
  return *labels;
}

std::optional<std::string_view> Pod::FieldValue(std::string_view field) const {
  if (field == "spec.nodeName") return state_.node_name;
  if (field == "status.phase") return PodPhaseName(state_.phase);
  if (field == "spec.restartPolicy") return spec_->restart_policy;
  if (field == "spec.schedulerName") return spec_->scheduler_name;
  if (field == "spec.serviceAccountName") return spec_->service_account_name;
  if (field == "spec.hostNetwork") return spec_->host_network ? "true" : "false";
  if (field == "status.podIP" || field == "status.podIPs") return state_.pod_ip;
  if (field == "status.nominatedNodeName") return std::string_view();
  return ApiObject::FieldValue(field);
}

void Pod::MarkScheduled(std::string node_name, std::string host_ip, absl::Time now) {
  state_.node_name = std::move(node_name);
  state_.host_ip = std::move(host_ip);
  state_.scheduled_at = now;
  state_.unschedulable_reason.clear();
  state_.unschedulable_message.clear();
  state_.unschedulable_since.reset();
}

void Pod::MarkUnschedulable(std::string reason, std::string message, absl::Time now) {
  if (!state_.unschedulable_since.has_value() || state_.unschedulable_reason != reason) {
    state_.unschedulable_since = now;
  }
  state_.unschedulable_reason = std::move(reason);
  state_.unschedulable_message = std::move(message);
}

void Pod::MarkRunning(std::string pod_ip, absl::Time now) {
  state_.phase = PodPhase::kRunning;
  state_.pod_ip = std::move(pod_ip);
  state_.started_at = now;
}

void Pod::MarkFinished(int64_t exit_code, absl::Time now) {
  state_.phase = exit_code == 0 ? PodPhase::kSucceeded : PodPhase::kFailed;
  state_.exit_code = exit_code;
  state_.terminated_reason = exit_code == 0 ? "Completed" : "Error";
  state_.finished_at = now;
}

void Pod::MarkKilled(int64_t exit_code, absl::Time now) {
  state_.phase = PodPhase::kFailed;
  state_.exit_code = exit_code;
  state_.finished_at = now;
  if (state_.started_at.has_value()) {
    state_.terminated_reason = "Error";
  } else {
    state_.exit_code = 137;
    state_.terminated_reason = "ContainerStatusUnknown";
    state_.terminated_message = "The container could not be located when the pod was terminated";
  }
}

void Pod::MarkDisruptionTarget(std::string reason, std::string message, absl::Time now) {
  state_.disruption_since = now;
  state_.disruption_reason = std::move(reason);
  state_.disruption_message = std::move(message);
}

void Pod::MarkPreempted(std::string reason, std::string message, absl::Time now) {
  MarkKilled(137, now);
  state_.reason = std::move(reason);
  state_.message = std::move(message);
}

void Pod::MarkDeleting(int64_t grace_seconds, absl::Time now) {
  ObjectMeta& m = mutable_meta();
  // metav1.Time has whole seconds once stored.
  m.deletion_timestamp =
      absl::FromUnixSeconds(absl::ToUnixSeconds(now + absl::Seconds(grace_seconds)));
  m.deletion_grace_period_seconds = grace_seconds;
}

void Pod::EncodeBody(JsonWriter& w) const {
  w.Key("spec");
  const std::string& spec = spec_->json;
  if (state_.node_name.empty()) {
    w.Raw(spec);
  } else {
    // Splice nodeName in before the closing brace of the stored spec.
    std::string* out = w.out();
    w.Raw(std::string_view(spec).substr(0, spec.size() - 1));
    if (spec.size() > 2) out->push_back(',');
    AppendJsonString(out, "nodeName");
    out->push_back(':');
    AppendJsonString(out, state_.node_name);
    out->push_back('}');
  }
  w.Key("status");
  EncodeStatus(w);
}

void Pod::EncodeContainerStatus(JsonWriter& w, const ContainerInfo& c, bool init,
                                size_t index) const {
  const std::string container_id = Cat("containerd://", FakeDigest(meta().uid, c.name, index));
  const bool running = !init && state_.phase == PodPhase::kRunning;
  w.BeginObject();
  w.KeyString("name", c.name);
  w.Key("state");
  w.BeginObject();
  if (init) {
    w.Key("terminated");
    w.BeginObject();
    w.KeyInt("exitCode", 0);
    w.KeyString("reason", "Completed");
    w.KeyString("startedAt", FormatRfc3339(*state_.started_at));
    w.KeyString("finishedAt", FormatRfc3339(*state_.started_at));
    w.KeyString("containerID", container_id);
    w.EndObject();
  } else if (running) {
    w.Key("running");
    w.BeginObject();
    w.KeyString("startedAt", FormatRfc3339(*state_.started_at));
    w.EndObject();
  } else if (state_.finished_at.has_value()) {
    w.Key("terminated");
    w.BeginObject();
    w.KeyInt("exitCode", state_.exit_code);
    w.KeyString("reason", state_.terminated_reason);
    if (!state_.terminated_message.empty()) w.KeyString("message", state_.terminated_message);
    if (state_.started_at.has_value()) {
      w.KeyString("startedAt", FormatRfc3339(*state_.started_at));
      w.KeyString("finishedAt", FormatRfc3339(*state_.finished_at));
      w.KeyString("containerID", container_id);
    } else {
      w.Key("startedAt");
      w.Null();
      w.Key("finishedAt");
      w.Null();
    }
    w.EndObject();
  } else {
    w.Key("waiting");
    w.BeginObject();
    w.KeyString("reason", "ContainerCreating");
    w.EndObject();
  }
  w.EndObject();
  w.Key("lastState");
  w.BeginObject();
  w.EndObject();
  w.KeyBool("ready", running);
  w.KeyInt("restartCount", 0);
  w.KeyString("image", c.image);
  w.KeyString("imageID", Cat("sha256:", FakeDigest(c.image, "", 0)));
  if (state_.started_at.has_value()) w.KeyString("containerID", container_id);
  w.KeyBool("started", running);
  w.EndObject();
}

void Pod::EncodeStatus(JsonWriter& w) const {
  const PodState& s = state_;
  const bool kubelet_seen = s.started_at.has_value() || s.finished_at.has_value();
  w.BeginObject();
  w.KeyString("phase", PodPhaseName(s.phase));
  if (kubelet_seen) {
    const absl::Time sched = s.scheduled_at.value_or(meta().creation_timestamp);
    const absl::Time start = s.started_at.value_or(*s.finished_at);
    const bool running = s.phase == PodPhase::kRunning;
    const absl::Time ready_change = running ? start : s.finished_at.value_or(start);
    std::string ready_reason, ready_message;
    if (!running) {
      if (s.phase == PodPhase::kSucceeded) {
        ready_reason = "PodCompleted";
      } else {
        ready_reason = "ContainersNotReady";
        ready_message = "containers with unready status: [";
        for (size_t i = 0; i < spec_->containers.size(); ++i) {
          if (i > 0) ready_message += ' ';
          ready_message += spec_->containers[i].name;
        }
        ready_message += ']';
      }
    }
    w.Key("conditions");
    w.BeginArray();
    WriteCondition(w, "PodReadyToStartContainers", running, ready_change);
    WriteCondition(w, "Initialized", true, start,
                   s.phase == PodPhase::kSucceeded ? "PodCompleted" : "");
    WriteCondition(w, "Ready", running, ready_change, ready_reason, ready_message);
    WriteCondition(w, "ContainersReady", running, ready_change, ready_reason, ready_message);
    WriteCondition(w, "PodScheduled", true, sched);
    if (s.disruption_since.has_value()) {
      WriteCondition(w, "DisruptionTarget", true, *s.disruption_since, s.disruption_reason,
                     s.disruption_message);
    }
    w.EndArray();
  } else if (s.scheduled_at.has_value()) {
    w.Key("conditions");
    w.BeginArray();
    WriteCondition(w, "PodScheduled", true, *s.scheduled_at);
    w.EndArray();
  } else if (s.unschedulable_since.has_value()) {
    w.Key("conditions");
    w.BeginArray();
    WriteCondition(w, "PodScheduled", false, *s.unschedulable_since, s.unschedulable_reason,
                   s.unschedulable_message);
    w.EndArray();
  }
  if (!s.message.empty()) w.KeyString("message", s.message);
  if (!s.reason.empty()) w.KeyString("reason", s.reason);
  if (kubelet_seen) {
    if (!s.host_ip.empty()) WriteIps(w, "hostIP", "hostIPs", s.host_ip);
    if (!s.pod_ip.empty()) WriteIps(w, "podIP", "podIPs", s.pod_ip);
    w.KeyString("startTime", FormatRfc3339(s.started_at.value_or(*s.finished_at)));
    if (!spec_->init_containers.empty() && s.started_at.has_value()) {
      w.Key("initContainerStatuses");
      w.BeginArray();
      for (size_t i = 0; i < spec_->init_containers.size(); ++i) {
        EncodeContainerStatus(w, spec_->init_containers[i], /*init=*/true, i);
      }
      w.EndArray();
    }
    w.Key("containerStatuses");
    w.BeginArray();
    for (size_t i = 0; i < spec_->containers.size(); ++i) {
      EncodeContainerStatus(w, spec_->containers[i], /*init=*/false,
                            spec_->init_containers.size() + i);
    }
    w.EndArray();
  }
  w.KeyString("qosClass", spec_->qos_class);
  w.EndObject();
}

}  // namespace sluice::kubesim
