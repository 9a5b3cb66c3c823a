#include "scheduler/kube/kube_objects.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "scheduler/kube/rfc3339.h"
#include "simdjson.h"

namespace sluice::kube {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

absl::string_view View(std::string_view v) { return absl::string_view(v.data(), v.size()); }

// The string at `key` of `obj`, or empty.
absl::string_view Str(const object& obj, std::string_view key) {
  std::string_view v;
  if (obj[key].get(v) != simdjson::SUCCESS) return {};
  return View(v);
}

absl::Time Time(const object& obj, std::string_view key) {
  std::optional<absl::Time> t = ParseRfc3339(Str(obj, key));
  return t.has_value() ? *t : absl::InfinitePast();
}

bool Obj(const object& parent, std::string_view key, object* out) {
  return parent[key].get(*out) == simdjson::SUCCESS;
}

bool Arr(const object& parent, std::string_view key, array* out) {
  return parent[key].get(*out) == simdjson::SUCCESS;
}

void ReadPodStatus(const object& status, PodInfo* pod) {
  const absl::string_view phase = Str(status, "phase");
  if (phase == "Pending") {
    pod->phase = PodPhaseValue::kPending;
  } else if (phase == "Running") {
    pod->phase = PodPhaseValue::kRunning;
  } else if (phase == "Succeeded") {
    pod->phase = PodPhaseValue::kSucceeded;
  } else if (phase == "Failed") {
    pod->phase = PodPhaseValue::kFailed;
  } else if (!phase.empty()) {
    pod->phase = PodPhaseValue::kUnknown;
  }
  pod->reason = std::string(Str(status, "reason"));
  pod->message = std::string(Str(status, "message"));
  pod->start_time = Time(status, "startTime");
  array conditions;
  if (Arr(status, "conditions", &conditions)) {
    for (element c : conditions) {
      object cond;
      if (c.get(cond) != simdjson::SUCCESS) continue;
      const absl::string_view type = Str(cond, "type");
      const bool is_true = Str(cond, "status") == "True";
      if (type == "PodScheduled") {
        if (is_true) {
          pod->scheduled = true;
          pod->scheduled_time = Time(cond, "lastTransitionTime");
        } else if (Str(cond, "reason") == "Unschedulable") {
          pod->unschedulable = true;
          pod->unschedulable_message = std::string(Str(cond, "message"));
        }
      } else if (type == "DisruptionTarget" && is_true) {
        pod->disruption_target = true;
        pod->disruption_reason = std::string(Str(cond, "reason"));
        pod->disruption_message = std::string(Str(cond, "message"));
      }
    }
  }
  for (std::string_view list : {"initContainerStatuses", "containerStatuses"}) {
    array statuses;
    if (!Arr(status, list, &statuses)) continue;
    for (element s : statuses) {
      object cs;
      object state;
      if (s.get(cs) != simdjson::SUCCESS || !Obj(cs, "state", &state)) continue;
      object running;
      object terminated;
      if (Obj(state, "running", &running)) {
        const absl::Time started = Time(running, "startedAt");
        if (started != absl::InfinitePast() &&
            (pod->first_container_start == absl::InfinitePast() ||
             started < pod->first_container_start)) {
          pod->first_container_start = started;
        }
      } else if (Obj(state, "terminated", &terminated)) {
        const absl::Time started = Time(terminated, "startedAt");
        const absl::Time finished = Time(terminated, "finishedAt");
        if (started != absl::InfinitePast() &&
            (pod->first_container_start == absl::InfinitePast() ||
             started < pod->first_container_start)) {
          pod->first_container_start = started;
        }
        if (finished > pod->last_container_finish) pod->last_container_finish = finished;
        if (pod->reason.empty() && list == "containerStatuses") {
          const absl::string_view reason = Str(terminated, "reason");
          if (!reason.empty() && reason != "Completed") {
            pod->reason = std::string(reason);
            pod->message = std::string(Str(terminated, "message"));
          }
        }
      }
    }
  }
}

absl::Status ReadPod(const element& root, PodInfo* pod) {
  object obj;
  if (root.get(obj) != simdjson::SUCCESS) return absl::InvalidArgumentError("pod is not an object");
  object metadata;
  if (!Obj(obj, "metadata", &metadata)) return absl::InvalidArgumentError("pod has no metadata");
  pod->pod_namespace = std::string(Str(metadata, "namespace"));
  pod->name = std::string(Str(metadata, "name"));
  pod->uid = std::string(Str(metadata, "uid"));
  pod->resource_version = std::string(Str(metadata, "resourceVersion"));
  pod->creation_time = Time(metadata, "creationTimestamp");
  pod->deletion_time = Time(metadata, "deletionTimestamp");
  object labels;
  if (Obj(metadata, "labels", &labels)) {
    for (auto field : labels) {
      std::string_view value;
      if (field.value.get(value) != simdjson::SUCCESS) continue;
      pod->labels.emplace_back(std::string(field.key), std::string(value));
    }
  }
  object spec;
  if (Obj(obj, "spec", &spec)) pod->node_name = std::string(Str(spec, "nodeName"));
  object status;
  if (Obj(obj, "status", &status)) ReadPodStatus(status, pod);
  return absl::OkStatus();
}

void ReadResources(const object& obj, std::string_view key, ResourceList* out) {
  object map;
  if (!Obj(obj, key, &map)) return;
  for (auto field : map) {
    std::string_view value;
    if (field.value.get(value) != simdjson::SUCCESS) continue;
    absl::StatusOr<Quantity> q = Quantity::Parse(View(value));
    if (q.ok()) out->Set(View(field.key), *q);
  }
}

absl::Status ReadQuota(const element& root, QuotaInfo* quota) {
  object obj;
  if (root.get(obj) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("quota is not an object");
  }
  object metadata;
  if (!Obj(obj, "metadata", &metadata)) {
    return absl::InvalidArgumentError("quota has no metadata");
  }
  quota->pod_namespace = std::string(Str(metadata, "namespace"));
  quota->name = std::string(Str(metadata, "name"));
  quota->resource_version = std::string(Str(metadata, "resourceVersion"));
  object spec;
  if (Obj(obj, "spec", &spec)) {
    ReadResources(spec, "hard", &quota->hard);
    array scopes;
    if (Arr(spec, "scopes", &scopes)) {
      for (element s : scopes) {
        std::string_view v;
        if (s.get(v) == simdjson::SUCCESS) quota->scopes.emplace_back(v);
      }
    }
    object selector;
    array expressions;
    if (Obj(spec, "scopeSelector", &selector) && Arr(selector, "matchExpressions", &expressions)) {
      for (element e : expressions) {
        object expr;
        if (e.get(expr) != simdjson::SUCCESS) continue;
        QuotaInfo::ScopeRequirement r;
        r.scope = std::string(Str(expr, "scopeName"));
        r.op = std::string(Str(expr, "operator"));
        array values;
        if (Arr(expr, "values", &values)) {
          for (element v : values) {
            std::string_view s;
            if (v.get(s) == simdjson::SUCCESS) r.values.emplace_back(s);
          }
        }
        quota->scope_selector.push_back(std::move(r));
      }
    }
  }
  object status;
  if (Obj(obj, "status", &status)) {
    ReadResources(status, "hard", &quota->status_hard);
    ReadResources(status, "used", &quota->used);
    quota->status_known = !quota->status_hard.empty();
  }
  return absl::OkStatus();
}

void ReadListMeta(const object& obj, ListMeta* meta) {
  object metadata;
  if (!Obj(obj, "metadata", &metadata)) return;
  meta->resource_version = std::string(Str(metadata, "resourceVersion"));
  meta->continue_token = std::string(Str(metadata, "continue"));
}

absl::Status ParseError(const simdjson::error_code code, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(what, " is not valid JSON: ", simdjson::error_message(code)));
}

}  // namespace

absl::string_view PodInfo::Label(absl::string_view key) const {
  for (const auto& [k, v] : labels) {
    if (k == key) return v;
  }
  return {};
}

class KubeObjectParser::Impl {
 public:
  // Parses `json` (copied into the parser's padded buffer when needed).
  simdjson::simdjson_result<element> Parse(absl::string_view json) {
    return parser_.parse(json.data(), json.size(), /*realloc_if_needed=*/true);
  }

  template <typename T, typename ReadFn>
  absl::Status ParseEvent(absl::string_view json, WatchEventType* type, T* out, WatchError* error,
                          ReadFn read) {
    element root;
    if (auto code = Parse(json).get(root); code != simdjson::SUCCESS) {
      return ParseError(code, "watch event");
    }
    object event;
    if (root.get(event) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("watch event is not an object");
    }
    const absl::string_view t = Str(event, "type");
    element object_element;
    if (event["object"].get(object_element) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("watch event has no object");
    }
    if (t == "ADDED") {
      *type = WatchEventType::kAdded;
    } else if (t == "MODIFIED") {
      *type = WatchEventType::kModified;
    } else if (t == "DELETED") {
      *type = WatchEventType::kDeleted;
    } else if (t == "BOOKMARK") {
      *type = WatchEventType::kBookmark;
      object obj;
      object metadata;
      if (object_element.get(obj) == simdjson::SUCCESS && Obj(obj, "metadata", &metadata)) {
        out->resource_version = std::string(Str(metadata, "resourceVersion"));
      }
      return absl::OkStatus();
    } else if (t == "ERROR") {
      *type = WatchEventType::kError;
      object status;
      if (object_element.get(status) == simdjson::SUCCESS && error != nullptr) {
        int64_t code = 0;
        if (status["code"].get(code) == simdjson::SUCCESS) error->code = static_cast<int>(code);
        error->reason = std::string(Str(status, "reason"));
        error->message = std::string(Str(status, "message"));
      }
      return absl::OkStatus();
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown watch event type \"", t, "\""));
    }
    return read(object_element, out);
  }

  template <typename T, typename ReadFn>
  absl::Status ParseList(absl::string_view json, std::vector<T>* items, ListMeta* meta,
                         ReadFn read) {
    element root;
    if (auto code = Parse(json).get(root); code != simdjson::SUCCESS) {
      return ParseError(code, "list");
    }
    object list;
    if (root.get(list) != simdjson::SUCCESS)
      return absl::InvalidArgumentError("list is not an object");
    ReadListMeta(list, meta);
    array entries;
    if (!Arr(list, "items", &entries)) return absl::OkStatus();  // "items": null
    for (element item : entries) {
      T value;
      absl::Status s = read(item, &value);
      if (!s.ok()) return s;
      items->push_back(std::move(value));
    }
    return absl::OkStatus();
  }

  simdjson::dom::parser parser_;
};

KubeObjectParser::KubeObjectParser() : impl_(std::make_unique<Impl>()) {}
KubeObjectParser::~KubeObjectParser() = default;

absl::Status KubeObjectParser::ParsePod(absl::string_view json, PodInfo* pod) {
  element root;
  if (auto code = impl_->Parse(json).get(root); code != simdjson::SUCCESS) {
    return ParseError(code, "pod");
  }
  return ReadPod(root, pod);
}

absl::Status KubeObjectParser::ParsePodList(absl::string_view json, std::vector<PodInfo>* pods,
                                            ListMeta* meta) {
  return impl_->ParseList(json, pods, meta, ReadPod);
}

absl::Status KubeObjectParser::ParseQuota(absl::string_view json, QuotaInfo* quota) {
  element root;
  if (auto code = impl_->Parse(json).get(root); code != simdjson::SUCCESS) {
    return ParseError(code, "resource quota");
  }
  return ReadQuota(root, quota);
}

absl::Status KubeObjectParser::ParseQuotaList(absl::string_view json,
                                              std::vector<QuotaInfo>* quotas, ListMeta* meta) {
  return impl_->ParseList(json, quotas, meta, ReadQuota);
}

absl::Status KubeObjectParser::ParsePodEvent(absl::string_view json, WatchEventType* type,
                                             PodInfo* pod, WatchError* error) {
  return impl_->ParseEvent(json, type, pod, error, ReadPod);
}

absl::Status KubeObjectParser::ParseQuotaEvent(absl::string_view json, WatchEventType* type,
                                               QuotaInfo* quota, WatchError* error) {
  return impl_->ParseEvent(json, type, quota, error, ReadQuota);
}

std::string KubeObjectParser::ObjectUid(absl::string_view json) {
  element root;
  if (impl_->Parse(json).get(root) != simdjson::SUCCESS) return "";
  object obj;
  object metadata;
  if (root.get(obj) != simdjson::SUCCESS || !Obj(obj, "metadata", &metadata)) return "";
  return std::string(Str(metadata, "uid"));
}

}  // namespace sluice::kube
