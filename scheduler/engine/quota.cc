#include "scheduler/engine/quota.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "scheduler/kube/pod_resources.h"

namespace sluice {
namespace {

constexpr absl::string_view kRequestsPrefix = "requests.";

void SetIfPresent(ResourceList& usage, const ResourceList& from, absl::string_view resource,
                  std::initializer_list<absl::string_view> keys) {
  const Quantity* q = from.Find(resource);
  if (q == nullptr) return;
  for (absl::string_view key : keys) usage.Set(key, *q);
}

bool Contains(const std::vector<std::string>& values, absl::string_view v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

// Scopes Sluice evaluates from the manifest.
bool KnownScope(absl::string_view scope) {
  return scope == "Terminating" || scope == "NotTerminating" || scope == "BestEffort" ||
         scope == "NotBestEffort" || scope == "PriorityClass" ||
         scope == "CrossNamespacePodAffinity";
}

// -1: cannot evaluate; 0: does not match; 1: matches.
int MatchScope(absl::string_view scope, const PodScopeFacts& facts) {
  if (scope == "Terminating") return facts.terminating ? 1 : 0;
  if (scope == "NotTerminating") return facts.terminating ? 0 : 1;
  if (scope == "BestEffort") return facts.best_effort ? 1 : 0;
  if (scope == "NotBestEffort") return facts.best_effort ? 0 : 1;
  if (scope == "PriorityClass") return facts.priority_class.empty() ? 0 : 1;
  if (scope == "CrossNamespacePodAffinity") return facts.cross_namespace_affinity ? 1 : 0;
  return -1;
}

int MatchRequirement(const QuotaObservation::ScopeRequirement& r, const PodScopeFacts& facts) {
  if (r.scope != "PriorityClass") {
    const int m = MatchScope(r.scope, facts);
    if (m < 0) return -1;
    if (r.op == "Exists") return m;
    if (r.op == "DoesNotExist") return 1 - m;
    return -1;
  }
  const bool has = !facts.priority_class.empty();
  if (r.op == "In") return has && Contains(r.values, facts.priority_class) ? 1 : 0;
  if (r.op == "NotIn") return has && !Contains(r.values, facts.priority_class) ? 1 : 0;
  if (r.op == "Exists") return has ? 1 : 0;
  if (r.op == "DoesNotExist") return has ? 0 : 1;
  return -1;
}

}  // namespace

ResourceList QuotaUsageOf(const ResourceList& requests, const ResourceList& limits) {
  ResourceList usage;
  usage.Set("pods", Quantity::FromInt(1));
  usage.Set("count/pods", Quantity::FromInt(1));
  SetIfPresent(usage, requests, "cpu", {"cpu", "requests.cpu"});
  SetIfPresent(usage, requests, "memory", {"memory", "requests.memory"});
  SetIfPresent(usage, requests, "ephemeral-storage",
               {"ephemeral-storage", "requests.ephemeral-storage"});
  SetIfPresent(usage, limits, "cpu", {"limits.cpu"});
  SetIfPresent(usage, limits, "memory", {"limits.memory"});
  SetIfPresent(usage, limits, "ephemeral-storage", {"limits.ephemeral-storage"});
  for (const ResourceList::Entry& e : requests) {
    if (kube::IsHugePagesResource(e.name)) {
      usage.Set(e.name, e.quantity);
      usage.Set(absl::StrCat(kRequestsPrefix, e.name), e.quantity);
    } else if (kube::IsExtendedResource(e.name)) {
      usage.Set(absl::StrCat(kRequestsPrefix, e.name), e.quantity);
    }
  }
  return usage;
}

TrackedQuota::TrackedQuota(const QuotaObservation& observation) { Update(observation); }

void TrackedQuota::Update(const QuotaObservation& observation) {
  name_ = observation.name;
  hard_ = observation.hard;
  status_used_ = observation.used;
  status_known_ = observation.status_known;
  scopes_ = observation.scopes;
  scope_selector_ = observation.scope_selector;
  unevaluated_.clear();
  for (const std::string& scope : scopes_) {
    if (!KnownScope(scope)) unevaluated_.push_back(scope);
  }
  for (const auto& r : scope_selector_) {
    if (!KnownScope(r.scope)) unevaluated_.push_back(r.scope);
  }
}

bool TrackedQuota::Applies(const PodScopeFacts& facts) const {
  for (const std::string& scope : scopes_) {
    if (MatchScope(scope, facts) == 0) return false;  // -1: assume it applies
  }
  for (const auto& r : scope_selector_) {
    if (MatchRequirement(r, facts) == 0) return false;
  }
  return true;
}

std::string TrackedQuota::Shape() const {
  std::string shape;
  for (const ResourceList::Entry& e : hard_) absl::StrAppend(&shape, e.name, ",");
  absl::StrAppend(&shape, "|", absl::StrJoin(scopes_, ","), "|");
  for (const auto& r : scope_selector_) {
    absl::StrAppend(&shape, r.scope, " ", r.op, " ", absl::StrJoin(r.values, ","), ";");
  }
  return shape;
}

ResourceList TrackedQuota::EstimatedUsed() const {
  ResourceList used;
  for (const ResourceList::Entry& e : hard_) {
    Quantity q = std::max(status_used_.Get(e.name), ours_.Get(e.name));
    q += in_flight_.Get(e.name);
    used.Set(e.name, q);
  }
  return used;
}

bool TrackedQuota::Fits(const ResourceList& usage, std::string* why) const {
  if (!status_known_) {
    if (why != nullptr) {
      *why = absl::StrCat("status unknown for quota: ", name_,
                          " (waiting for the quota controller to count its usage)");
    }
    return false;
  }
  ResourceList requested;
  ResourceList used;
  ResourceList limited;
  for (const ResourceList::Entry& e : hard_) {
    const Quantity* need = usage.Find(e.name);
    if (need == nullptr || need->IsZero()) continue;
    Quantity now = std::max(status_used_.Get(e.name), ours_.Get(e.name));
    now += in_flight_.Get(e.name);
    if (now + *need > e.quantity) {
      requested.Set(e.name, *need);
      used.Set(e.name, now);
      limited.Set(e.name, e.quantity);
    }
  }
  if (requested.empty()) return true;
  if (why != nullptr) {
    *why = absl::StrCat("exceeded quota: ", name_, ", requested: ", requested.ToString(),
                        ", used: ", used.ToString(), ", limited: ", limited.ToString());
  }
  return false;
}

void TrackedQuota::AddCharged(ResourceList& into, const ResourceList& usage) const {
  for (const ResourceList::Entry& e : hard_) {
    const Quantity* q = usage.Find(e.name);
    if (q != nullptr) into.Add(e.name, *q);
  }
}

void TrackedQuota::SubCharged(ResourceList& from, const ResourceList& usage) const {
  for (const ResourceList::Entry& e : hard_) {
    const Quantity* q = usage.Find(e.name);
    if (q == nullptr) continue;
    Quantity left = from.Get(e.name) - *q;
    if (left.Sign() < 0) left = Quantity();
    from.Set(e.name, left);
  }
}

void TrackedQuota::ResetAccounting() {
  ours_.Clear();
  in_flight_.Clear();
}

void TrackedQuota::Correct(const ResourceList& used, const ResourceList& limited) {
  for (const ResourceList::Entry& e : used) {
    status_used_.Set(e.name, std::max(status_used_.Get(e.name), e.quantity));
  }
  for (const ResourceList::Entry& e : limited) hard_.Set(e.name, e.quantity);
  status_known_ = true;
}

}  // namespace sluice
