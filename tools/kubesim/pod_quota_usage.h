#ifndef SLUICE_TOOLS_KUBESIM_POD_QUOTA_USAGE_H_
#define SLUICE_TOOLS_KUBESIM_POD_QUOTA_USAGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "scheduler/common/resource_list.h"
#include "tools/kubesim/pod.h"
#include "tools/kubesim/resource_quota_object.h"

namespace sluice::kubesim {

// What ResourceQuota admission and the quota controller read of one pod, as
// Kubernetes' pod quota evaluator does (pkg/quota/v1/evaluator/core/pods.go).
// A value type; computed once per pod and shared read-only.
struct PodQuotaFacts {
  // PodUsageFunc of a pod that is not terminal: pods=1 and count/pods=1;
  // cpu and requests.cpu, memory and requests.memory, ephemeral-storage and
  // requests.ephemeral-storage from the pod's requests (max(sum of containers
  // and sidecars, each init container) + overhead); limits.cpu,
  // limits.memory, limits.ephemeral-storage from its limits; hugepages-X and
  // requests.hugepages-X; requests.<extended> (e.g. requests.nvidia.com/gpu).
  ResourceList usage;
  // Containers then init containers: which of the quota keys that require an
  // explicit value (cpu, memory, requests.*, limits.* of both) each one's own
  // requests and limits provide, as a bit set over kConstrainedKeys.
  struct Container {
    std::string name;
    uint8_t keys = 0;
  };
  std::vector<Container> containers;
  // Scope facts.
  bool best_effort = false;  // QoS class BestEffort
  bool terminating = false;  // spec.activeDeadlineSeconds >= 0
  std::string priority_class;
  bool cross_namespace_affinity = false;
};

// The keys that force every container to state a value when a quota limits
// them (the evaluator's validationSet), in sorted order.
inline constexpr const char* kConstrainedKeys[] = {"cpu",    "limits.cpu",   "limits.memory",
                                                   "memory", "requests.cpu", "requests.memory"};

// Reads the facts from a pod's stored (defaulted) spec. Thread-safe.
PodQuotaFacts ComputePodQuotaFacts(const PodSpecInfo& spec);
inline PodQuotaFacts ComputePodQuotaFacts(const Pod& pod) {
  return ComputePodQuotaFacts(pod.spec());
}

// The usage of a terminal pod: count/pods=1 only (its compute resources are
// released; the object still exists).
const ResourceList& TerminalPodUsage();

// podEvaluator.MatchingResources: the names of `hard` that pods consume, in
// name order.
std::vector<std::string> PodQuotaResources(const ResourceList& hard);

// podEvaluator.Constraints for the quota-restricted names `restricted`:
// empty when satisfied, else `must specify limits.cpu for: a,b; memory for:
// c` (resources sorted, container names sorted).
std::string QuotaConstraintError(const PodQuotaFacts& facts,
                                 const std::vector<std::string>& restricted);

// Whether the pod falls under a quota's spec.scopes and spec.scopeSelector
// (every one must match; no scopes matches every pod).
bool PodMatchesQuotaScopes(const PodQuotaFacts& facts, const QuotaSpec& spec);

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_POD_QUOTA_USAGE_H_
