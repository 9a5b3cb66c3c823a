#include "scheduler/kube/pod_resources.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "scheduler/kube/object_names.h"

namespace sluice::kube {
namespace {

constexpr int kMilli = -3;

// Resource names are short: a plain loop beats an out-of-line find.
bool HasSlash(absl::string_view name) {
  for (const char c : name) {
    if (c == '/') return true;
  }
  return false;
}

// The names nearly every pod uses; all valid container resources.
bool IsCommonContainerResource(absl::string_view name) {
  return name == "cpu" || name == "memory" || name == "ephemeral-storage";
}

bool IsStandardResource(absl::string_view name) {
  static constexpr absl::string_view kStandard[] = {
      "cpu",
      "memory",
      "ephemeral-storage",
      "requests.cpu",
      "requests.memory",
      "requests.ephemeral-storage",
      "limits.cpu",
      "limits.memory",
      "limits.ephemeral-storage",
      "pods",
      "resourcequotas",
      "services",
      "replicationcontrollers",
      "secrets",
      "persistentvolumeclaims",
      "configmaps",
      "services.nodeports",
      "services.loadbalancers",
      "requests.storage",
  };
  for (absl::string_view s : kStandard) {
    if (name == s) return true;
  }
  return IsHugePagesResource(name) || absl::StartsWith(name, "requests.hugepages-");
}

bool IsStandardContainerResource(absl::string_view name) {
  return name == "cpu" || name == "memory" || name == "ephemeral-storage" ||
         IsHugePagesResource(name);
}

bool HasPodLevelResource(const ResourceList& list) {
  for (const ResourceList::Entry& e : list) {
    if (IsPodLevelResource(e.name)) return true;
  }
  return false;
}

const ResourceList& Side(const ContainerResources& c, bool limits) {
  return limits ? c.limits : c.requests;
}

// aggregateContainerResourcesByFn over requests or limits: max(sum of
// containers and sidecars, each init container plus the sidecars before it).
ResourceList AggregateContainers(const PodResources& pod, bool limits, bool* exact) {
  ResourceList result;
  for (const ContainerResources& c : pod.containers) {
    *exact = result.Add(Side(c, limits)) && *exact;
  }
  ResourceList sidecars;
  ResourceList init_max;
  for (const ContainerResources& c : pod.init_containers) {
    const ResourceList& own = Side(c, limits);
    if (c.restartable) {
      *exact = result.Add(own) && *exact;
      *exact = sidecars.Add(own) && *exact;
      init_max.MaxWith(sidecars);
    } else if (sidecars.empty()) {
      init_max.MaxWith(own);  // the usual case: no sidecar before it
    } else {
      ResourceList combined = own;
      *exact = combined.Add(sidecars) && *exact;
      init_max.MaxWith(combined);
    }
  }
  result.MaxWith(init_max);
  return result;
}

bool AllContainersHaveLimit(const PodResources& pod, absl::string_view name) {
  for (const ContainerResources& c : pod.init_containers) {
    if (!c.limits.Has(name)) return false;
  }
  for (const ContainerResources& c : pod.containers) {
    if (!c.limits.Has(name)) return false;
  }
  return true;
}

void DefaultRequestsFromLimits(ContainerResources* c) {
  for (const ResourceList::Entry& e : c->limits) {
    if (!c->requests.Has(e.name)) c->requests.Set(e.name, e.quantity);
  }
}

// defaultHugePagePodLimits, defaultPodRequests and defaultPodLimits, in the
// APIServer's order, on container values not yet rounded.
void DefaultPodLevelResources(PodResources* pod) {
  bool exact = true;  // sums of parsed values; saturation is caught later
  if (!pod->pod_limits.empty() || !pod->pod_requests.empty()) {
    const ResourceList container_limits = AggregateContainers(*pod, /*limits=*/true, &exact);
    for (const ResourceList::Entry& e : container_limits) {
      if (IsHugePagesResource(e.name) && !pod->pod_requests.Has(e.name) &&
          !pod->pod_limits.Has(e.name)) {
        pod->pod_limits.Set(e.name, e.quantity);
      }
    }
  }
  if (!pod->pod_limits.empty()) {
    const ResourceList container_requests = AggregateContainers(*pod, /*limits=*/false, &exact);
    for (const ResourceList::Entry& e : container_requests) {
      if (!pod->pod_requests.Has(e.name) && IsPodLevelResource(e.name) &&
          IsOvercommitAllowed(e.name)) {
        pod->pod_requests.Set(e.name, e.quantity);
      }
    }
    for (const ResourceList::Entry& e : pod->pod_limits) {
      if (!pod->pod_requests.Has(e.name) && IsPodLevelResource(e.name)) {
        pod->pod_requests.Set(e.name, e.quantity);
      }
    }
  }
  if (!HasPodLevelResource(pod->pod_limits) && HasPodLevelResource(pod->pod_requests)) {
    const ResourceList container_limits = AggregateContainers(*pod, /*limits=*/true, &exact);
    for (const ResourceList::Entry& e : container_limits) {
      if (!pod->pod_limits.Has(e.name) && IsPodLevelResource(e.name) &&
          IsOvercommitAllowed(e.name) && AllContainersHaveLimit(*pod, e.name)) {
        pod->pod_limits.Set(e.name, e.quantity);
      }
    }
  }
}

}  // namespace

void ApplyApiServerDefaults(bool pod_level_resources, PodResources* pod) {
  for (ContainerResources& c : pod->containers) DefaultRequestsFromLimits(&c);
  for (ContainerResources& c : pod->init_containers) DefaultRequestsFromLimits(&c);
  if (pod_level_resources && pod->has_pod_level) DefaultPodLevelResources(pod);
  for (ContainerResources& c : pod->containers) {
    c.requests.RoundUp(kMilli);
    c.limits.RoundUp(kMilli);
  }
  for (ContainerResources& c : pod->init_containers) {
    c.requests.RoundUp(kMilli);
    c.limits.RoundUp(kMilli);
  }
  pod->overhead.RoundUp(kMilli);
  pod->pod_requests.RoundUp(kMilli);
  pod->pod_limits.RoundUp(kMilli);
}

bool ComputePodRequests(const PodResources& pod, bool pod_level_resources, ResourceList* out) {
  bool exact = true;
  *out = AggregateContainers(pod, /*limits=*/false, &exact);
  if (pod_level_resources && pod.has_pod_level && HasPodLevelResource(pod.pod_requests)) {
    for (const ResourceList::Entry& e : pod.pod_requests) {
      if (IsPodLevelResource(e.name)) out->Set(e.name, e.quantity);
    }
  }
  return out->Add(pod.overhead) && exact;
}

bool ComputePodLimits(const PodResources& pod, bool pod_level_resources, ResourceList* out) {
  bool exact = true;
  *out = AggregateContainers(pod, /*limits=*/true, &exact);
  if (pod_level_resources && pod.has_pod_level &&
      (HasPodLevelResource(pod.pod_requests) || HasPodLevelResource(pod.pod_limits))) {
    for (const ResourceList::Entry& e : pod.pod_limits) {
      if (IsPodLevelResource(e.name)) out->Set(e.name, e.quantity);
    }
  }
  for (const ResourceList::Entry& e : pod.overhead) {
    const Quantity* limit = out->Find(e.name);
    if (limit != nullptr && !limit->IsZero()) exact = out->Add(e.name, e.quantity) && exact;
  }
  return exact;
}

bool IsHugePagesResource(absl::string_view name) { return absl::StartsWith(name, "hugepages-"); }

bool IsNativeResource(absl::string_view name) {
  return !HasSlash(name) || absl::StrContains(name, "kubernetes.io/");
}

bool IsOvercommitAllowed(absl::string_view name) {
  return IsNativeResource(name) && !IsHugePagesResource(name);
}

bool IsExtendedResource(absl::string_view name) {
  if (IsNativeResource(name) || absl::StartsWith(name, "requests.")) return false;
  // It must still be a qualified name once quota prefixes it.
  return QualifiedNameError(absl::StrCat("requests.", name)).empty();
}

bool IsPodLevelResource(absl::string_view name) {
  return name == "cpu" || name == "memory" || IsHugePagesResource(name);
}

std::string ContainerResourceNameError(absl::string_view name) {
  if (IsCommonContainerResource(name)) return "";
  std::string error = QualifiedNameError(name);
  if (!error.empty()) return error;
  if (!HasSlash(name)) {
    if (!IsStandardResource(name)) return "must be a standard resource type or fully qualified";
    if (!IsStandardContainerResource(name)) return "must be a standard resource for containers";
  } else if (!IsNativeResource(name) && !IsExtendedResource(name)) {
    return "doesn't follow extended resource name standard";
  }
  return "";
}

}  // namespace sluice::kube
