#include "tools/kubesim/node_object.h"

#include "tools/kubesim/ids.h"
#include "tools/kubesim/json_writer.h"
#include "tools/kubesim/time_format.h"

namespace sluice::kubesim {

std::shared_ptr<NodeObject> NodeObject::Make(std::string_view name, std::string_view internal_ip,
                                             absl::Time now) {
  auto node = std::make_shared<NodeObject>();
  ObjectMeta& m = node->mutable_meta();
  m.name = std::string(name);
  m.uid = NewUid();
  m.creation_timestamp = absl::FromUnixSeconds(absl::ToUnixSeconds(now));
  m.labels = {{"beta.kubernetes.io/arch", "amd64"}, {"beta.kubernetes.io/os", "linux"},
              {"kubernetes.io/arch", "amd64"},      {"kubernetes.io/hostname", std::string(name)},
              {"kubernetes.io/os", "linux"},        {"type", "kubesim"}};
  node->internal_ip_ = std::string(internal_ip);
  return node;
}

const std::vector<std::string>& NodeObject::FieldLabels() {
  static const auto* labels = new std::vector<std::string>{"metadata.name", "spec.unschedulable"};
  return *labels;
}

std::optional<std::string_view> NodeObject::FieldValue(std::string_view field) const {
  if (field == "spec.unschedulable") return "false";
  return ApiObject::FieldValue(field);
}

void NodeObject::EncodeBody(JsonWriter& w) const {
  const std::string since = FormatRfc3339(meta().creation_timestamp);
  w.Key("spec");
  w.BeginObject();
  w.EndObject();
  w.Key("status");
  w.BeginObject();
  for (const char* key : {"capacity", "allocatable"}) {
    w.Key(key);
    w.BeginObject();
    w.KeyString("cpu", "64");
    w.KeyString("ephemeral-storage", "500Gi");
    w.KeyString("memory", "256Gi");
    w.KeyString("pods", "110");
    w.EndObject();
  }
  w.Key("conditions");
  w.BeginArray();
  w.BeginObject();
  w.KeyString("type", "Ready");
  w.KeyString("status", "True");
  w.KeyString("lastHeartbeatTime", since);
  w.KeyString("lastTransitionTime", since);
  w.KeyString("reason", "KubeletReady");
  w.KeyString("message", "kubelet is posting ready status");
  w.EndObject();
  w.EndArray();
  w.Key("addresses");
  w.BeginArray();
  w.BeginObject();
  w.KeyString("type", "InternalIP");
  w.KeyString("address", internal_ip_);
  w.EndObject();
  w.BeginObject();
  w.KeyString("type", "Hostname");
  w.KeyString("address", meta().name);
  w.EndObject();
  w.EndArray();
  w.Key("nodeInfo");
  w.BeginObject();
  w.KeyString("machineID", "");
  w.KeyString("systemUUID", "");
  w.KeyString("bootID", "");
  w.KeyString("kernelVersion", "6.1.0-kubesim");
  w.KeyString("osImage", "kubesim");
  w.KeyString("containerRuntimeVersion", "containerd://1.7.0");
  w.KeyString("kubeletVersion", "v1.30.0-kubesim");
  w.KeyString("kubeProxyVersion", "v1.30.0-kubesim");
  w.KeyString("operatingSystem", "linux");
  w.KeyString("architecture", "amd64");
  w.EndObject();
  w.EndObject();
}

}  // namespace sluice::kubesim
