#ifndef SLUICE_SCHEDULER_KUBE_POD_RESOURCES_H_
#define SLUICE_SCHEDULER_KUBE_POD_RESOURCES_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "scheduler/common/resource_list.h"

namespace sluice::kube {

// A pod's resources as Kubernetes computes them: the defaulting the
// APIServer applies to a new pod (pkg/apis/core/v1/defaults.go) and the
// effective requests and limits (k8s.io/component-helpers/resource
// PodRequests / PodLimits) that the scheduler, the kubelet and the
// ResourceQuota admission use. Pure functions on values; thread-compatible.

// One container's resources as written in the pod spec.
struct ContainerResources {
  ResourceList requests;
  ResourceList limits;
  // An init container with restartPolicy Always (a sidecar): it keeps
  // running beside the regular containers.
  bool restartable = false;
};

// The resource-bearing parts of a pod spec.
struct PodResources {
  std::vector<ContainerResources> containers;       // spec.containers
  std::vector<ContainerResources> init_containers;  // spec.initContainers, in order
  ResourceList overhead;                            // spec.overhead
  bool has_pod_level = false;                       // spec.resources is set
  ResourceList pod_requests;                        // spec.resources.requests
  ResourceList pod_limits;                          // spec.resources.limits
};

// Applies what the APIServer does to a new pod before storing it:
// - every container limit without a request becomes the request
//   (SetDefaults_Pod);
// - if `pod_level_resources` (the PodLevelResources feature) and spec.resources
//   is set: defaultHugePagePodLimits, defaultPodRequests, defaultPodLimits;
// - every quantity is rounded up to milli-units (SetDefaults_ResourceList).
void ApplyApiServerDefaults(bool pod_level_resources, PodResources* pod);

// resource.PodRequests on a defaulted pod: max(sum of containers and
// sidecars, each init container plus the sidecars declared before it); then,
// if `pod_level_resources` and spec.resources.requests names cpu, memory or
// hugepages-*, those pod-level values replace the aggregate; then
// spec.overhead is added. Returns false if a sum saturated (see
// Quantity::Add).
bool ComputePodRequests(const PodResources& pod, bool pod_level_resources, ResourceList* out);

// resource.PodLimits: the same aggregation over limits, pod-level limits
// replacing cpu, memory and hugepages-* when pod-level resources are set, and
// the overhead added only to limits that are present and non-zero.
bool ComputePodLimits(const PodResources& pod, bool pod_level_resources, ResourceList* out);

// Resource-name predicates of pkg/apis/core/helper.
bool IsHugePagesResource(absl::string_view name);  // "hugepages-<size>"
bool IsNativeResource(absl::string_view name);     // no '/', or a kubernetes.io/ name
bool IsOvercommitAllowed(absl::string_view name);  // native and not hugepages
bool IsExtendedResource(absl::string_view name);   // e.g. "nvidia.com/gpu"
bool IsPodLevelResource(absl::string_view name);   // cpu, memory, hugepages-*

// validateContainerResourceName: the first problem Kubernetes reports for a
// container (or overhead) resource name, or "" if it is valid.
std::string ContainerResourceNameError(absl::string_view name);

}  // namespace sluice::kube

#endif  // SLUICE_SCHEDULER_KUBE_POD_RESOURCES_H_
