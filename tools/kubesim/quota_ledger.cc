#include "tools/kubesim/quota_ledger.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_join.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {
namespace {

// Zero entries go back to DecimalSI, as the quota controller's recount
// (which starts every tracked resource at a DecimalSI zero) would print them.
void ResetZeroFormats(ResourceList* list) {
  std::vector<std::string> zeros;
  for (const ResourceList::Entry& e : *list) {
    if (e.quantity.IsZero()) zeros.push_back(e.name);
  }
  for (const std::string& name : zeros) list->Set(name, Quantity());
}

bool SameScopes(const QuotaSpec& a, const QuotaSpec& b) {
  return a.scopes == b.scopes && a.scope_selector == b.scope_selector;
}

}  // namespace

const ResourceList& QuotaLedger::UsageOf(const Charge& c) {
  return c.terminal ? TerminalPodUsage() : c.facts->usage;
}

void QuotaLedger::EnsureFacts(Charge& c) {
  if (c.facts != nullptr || c.spec == nullptr) return;
  c.facts = std::make_shared<const PodQuotaFacts>(ComputePodQuotaFacts(*c.spec));
}

void QuotaLedger::Apply(Namespace& ns, const PodQuotaFacts& facts, const ResourceList& usage,
                        int sign) {
  for (auto& [name, q] : ns.quotas) {
    if (!q.enforced.has_value() || !PodMatchesQuotaScopes(facts, q.spec)) continue;
    if (sign > 0) {
      q.used.Add(usage);
    } else {
      q.used.Sub(usage);
      ResetZeroFormats(&q.used);
    }
  }
}

void QuotaLedger::Recount(Namespace& ns, Quota& quota) {
  quota.used.Clear();
  for (auto& [uid, c] : ns.charges) {
    EnsureFacts(c);
    if (c.facts == nullptr || !PodMatchesQuotaScopes(*c.facts, quota.spec)) continue;
    quota.used.Add(UsageOf(c));
  }
}

void QuotaLedger::UpsertQuota(std::string_view namespace_name, std::string_view name,
                              const QuotaSpec& spec) {
  absl::MutexLock lock(&mu_);
  Namespace& ns = namespaces_[std::string(namespace_name)];
  auto [it, inserted] = ns.quotas.try_emplace(std::string(name));
  Quota& q = it->second;
  if (!inserted && !SameScopes(q.spec, spec)) {
    // Another quota under the same name (re-created): count it afresh.
    q.enforced.reset();
    q.used.Clear();
  }
  q.spec = spec;
}

void QuotaLedger::RemoveQuota(std::string_view namespace_name, std::string_view name) {
  absl::MutexLock lock(&mu_);
  auto it = namespaces_.find(ToAbsl(namespace_name));
  if (it == namespaces_.end()) return;
  it->second.quotas.erase(std::string(name));
  if (it->second.quotas.empty() && it->second.charges.empty()) namespaces_.erase(it);
}

std::optional<ApiError> QuotaLedger::Check(Namespace& ns, const Pod& pod,
                                           const PodQuotaFacts& facts) {
  const std::string& pod_name = pod.meta().name;
  std::vector<std::pair<const std::string*, Quota*>> interesting;
  for (auto& [name, q] : ns.quotas) {
    if (!PodMatchesQuotaScopes(facts, q.spec)) continue;
    if (!q.enforced.has_value()) {
      const std::vector<std::string> restricted = PodQuotaResources(q.spec.hard);
      if (restricted.empty()) continue;
      ++q.refused;
      return Forbidden(
          "pods", pod_name,
          Cat("status unknown for quota: ", name, ", resources: ", absl::StrJoin(restricted, ",")));
    }
    const std::vector<std::string> restricted = PodQuotaResources(*q.enforced);
    if (restricted.empty()) continue;
    if (std::string err = QuotaConstraintError(facts, restricted); !err.empty()) {
      ++q.refused;
      return Forbidden("pods", pod_name, Cat("failed quota: ", name, ": ", err));
    }
    interesting.emplace_back(&name, &q);
  }
  for (auto& [name, q] : interesting) {
    ResourceList requested, used, limited;
    for (const ResourceList::Entry& hard : *q->enforced) {
      const Quantity* need = facts.usage.Find(hard.name);
      if (need == nullptr || need->IsZero()) continue;
      const Quantity now = q->used.Get(hard.name);
      if (now + *need > hard.quantity) {
        requested.Set(hard.name, *need);
        used.Set(hard.name, now);
        limited.Set(hard.name, hard.quantity);
      }
    }
    if (requested.empty()) continue;
    ++q->refused;
    return Forbidden("pods", pod_name,
                     Cat("exceeded quota: ", *name, ", requested: ", requested.ToString(),
                         ", used: ", used.ToString(), ", limited: ", limited.ToString()));
  }
  return std::nullopt;
}

std::optional<ApiError> QuotaLedger::AdmitPod(const Pod& pod) {
  const std::string& ns_name = pod.meta().namespace_name;
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = namespaces_.find(ns_name);
    // No quota: nothing to check (PodAdded counts the pod in case one comes).
    if (it == namespaces_.end() || it->second.quotas.empty()) return std::nullopt;
  }
  auto facts = std::make_shared<const PodQuotaFacts>(ComputePodQuotaFacts(pod));
  absl::MutexLock lock(&mu_);
  Namespace& ns = namespaces_[ns_name];
  if (std::optional<ApiError> err = Check(ns, pod, *facts)) {
    ++refused_;
    return err;
  }
  Charge& c = ns.charges[pod.meta().uid];
  c.facts = facts;
  Apply(ns, *facts, facts->usage, +1);
  return std::nullopt;
}

void QuotaLedger::Unreserve(std::string_view namespace_name, std::string_view uid) {
  absl::MutexLock lock(&mu_);
  auto ns = namespaces_.find(ToAbsl(namespace_name));
  if (ns == namespaces_.end()) return;
  auto it = ns->second.charges.find(ToAbsl(uid));
  if (it == ns->second.charges.end() || it->second.spec != nullptr) return;
  Apply(ns->second, *it->second.facts, UsageOf(it->second), -1);
  ns->second.charges.erase(it);
}

void QuotaLedger::PodAdded(const Pod& pod) {
  const ObjectMeta& meta = pod.meta();
  absl::MutexLock lock(&mu_);
  Namespace& ns = namespaces_[meta.namespace_name];
  auto [it, inserted] = ns.charges.try_emplace(meta.uid);
  Charge& c = it->second;
  c.spec = pod.shared_spec();
  if (!inserted || ns.quotas.empty()) return;  // reserved (charged) at admission, or no quota
  // Admitted while the namespace had no quota, which it has now.
  EnsureFacts(c);
  Apply(ns, *c.facts, c.facts->usage, +1);
}

void QuotaLedger::PodTerminal(std::string_view namespace_name, std::string_view uid) {
  absl::MutexLock lock(&mu_);
  auto ns = namespaces_.find(ToAbsl(namespace_name));
  if (ns == namespaces_.end()) return;
  auto it = ns->second.charges.find(ToAbsl(uid));
  if (it == ns->second.charges.end() || it->second.terminal) return;
  Charge& c = it->second;
  c.terminal = true;
  if (c.facts == nullptr) return;  // no quota has counted it
  ResourceList released = c.facts->usage;
  released.Erase("count/pods");
  Apply(ns->second, *c.facts, released, -1);
}

void QuotaLedger::PodDeleted(std::string_view namespace_name, std::string_view uid) {
  absl::MutexLock lock(&mu_);
  auto ns = namespaces_.find(ToAbsl(namespace_name));
  if (ns == namespaces_.end()) return;
  auto it = ns->second.charges.find(ToAbsl(uid));
  if (it == ns->second.charges.end()) return;
  if (it->second.facts != nullptr) Apply(ns->second, *it->second.facts, UsageOf(it->second), -1);
  ns->second.charges.erase(it);
  if (ns->second.quotas.empty() && ns->second.charges.empty()) namespaces_.erase(ns);
}

std::vector<QuotaLedger::QuotaStatusView> QuotaLedger::Sync() {
  absl::MutexLock lock(&mu_);
  for (auto& [ns_name, ns] : namespaces_) {
    for (auto& [name, q] : ns.quotas) {
      if (!q.enforced.has_value()) Recount(ns, q);
      q.enforced = q.spec.hard;
    }
  }
  return ViewsLocked();
}

std::vector<QuotaLedger::QuotaStatusView> QuotaLedger::Quotas() const {
  absl::ReaderMutexLock lock(&mu_);
  return ViewsLocked();
}

std::vector<QuotaLedger::QuotaStatusView> QuotaLedger::ViewsLocked() const {
  std::vector<QuotaStatusView> out;
  for (const auto& [ns_name, ns] : namespaces_) {
    for (const auto& [name, q] : ns.quotas) {
      QuotaStatusView v;
      v.namespace_name = ns_name;
      v.name = name;
      v.spec = q.spec;
      v.refused = q.refused;
      v.synced = q.enforced.has_value();
      if (v.synced) {
        v.hard = *q.enforced;
        for (const ResourceList::Entry& e : v.hard) v.used.Set(e.name, q.used.Get(e.name));
      }
      out.push_back(std::move(v));
    }
  }
  std::sort(out.begin(), out.end(), [](const QuotaStatusView& a, const QuotaStatusView& b) {
    return std::tie(a.namespace_name, a.name) < std::tie(b.namespace_name, b.name);
  });
  return out;
}

int64_t QuotaLedger::refused() const {
  absl::ReaderMutexLock lock(&mu_);
  return refused_;
}

}  // namespace sluice::kubesim
