#ifndef SLUICE_SCHEDULER_KUBE_POD_VALIDATION_H_
#define SLUICE_SCHEDULER_KUBE_POD_VALIDATION_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "scheduler/kube/pod_manifest.h"
#include "scheduler/kube/pod_resources.h"

namespace sluice::kube {

// A container's fields that validation checks besides its resources. The
// strings are views into the manifest being analyzed (or into the JSON
// parser's buffer for values with escapes): valid only while it is.
struct ContainerFields {
  absl::string_view name;
  absl::string_view image;
  bool has_restart_policy = false;  // restartPolicy is set (possibly to "")
  absl::string_view restart_policy;
};

// The parts of a pod manifest that PodManifestAnalyzer reads, as decoded
// (before defaulting).
struct PodFields {
  PodManifestInfo info;             // metadata and spec scalars; requests and limits unused here
  bool has_restart_policy = false;  // spec.restartPolicy is set
  std::vector<ContainerFields> containers;       // parallel to resources.containers
  std::vector<ContainerFields> init_containers;  // parallel to resources.init_containers
  PodResources resources;

  // Empties everything, keeping the vectors' capacity.
  void Clear();
};

// Checks a decoded pod whose resources went through ApplyApiServerDefaults
// the way the APIServer's ValidatePodCreate does, for the rules listed on
// PodManifestAnalyzer: metadata names, labels and annotations; containers
// present, named (DNS-1123 labels, unique across containers and init
// containers), with an image; restart policies; resource names and values
// (non-negative, requests within limits, integer extended resources,
// hugepages). Stops at the first problem and describes it in *error as the
// APIServer would. Thread-compatible.
bool ValidatePodFields(const PodFields& pod, FieldError* error);

// "Invalid value: \"<value>\": <detail>", the APIServer's field.Invalid text.
std::string InvalidValueReason(absl::string_view value, absl::string_view detail);

}  // namespace sluice::kube

#endif  // SLUICE_SCHEDULER_KUBE_POD_VALIDATION_H_
