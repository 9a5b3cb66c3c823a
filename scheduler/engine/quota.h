#ifndef SLUICE_SCHEDULER_ENGINE_QUOTA_H_
#define SLUICE_SCHEDULER_ENGINE_QUOTA_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "scheduler/common/resource_list.h"

namespace sluice {

// What decides which scoped quotas a pod falls under (Kubernetes'
// pkg/quota/v1/evaluator/core/pods.go podMatchesScopeFunc).
struct PodScopeFacts {
  // spec.activeDeadlineSeconds is set (scope Terminating; else NotTerminating).
  bool terminating = false;
  // No container requests or limits cpu or memory (QoS BestEffort).
  bool best_effort = false;
  std::string priority_class;  // spec.priorityClassName
  // spec.affinity has pod (anti-)affinity terms naming other namespaces.
  bool cross_namespace_affinity = false;
};

// A ResourceQuota as the informer reports it.
struct QuotaObservation {
  struct ScopeRequirement {
    std::string scope;  // e.g. PriorityClass
    std::string op;     // In, NotIn, Exists, DoesNotExist
    std::vector<std::string> values;
  };
  std::string pod_namespace;
  std::string name;
  ResourceList hard;  // spec.hard
  ResourceList used;  // status.used
  // status.hard is filled: the quota controller has counted usage at least once.
  bool status_known = false;
  std::vector<std::string> scopes;               // spec.scopes
  std::vector<ScopeRequirement> scope_selector;  // spec.scopeSelector.matchExpressions
  bool deleted = false;
};

// What a pod charges to quotas, keyed as quotas name resources: pods,
// count/pods, cpu and requests.cpu, memory and requests.memory,
// ephemeral-storage and requests.ephemeral-storage, limits.cpu,
// limits.memory, limits.ephemeral-storage, requests.<hugepages-*>,
// requests.<extended>. As Kubernetes' pod evaluator computes it.
ResourceList QuotaUsageOf(const ResourceList& requests, const ResourceList& limits);

// One quota with Sluice's own accounting beside the APIServer's.
//
// Headroom for a key = hard - max(status.used, Sluice's non-terminal pods) -
// Sluice's creates in flight. status.used lags (the quota controller recounts
// periodically) and misses creates in flight; Sluice's own count misses other
// writers: the maximum of the two plus in-flight is what the admission plugin
// will see when the create arrives.
class TrackedQuota {
 public:
  explicit TrackedQuota(const QuotaObservation& observation);

  void Update(const QuotaObservation& observation);

  const std::string& name() const { return name_; }
  const ResourceList& hard() const { return hard_; }
  const ResourceList& status_used() const { return status_used_; }
  const ResourceList& ours() const { return ours_; }
  const ResourceList& in_flight() const { return in_flight_; }
  bool status_known() const { return status_known_; }

  // Whether this quota charges a pod with these facts. Scopes Sluice cannot
  // evaluate count as matching (conservative) and are listed by
  // unevaluated_scopes().
  bool Applies(const PodScopeFacts& facts) const;
  const std::vector<std::string>& unevaluated_scopes() const { return unevaluated_; }

  // True if `usage` fits now. Otherwise, if `why` is set, writes the reason in
  // the APIServer's words (`exceeded quota: NAME, requested: K=V, used: K=V,
  // limited: K=V`, or `status unknown for quota: NAME`).
  bool Fits(const ResourceList& usage, std::string* why) const;

  // The limited keys and scopes: what Sluice's accounting depends on.
  std::string Shape() const;

  // The estimate of what is used now (max of status.used and ours, plus in flight).
  ResourceList EstimatedUsed() const;

  // Sluice's accounting: a create is sent, answered with a pod, or ends.
  void AddInFlight(const ResourceList& usage) { AddCharged(in_flight_, usage); }
  void RemoveInFlight(const ResourceList& usage) { SubCharged(in_flight_, usage); }
  void AddOurs(const ResourceList& usage) { AddCharged(ours_, usage); }
  void RemoveOurs(const ResourceList& usage) { SubCharged(ours_, usage); }
  void ResetAccounting();

  // A 403 exceeded-quota answer: the APIServer's `used` figures are fresher
  // than status.used; `limited` are its hard limits.
  void Correct(const ResourceList& used, const ResourceList& limited);

 private:
  // Adds only the keys this quota limits.
  void AddCharged(ResourceList& into, const ResourceList& usage) const;
  void SubCharged(ResourceList& from, const ResourceList& usage) const;

  std::string name_;
  ResourceList hard_;
  ResourceList status_used_;
  bool status_known_ = false;
  std::vector<std::string> scopes_;
  std::vector<QuotaObservation::ScopeRequirement> scope_selector_;
  std::vector<std::string> unevaluated_;
  ResourceList ours_;
  ResourceList in_flight_;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_ENGINE_QUOTA_H_
