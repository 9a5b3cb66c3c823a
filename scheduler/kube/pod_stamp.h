#ifndef SLUICE_SCHEDULER_KUBE_POD_STAMP_H_
#define SLUICE_SCHEDULER_KUBE_POD_STAMP_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sluice::kube {

// A pod toleration (spec.tolerations[]).
struct Toleration {
  std::string key;
  std::string op = "Equal";  // Equal or Exists
  std::string value;
  std::string effect;  // NoSchedule, PreferNoSchedule, NoExecute, or empty for all
};

// What Sluice writes onto a pod before creating it.
struct PodStamp {
  std::string name;
  std::string pod_namespace;
  // Set (overwriting values of the same keys).
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<std::pair<std::string, std::string>> annotations;
  std::vector<std::pair<std::string, std::string>> node_selector;
  // Appended to spec.tolerations.
  std::vector<Toleration> tolerations;
};

// Returns the manifest with `stamp` applied: kind/apiVersion defaulted to
// Pod/v1, metadata.name and metadata.namespace set, labels, annotations and
// nodeSelector merged, tolerations appended. Everything else is kept as it
// was. REQUIRES: `manifest` is a JSON object (intake validated it).
//
// Thread-safe.
absl::StatusOr<std::string> StampPodManifest(absl::string_view manifest, const PodStamp& stamp);

}  // namespace sluice::kube

#endif  // SLUICE_SCHEDULER_KUBE_POD_STAMP_H_
