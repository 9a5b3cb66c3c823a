#include "tools/kubesim/pod_create.h"

#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"
#include "tools/kubesim/ids.h"
#include "tools/kubesim/json_parse.h"
#include "tools/kubesim/json_writer.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {
namespace {

using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

constexpr std::string_view kCannotHandle = "Pod in version \"v1\" cannot be handled as a Pod: ";
constexpr std::string_view kLabelError =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

Value* MutableMember(Value& obj, std::string_view key) {
  auto it = obj.FindMember(Value(rapidjson::StringRef(key.data(), key.size())));
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

// Adds key: value unless the key exists. `key` must outlive the document.
template <typename T>
void Default(Value& obj, const char* key, T value, Allocator& a) {
  if (!obj.HasMember(key)) obj.AddMember(rapidjson::StringRef(key), Value(value), a);
}
void DefaultString(Value& obj, const char* key, std::string_view value, Allocator& a) {
  if (!obj.HasMember(key)) {
    obj.AddMember(rapidjson::StringRef(key),
                  Value(value.data(), static_cast<rapidjson::SizeType>(value.size()), a), a);
  }
}

void WriteValue(JsonWriter& w, const Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      w.Null();
      break;
    case rapidjson::kFalseType:
      w.Bool(false);
      break;
    case rapidjson::kTrueType:
      w.Bool(true);
      break;
    case rapidjson::kStringType:
      w.String(Str(v));
      break;
    case rapidjson::kNumberType:
      if (v.IsInt64()) {
        w.Int(v.GetInt64());
      } else if (v.IsUint64()) {
        w.Uint(v.GetUint64());
      } else {
        w.Double(v.GetDouble());
      }
      break;
    case rapidjson::kObjectType:
      w.BeginObject();
      for (const auto& m : v.GetObject()) {
        w.Key(Str(m.name));
        WriteValue(w, m.value);
      }
      w.EndObject();
      break;
    case rapidjson::kArrayType:
      w.BeginArray();
      for (const auto& e : v.GetArray()) WriteValue(w, e);
      w.EndArray();
      break;
  }
}

std::string Encode(const Value& v) {
  std::string out;
  JsonWriter w(&out);
  WriteValue(w, v);
  return out;
}

bool IsDnsLabel(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s) {
    if (!alnum(c) && c != '-') return false;
  }
  return true;
}

bool IsDnsSubdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (part.empty() || part.size() > 63 || !IsDnsLabel(part)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// Go's %q for the plain names we validate.
std::string Quote(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

// Reads a string map (labels, annotations); false if it is not one.
bool ReadStringMap(const Value* v, StringMap* out) {
  if (v == nullptr || v->IsNull()) return true;
  if (!v->IsObject()) return false;
  for (const auto& m : v->GetObject()) {
    if (!m.value.IsString()) return false;
    out->emplace_back(std::string(Str(m.name)), std::string(Str(m.value)));
  }
  NormalizeStringMap(out);
  return true;
}

// The text of a quantity value (JSON string or number).
bool QuantityText(const Value& v, std::string* out) {
  if (v.IsString()) {
    *out = std::string(Str(v));
    return true;
  }
  if (v.IsNumber()) {
    *out = Encode(v);
    return true;
  }
  return false;
}

// Parses a resource list ({"cpu":"500m",...}) into milli-units.
bool ReadAmounts(const Value* v, ResourceAmounts* out) {
  if (v == nullptr || v->IsNull()) return true;
  if (!v->IsObject()) return false;
  for (const auto& m : v->GetObject()) {
    std::string text;
    if (!QuantityText(m.value, &text)) return false;
    std::optional<int64_t> milli = ParseQuantityMilli(text);
    if (!milli.has_value()) return false;
    (*out)[std::string(Str(m.name))] = *milli;
  }
  return true;
}

std::string DefaultPullPolicy(std::string_view image) {
  std::string_view last =
      image.substr(image.rfind('/') == std::string_view::npos ? 0 : image.rfind('/') + 1);
  if (last.find('@') != std::string_view::npos) return "IfNotPresent";
  const size_t colon = last.find(':');
  if (colon == std::string_view::npos || last.substr(colon + 1) == "latest") return "Always";
  return "IfNotPresent";
}

struct ContainerResources {
  ResourceAmounts requests;
  ResourceAmounts limits;
};

// Defaults one container in place and reads its resources. Returns false on
// a malformed quantity.
bool DefaultContainer(Value& c, Allocator& a, ContainerResources* res) {
  DefaultString(c, "terminationMessagePath", "/dev/termination-log", a);
  DefaultString(c, "terminationMessagePolicy", "File", a);
  DefaultString(c, "imagePullPolicy", DefaultPullPolicy(StringMember(c, "image")), a);
  if (!c.HasMember("resources")) c.AddMember("resources", Value(rapidjson::kObjectType), a);
  Value& r = c["resources"];
  if (!r.IsObject()) return false;
  if (!ReadAmounts(Member(r, "limits"), &res->limits)) return false;
  if (!ReadAmounts(Member(r, "requests"), &res->requests)) return false;
  // SetDefaults_Pod: a limit without a request sets the request.
  const Value* limits = Member(r, "limits");
  if (limits != nullptr && limits->IsObject() && limits->MemberCount() > 0) {
    if (!r.HasMember("requests")) r.AddMember("requests", Value(rapidjson::kObjectType), a);
    Value& requests = r["requests"];  // fetched after AddMember, which may move members
    if (!requests.IsObject()) return false;
    for (const auto& m : r["limits"].GetObject()) {
      if (!requests.HasMember(m.name)) {
        requests.AddMember(Value(m.name, a), Value(m.value, a), a);
        const std::string name(Str(m.name));
        res->requests[name] = res->limits[name];
      }
    }
  }
  return true;
}

// QoS class from the containers' cpu/memory requests and limits
// (pkg/apis/core/helper/qos).
std::string QosClass(const std::vector<ContainerResources>& all) {
  bool best_effort = true, guaranteed = true;
  for (const ContainerResources& c : all) {
    for (const char* r : {"cpu", "memory"}) {
      auto req = c.requests.find(r);
      auto lim = c.limits.find(r);
      if ((req != c.requests.end() && req->second != 0) ||
          (lim != c.limits.end() && lim->second != 0)) {
        best_effort = false;
      }
      if (lim == c.limits.end() || req == c.requests.end() || req->second != lim->second) {
        guaranteed = false;
      }
    }
  }
  if (best_effort) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

std::optional<int64_t> IntAnnotation(const StringMap& annotations, std::string_view key) {
  const std::string* v = FindValue(annotations, key);
  int64_t n;
  if (v == nullptr || !absl::SimpleAtoi(*v, &n)) return std::nullopt;
  return n;
}

bool HasToleration(const Value& tolerations, std::string_view key) {
  for (const auto& t : tolerations.GetArray()) {
    if (!t.IsObject()) continue;
    std::string_view k = StringMember(t, "key");
    std::string_view op = StringMember(t, "operator");
    std::string_view effect = StringMember(t, "effect");
    if ((k == key || (k.empty() && op == "Exists")) && (effect.empty() || effect == "NoExecute")) {
      return true;
    }
  }
  return false;
}

void AddDefaultTolerations(Value& spec, Allocator& a) {
  if (!spec.HasMember("tolerations"))
    spec.AddMember("tolerations", Value(rapidjson::kArrayType), a);
  Value& tolerations = spec["tolerations"];
  if (!tolerations.IsArray()) return;
  for (const char* key : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
    if (HasToleration(tolerations, key)) continue;
    Value t(rapidjson::kObjectType);
    t.AddMember("key", rapidjson::StringRef(key), a);
    t.AddMember("operator", "Exists", a);
    t.AddMember("effect", "NoExecute", a);
    t.AddMember("tolerationSeconds", 300, a);
    tolerations.PushBack(t, a);
  }
}

// Reads name and image of every container of `list` (a JSON array), checking
// them; appends validation causes. `path` is "spec.containers".
std::vector<ContainerInfo> ReadContainers(const Value* list, std::string_view path,
                                          std::vector<StatusCause>* causes,
                                          std::vector<std::string>* seen_names) {
  std::vector<ContainerInfo> out;
  if (list == nullptr || !list->IsArray()) return out;
  for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
    const Value& c = (*list)[i];
    ContainerInfo info;
    info.name = std::string(StringMember(c, "name"));
    info.image = std::string(StringMember(c, "image"));
    const std::string at = Cat(path, "[", i, "]");
    if (info.name.empty()) {
      causes->push_back({"FieldValueRequired", "Required value", Cat(at, ".name")});
    } else if (!IsDnsLabel(info.name)) {
      causes->push_back({"FieldValueInvalid",
                         Cat("Invalid value: ", Quote(info.name), ": ", kLabelError),
                         Cat(at, ".name")});
    } else {
      for (const std::string& s : *seen_names) {
        if (s == info.name) {
          causes->push_back({"FieldValueDuplicate", Cat("Duplicate value: ", Quote(info.name)),
                             Cat(at, ".name")});
          break;
        }
      }
      seen_names->push_back(info.name);
    }
    if (info.image.empty()) {
      causes->push_back({"FieldValueRequired", "Required value", Cat(at, ".image")});
    }
    out.push_back(std::move(info));
  }
  return out;
}

// Memory one thread reuses for every pod it parses (a pod's document takes
// ~10 KiB of pool; larger ones spill into malloc'd chunks, freed with `doc`).
struct ParseScratch {
  alignas(16) char pool[64 << 10];
  std::string text;
  rapidjson::CrtAllocator stack_allocator;
};
constexpr size_t kParseStackBytes = 4096;

ParseScratch& ThreadParseScratch() {
  thread_local std::unique_ptr<ParseScratch> scratch = std::make_unique<ParseScratch>();
  return *scratch;
}

}  // namespace

ApiOr<ParsedPod> ParsePodForCreate(std::string_view body, std::string_view url_namespace,
                                   absl::Time now) {
  // In-situ parsing of a private copy: measured (bench/kubesim_bench.cc) at
  // ~2.0 us for a 1.5 KB pod, against ~3.5 us for a copying RapidJSON parse
  // and ~2.1 us for simdjson followed by a copy into a modifiable document.
  // String values point into `scratch.text`, which outlives `doc`. The copy
  // and the document's values live in this thread's scratch memory, reused
  // from one create to the next: a fresh 64 KiB pool chunk per create cost a
  // malloc and, with jemalloc's huge pages, page faults that zero memory
  // (perf: ~10% of kubesim's CPU in the unthrottled e2e run).
  ParseScratch& scratch = ThreadParseScratch();
  scratch.text.assign(body.data(), body.size());
  rapidjson::MemoryPoolAllocator<> pool(scratch.pool, sizeof(scratch.pool));
  rapidjson::Document doc(&pool, kParseStackBytes, &scratch.stack_allocator);
  doc.ParseInsitu(scratch.text.data());
  if (doc.HasParseError()) {
    return BadRequest(
        Cat("the object provided is unrecognized (must be of type Pod): couldn't get version/kind; "
            "json parse error: ",
            rapidjson::GetParseError_En(doc.GetParseError())));
  }
  if (!doc.IsObject()) {
    return BadRequest(
        "the object provided is unrecognized (must be of type Pod): couldn't get version/kind; "
        "json parse error: json: cannot unmarshal non-object into Go value of type "
        "struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string "
        "\"json:\\\"kind,omitempty\\\"\" }");
  }
  std::string_view kind = StringMember(doc, "kind");
  if (!kind.empty() && kind != "Pod") {
    return BadRequest(Cat("the object provided is unrecognized (must be of type Pod): ", kind,
                          " in version \"", StringMember(doc, "apiVersion"),
                          "\" cannot be handled as a Pod"));
  }
  Allocator& a = doc.GetAllocator();

  ParsedPod parsed;
  ObjectMeta meta;
  if (const Value* m = Member(doc, "metadata"); m != nullptr && m->IsObject()) {
    meta.name = std::string(StringMember(*m, "name"));
    meta.generate_name = std::string(StringMember(*m, "generateName"));
    std::string_view ns = StringMember(*m, "namespace");
    if (!ns.empty() && ns != url_namespace) {
      return BadRequest(
          "the namespace of the provided object does not match the namespace sent on the "
          "request");
    }
    if (!ReadStringMap(Member(*m, "labels"), &meta.labels) ||
        !ReadStringMap(Member(*m, "annotations"), &meta.annotations)) {
      return BadRequest(
          Cat(kCannotHandle,
              "json: cannot unmarshal into Go struct field ObjectMeta.metadata of type string"));
    }
    if (const Value* o = Member(*m, "ownerReferences");
        o != nullptr && o->IsArray() && !o->Empty()) {
      meta.owner_references_json = Encode(*o);
    }
    if (const Value* f = Member(*m, "finalizers"); f != nullptr && f->IsArray() && !f->Empty()) {
      meta.finalizers_json = Encode(*f);
    }
  }
  meta.namespace_name = std::string(url_namespace);
  if (meta.name.empty() && !meta.generate_name.empty()) {
    meta.name = Cat(meta.generate_name, RandomNameSuffix());
    parsed.name_generated = true;
  }
  meta.uid = NewUid();
  meta.creation_timestamp = absl::FromUnixSeconds(absl::ToUnixSeconds(now));

  std::vector<StatusCause> causes;
  if (meta.name.empty()) {
    causes.push_back({"FieldValueRequired", "Required value: name or generateName is required",
                      "metadata.name"});
  } else if (!IsDnsSubdomain(meta.name)) {
    causes.push_back({"FieldValueInvalid",
                      Cat("Invalid value: ", Quote(meta.name), ": ", kSubdomainError),
                      "metadata.name"});
  }

  if (!doc.HasMember("spec") || !doc["spec"].IsObject()) {
    doc.RemoveMember("spec");
    doc.AddMember("spec", Value(rapidjson::kObjectType), a);
  }
  Value& spec = doc["spec"];
  auto info = std::make_shared<PodSpecInfo>();
  PodState state;

  std::vector<std::string> names;
  info->init_containers =
      ReadContainers(Member(spec, "initContainers"), "spec.initContainers", &causes, &names);
  const Value* containers = Member(spec, "containers");
  if (containers == nullptr || !containers->IsArray() || containers->Empty()) {
    causes.push_back({"FieldValueRequired", "Required value", "spec.containers"});
  }
  info->containers = ReadContainers(containers, "spec.containers", &causes, &names);
  if (!causes.empty()) {
    parsed.pod = std::make_shared<Pod>(std::move(info), std::move(state));
    parsed.pod->mutable_meta() = std::move(meta);
    parsed.invalid = std::move(causes);
    return parsed;
  }

  // Defaults (SetDefaults_PodSpec, the ServiceAccount and
  // DefaultTolerationSeconds admission plugins).
  DefaultString(spec, "restartPolicy", "Always", a);
  Default(spec, "terminationGracePeriodSeconds", int64_t{30}, a);
  DefaultString(spec, "dnsPolicy", "ClusterFirst", a);
  DefaultString(spec, "serviceAccountName", "default", a);
  DefaultString(spec, "serviceAccount", StringMember(spec, "serviceAccountName"), a);
  if (!spec.HasMember("securityContext")) {
    spec.AddMember("securityContext", Value(rapidjson::kObjectType), a);
  }
  DefaultString(spec, "schedulerName", "default-scheduler", a);
  AddDefaultTolerations(spec, a);
  Default(spec, "priority", 0, a);
  Default(spec, "enableServiceLinks", true, a);
  DefaultString(spec, "preemptionPolicy", "PreemptLowerPriority", a);

  std::vector<ContainerResources> resources;
  ResourceAmounts init_max;
  for (const char* list : {"initContainers", "containers"}) {
    Value* arr = MutableMember(spec, list);
    if (arr == nullptr || !arr->IsArray()) continue;
    const bool init = list[0] == 'i';
    for (auto& c : arr->GetArray()) {
      ContainerResources r;
      if (!c.IsObject() || !DefaultContainer(c, a, &r)) {
        return BadRequest(Cat(kCannotHandle, kQuantityError));
      }
      if (init) {
        MaxAmounts(&init_max, r.requests);
      } else {
        AddAmounts(&info->requests, r.requests);
      }
      resources.push_back(std::move(r));
    }
  }
  MaxAmounts(&info->requests, init_max);
  ResourceAmounts overhead;
  if (!ReadAmounts(Member(spec, "overhead"), &overhead)) {
    return BadRequest(Cat(kCannotHandle, kQuantityError));
  }
  AddAmounts(&info->requests, overhead);
  info->qos_class = QosClass(resources);

  // spec.nodeName given at creation binds the pod directly (no scheduler).
  if (Value* node = MutableMember(spec, "nodeName"); node != nullptr) {
    if (node->IsString() && node->GetStringLength() > 0) {
      state.node_name = std::string(Str(*node));
      state.scheduled_at = meta.creation_timestamp;
    }
    spec.RemoveMember("nodeName");
  }
  info->restart_policy = std::string(StringMember(spec, "restartPolicy"));
  info->scheduler_name = std::string(StringMember(spec, "schedulerName"));
  info->service_account_name = std::string(StringMember(spec, "serviceAccountName"));
  if (const Value* hn = Member(spec, "hostNetwork"); hn != nullptr && hn->IsBool()) {
    info->host_network = hn->GetBool();
  }
  if (const Value* g = Member(spec, "terminationGracePeriodSeconds");
      g != nullptr && g->IsInt64()) {
    info->termination_grace_period_seconds = g->GetInt64();
  }
  info->sim.schedule_ms = IntAnnotation(meta.annotations, "sim.sluice.dev/schedule-ms");
  info->sim.start_ms = IntAnnotation(meta.annotations, "sim.sluice.dev/start-ms");
  info->sim.run_ms = IntAnnotation(meta.annotations, "sim.sluice.dev/run-ms");
  info->sim.exit_code = IntAnnotation(meta.annotations, "sim.sluice.dev/exit-code");
  info->sim.termination_ms = IntAnnotation(meta.annotations, "sim.sluice.dev/termination-ms");
  info->json = Encode(spec);
  info->json.shrink_to_fit();  // kept for the pod's lifetime

  parsed.pod = std::make_shared<Pod>(std::move(info), std::move(state));
  parsed.pod->mutable_meta() = std::move(meta);
  return parsed;
}

}  // namespace sluice::kubesim
