#include "tools/kubesim/table.h"

#include "tools/kubesim/json_writer.h"
#include "tools/kubesim/namespace_object.h"
#include "tools/kubesim/pod.h"
#include "tools/kubesim/resource_quota_object.h"
#include "tools/kubesim/strings.h"
#include "tools/kubesim/time_format.h"

namespace sluice::kubesim {
namespace {

struct Column {
  const char* name;
  const char* type;
  const char* format;
  int priority;
  const char* description;
};

constexpr char kNameDescription[] =
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
constexpr char kAgeDescription[] =
    "CreationTimestamp is a timestamp representing the server time when this object was created. "
    "It is not guaranteed to be set in happens-before order across separate operations. Clients "
    "may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by "
    "the system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/"
    "api-conventions.md#metadata";

std::vector<Column> ColumnsFor(std::string_view kind) {
  if (kind == "Pod") {
    return {{"Name", "string", "name", 0, kNameDescription},
            {"Ready", "string", "", 0,
             "The aggregate readiness state of this pod for accepting traffic."},
            {"Status", "string", "", 0, "The aggregate status of the containers in this pod."},
            {"Restarts", "string", "", 0,
             "The number of times the containers in this pod have been restarted and when the "
             "last container in this pod has restarted."},
            {"Age", "string", "", 0, kAgeDescription},
            {"IP", "string", "", 1,
             "IP address allocated to the pod. Routable at least within "
             "the cluster. Empty if not yet allocated."},
            {"Node", "string", "", 1, "Name of the node this pod is assigned to."},
            {"Nominated Node", "string", "", 1, "Name of the node this pod is nominated to."},
            {"Readiness Gates", "string", "", 1, "Readiness gates of this pod."}};
  }
  if (kind == "Namespace") {
    return {{"Name", "string", "name", 0, kNameDescription},
            {"Status", "string", "", 0, "The status of the namespace"},
            {"Age", "string", "", 0, kAgeDescription}};
  }
  if (kind == "Node") {
    return {{"Name", "string", "name", 0, kNameDescription},
            {"Status", "string", "", 0, "The status of the node"},
            {"Roles", "string", "", 0, "The roles of the node"},
            {"Age", "string", "", 0, kAgeDescription},
            {"Version", "string", "", 0, "Kubelet Version reported by the node."}};
  }
  if (kind == "ResourceQuota") {
    return {{"Name", "string", "name", 0, kNameDescription},
            {"Age", "string", "", 0, kAgeDescription},
            {"Request", "string", "", 0,
             "Request represents a minimum amount of cpu/memory that a container may consume."},
            {"Limit", "string", "", 0,
             "Limits control the maximum amount of cpu/memory that a container may use "
             "independent of contention on the node."}};
  }
  return {{"Name", "string", "name", 0, kNameDescription},
          {"Created At", "date", "", 0, kAgeDescription}};
}

std::string OrNone(std::string_view s) { return s.empty() ? "<none>" : std::string(s); }

void PodCells(JsonWriter& w, const Pod& pod, absl::Time now) {
  const PodState& s = pod.state();
  const size_t total = pod.spec().containers.size();
  const size_t ready = s.phase == PodPhase::kRunning ? total : 0;
  w.String(pod.meta().name);
  w.String(Cat(ready, "/", total));
  w.String(PodStatusText(pod));
  w.String("0");
  w.String(HumanDuration(now - pod.meta().creation_timestamp));
  w.String(OrNone(s.pod_ip));
  w.String(OrNone(s.node_name));
  w.String("<none>");
  w.String("<none>");
}

}  // namespace

bool WantsTable(std::string_view accept) { return accept.find("as=Table") != accept.npos; }

std::string PodStatusText(const ApiObject& object) {
  const auto& pod = static_cast<const Pod&>(object);
  const PodState& s = pod.state();
  std::string reason(PodPhaseName(s.phase));
  if (!s.reason.empty()) reason = s.reason;
  if (s.finished_at.has_value()) reason = s.terminated_reason;
  if (pod.terminating() && !IsTerminal(s.phase)) reason = "Terminating";
  return reason;
}

std::string TableJson(const ResourceInfo& resource,
                      const std::vector<std::shared_ptr<const ApiObject>>& items, uint64_t rv,
                      std::string_view continue_token, absl::Time now, bool with_columns) {
  const std::vector<Column> columns =
      with_columns ? ColumnsFor(resource.kind) : std::vector<Column>();
  std::string out;
  out.reserve(1024 + items.size() * 2048);
  JsonWriter w(&out);
  w.BeginObject();
  w.KeyString("kind", "Table");
  w.KeyString("apiVersion", "meta.k8s.io/v1");
  w.Key("metadata");
  w.BeginObject();
  w.KeyString("resourceVersion", Cat(rv));
  if (!continue_token.empty()) w.KeyString("continue", continue_token);
  w.EndObject();
  w.Key("columnDefinitions");
  w.BeginArray();
  for (const Column& c : columns) {
    w.BeginObject();
    w.KeyString("name", c.name);
    w.KeyString("type", c.type);
    w.KeyString("format", c.format);
    w.KeyString("description", c.description);
    w.KeyInt("priority", c.priority);
    w.EndObject();
  }
  w.EndArray();
  w.Key("rows");
  w.BeginArray();
  for (const auto& item : items) {
    w.BeginObject();
    w.Key("cells");
    w.BeginArray();
    if (resource.kind == "Pod") {
      PodCells(w, static_cast<const Pod&>(*item), now);
    } else if (resource.kind == "Namespace") {
      w.String(item->meta().name);
      w.String(static_cast<const NamespaceObject&>(*item).terminating() ? "Terminating" : "Active");
      w.String(HumanDuration(now - item->meta().creation_timestamp));
    } else if (resource.kind == "Node") {
      w.String(item->meta().name);
      w.String("Ready");
      w.String("<none>");
      w.String(HumanDuration(now - item->meta().creation_timestamp));
      w.String("v1.30.0-kubesim");
    } else if (resource.kind == "ResourceQuota") {
      const auto& quota = static_cast<const ResourceQuotaObject&>(*item);
      w.String(item->meta().name);
      w.String(HumanDuration(now - item->meta().creation_timestamp));
      w.String(quota.RequestColumn());
      w.String(quota.LimitColumn());
    } else {
      w.String(item->meta().name);
      w.String(FormatRfc3339(item->meta().creation_timestamp));
    }
    w.EndArray();
    w.Key("object");
    std::string json;
    item->AppendJson(&json);
    w.Raw(json);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

}  // namespace sluice::kubesim
