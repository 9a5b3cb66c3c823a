#include "tools/kubesim/pod_quota_usage.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "rapidjson/document.h"
#include "scheduler/kube/pod_resources.h"
#include "tools/kubesim/json_parse.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {
namespace {

using rapidjson::Value;

ResourceList ReadList(const Value* v) {
  ResourceList out;
  if (v == nullptr || !v->IsObject()) return out;
  for (const auto& m : v->GetObject()) {
    std::string text;
    if (m.value.IsString()) {
      text = std::string(Str(m.value));
    } else if (m.value.IsInt64()) {
      text = Cat(m.value.GetInt64());
    } else if (m.value.IsNumber()) {
      text = Cat(m.value.GetDouble());
    } else {
      continue;
    }
    absl::StatusOr<Quantity> q = Quantity::Parse(text);
    if (q.ok()) out.Set(ToAbsl(Str(m.name)), *q);
  }
  return out;
}

kube::ContainerResources ReadContainer(const Value& c) {
  kube::ContainerResources out;
  const Value* r = Member(c, "resources");
  if (r != nullptr) {
    out.requests = ReadList(Member(*r, "requests"));
    out.limits = ReadList(Member(*r, "limits"));
  }
  const Value* policy = Member(c, "restartPolicy");
  out.restartable = policy != nullptr && policy->IsString() && Str(*policy) == "Always";
  return out;
}

std::string NameOf(const Value& c) {
  const Value* n = Member(c, "name");
  return n != nullptr && n->IsString() ? std::string(Str(*n)) : std::string();
}

// podComputeUsageHelper's key set for one container, as a bit set over
// kConstrainedKeys.
uint8_t ConstrainedKeys(const kube::ContainerResources& c) {
  auto bit = [](std::string_view key) -> unsigned {
    for (size_t i = 0; i < std::size(kConstrainedKeys); ++i) {
      if (key == kConstrainedKeys[i]) return 1u << i;
    }
    return 0;
  };
  unsigned keys = 0;
  if (c.requests.Has("cpu")) keys |= bit("cpu") | bit("requests.cpu");
  if (c.requests.Has("memory")) keys |= bit("memory") | bit("requests.memory");
  if (c.limits.Has("cpu")) keys |= bit("limits.cpu");
  if (c.limits.Has("memory")) keys |= bit("limits.memory");
  return static_cast<uint8_t>(keys);
}

bool HasCrossNamespaceTerm(const Value* affinity, const char* kind) {
  const Value* a = affinity == nullptr ? nullptr : Member(*affinity, kind);
  if (a == nullptr) return false;
  auto cross = [](const Value& term) {
    const Value* ns = Member(term, "namespaces");
    return (ns != nullptr && ns->IsArray() && !ns->Empty()) ||
           Member(term, "namespaceSelector") != nullptr;
  };
  const Value* required = Member(*a, "requiredDuringSchedulingIgnoredDuringExecution");
  if (required != nullptr && required->IsArray()) {
    for (const auto& t : required->GetArray()) {
      if (cross(t)) return true;
    }
  }
  const Value* preferred = Member(*a, "preferredDuringSchedulingIgnoredDuringExecution");
  if (preferred != nullptr && preferred->IsArray()) {
    for (const auto& t : preferred->GetArray()) {
      const Value* term = Member(t, "podAffinityTerm");
      if (term != nullptr && cross(*term)) return true;
    }
  }
  return false;
}

bool MatchScope(std::string_view scope, std::string_view op, const std::vector<std::string>& values,
                const PodQuotaFacts& f) {
  if (scope == "Terminating") return f.terminating;
  if (scope == "NotTerminating") return !f.terminating;
  if (scope == "BestEffort") return f.best_effort;
  if (scope == "NotBestEffort") return !f.best_effort;
  if (scope == "CrossNamespacePodAffinity") return f.cross_namespace_affinity;
  if (scope != "PriorityClass") return false;
  const bool has = !f.priority_class.empty();
  const bool listed = std::find(values.begin(), values.end(), f.priority_class) != values.end();
  if (op == "Exists") return has;
  if (op == "DoesNotExist") return !has;
  if (op == "In") return has && listed;
  if (op == "NotIn") return !has || !listed;
  return false;
}

}  // namespace

PodQuotaFacts ComputePodQuotaFacts(const PodSpecInfo& info) {
  PodQuotaFacts facts;
  facts.best_effort = info.qos_class == "BestEffort";
  // Stack buffers for the parse: a default Document allocates (and faults
  // in) a fresh 64 KiB chunk per parse, which dominated the cost.
  char value_buffer[32 * 1024];
  char stack_buffer[4 * 1024];
  rapidjson::MemoryPoolAllocator<> value_allocator(value_buffer, sizeof(value_buffer));
  rapidjson::MemoryPoolAllocator<> stack_allocator(stack_buffer, sizeof(stack_buffer));
  rapidjson::GenericDocument<rapidjson::UTF8<>, rapidjson::MemoryPoolAllocator<>,
                             rapidjson::MemoryPoolAllocator<>>
      spec(&value_allocator, sizeof(stack_buffer), &stack_allocator);
  std::string text = MutableCopy(info.json);  // in-situ parsing: strings stay in `text`
  spec.ParseInsitu(text.data());
  kube::PodResources resources;
  std::vector<std::string> names;
  for (const char* list : {"containers", "initContainers"}) {
    const Value* arr = Member(spec, list);
    if (arr == nullptr || !arr->IsArray()) continue;
    for (const auto& c : arr->GetArray()) {
      (list[0] == 'c' ? resources.containers : resources.init_containers)
          .push_back(ReadContainer(c));
      names.push_back(NameOf(c));
    }
  }
  resources.overhead = ReadList(Member(spec, "overhead"));
  kube::ApplyApiServerDefaults(/*pod_level_resources=*/false, &resources);
  size_t i = 0;
  for (const auto* group : {&resources.containers, &resources.init_containers}) {
    for (const kube::ContainerResources& c : *group) {
      facts.containers.push_back({names[i++], ConstrainedKeys(c)});
    }
  }
  if (const Value* d = Member(spec, "activeDeadlineSeconds"); d != nullptr && d->IsInt64()) {
    facts.terminating = d->GetInt64() >= 0;
  }
  if (const Value* p = Member(spec, "priorityClassName"); p != nullptr && p->IsString()) {
    facts.priority_class = std::string(Str(*p));
  }
  const Value* affinity = Member(spec, "affinity");
  facts.cross_namespace_affinity = HasCrossNamespaceTerm(affinity, "podAffinity") ||
                                   HasCrossNamespaceTerm(affinity, "podAntiAffinity");

  ResourceList requests, limits;
  kube::ComputePodRequests(resources, false, &requests);
  kube::ComputePodLimits(resources, false, &limits);
  ResourceList& u = facts.usage;
  u.Set("count/pods", Quantity::FromInt(1));
  u.Set("pods", Quantity::FromInt(1));
  for (const char* r : {"cpu", "memory", "ephemeral-storage"}) {
    if (const Quantity* q = requests.Find(r)) {
      u.Set(r, *q);
      u.Set(Cat("requests.", r), *q);
    }
    if (const Quantity* q = limits.Find(r)) u.Set(Cat("limits.", r), *q);
  }
  for (const ResourceList::Entry& e : requests) {
    if (absl::StartsWith(e.name, "hugepages-")) {
      u.Set(e.name, e.quantity);
      u.Set(Cat("requests.", e.name), e.quantity);
    }
    if (kube::IsExtendedResource(e.name)) u.Set(Cat("requests.", e.name), e.quantity);
  }
  return facts;
}

const ResourceList& TerminalPodUsage() {
  static const auto* usage = new ResourceList{{"count/pods", Quantity::FromInt(1)}};
  return *usage;
}

std::vector<std::string> PodQuotaResources(const ResourceList& hard) {
  static constexpr std::string_view kPodResources[] = {"count/pods",
                                                       "cpu",
                                                       "memory",
                                                       "ephemeral-storage",
                                                       "requests.cpu",
                                                       "requests.memory",
                                                       "requests.ephemeral-storage",
                                                       "limits.cpu",
                                                       "limits.memory",
                                                       "limits.ephemeral-storage",
                                                       "pods"};
  std::vector<std::string> out;
  for (const ResourceList::Entry& e : hard) {
    const absl::string_view name = e.name;
    bool match = std::find(std::begin(kPodResources), std::end(kPodResources), ToStd(name)) !=
                 std::end(kPodResources);
    match = match || absl::StartsWith(name, "hugepages-") ||
            absl::StartsWith(name, "requests.hugepages-");
    match = match || (!kube::IsNativeResource(name) && absl::StartsWith(name, "requests."));
    if (match) out.push_back(e.name);
  }
  return out;
}

std::string QuotaConstraintError(const PodQuotaFacts& facts,
                                 const std::vector<std::string>& restricted) {
  std::string out;
  for (size_t k = 0; k < std::size(kConstrainedKeys); ++k) {
    if (std::find(restricted.begin(), restricted.end(), kConstrainedKeys[k]) == restricted.end()) {
      continue;
    }
    std::vector<std::string> missing;
    for (const PodQuotaFacts::Container& c : facts.containers) {
      if ((c.keys & (1u << k)) == 0) missing.push_back(c.name);
    }
    if (missing.empty()) continue;
    std::sort(missing.begin(), missing.end());
    missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
    Append(&out, out.empty() ? "must specify " : "; ", kConstrainedKeys[k], " for: ");
    for (size_t i = 0; i < missing.size(); ++i) Append(&out, i > 0 ? "," : "", missing[i]);
  }
  return out;
}

bool PodMatchesQuotaScopes(const PodQuotaFacts& facts, const QuotaSpec& spec) {
  for (const std::string& scope : spec.scopes) {
    if (!MatchScope(scope, "Exists", {}, facts)) return false;
  }
  for (const QuotaScopeRequirement& r : spec.scope_selector) {
    if (!MatchScope(r.scope_name, r.op, r.values, facts)) return false;
  }
  return true;
}

}  // namespace sluice::kubesim
