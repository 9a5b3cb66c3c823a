#ifndef SLUICE_SCHEDULER_KUBE_POD_MANIFEST_H_
#define SLUICE_SCHEDULER_KUBE_POD_MANIFEST_H_

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "scheduler/common/resource_list.h"

namespace sluice::kube {

// Why a manifest was rejected, split as the APIServer's field errors are.
struct FieldError {
  // Path from the manifest root in Kubernetes' notation, e.g.
  // "spec.containers[1].resources.requests[cpu]", "metadata.labels". Empty
  // when the whole document is at fault (not JSON, too large).
  std::string field;
  // What is wrong, worded as the APIServer words it, e.g. "Required value",
  // "Invalid value: \"-1\": must be greater than or equal to 0",
  // "Duplicate value: \"main\"".
  std::string reason;

  // "field: reason" (just the reason when field is empty), the form of one
  // cause in a 422 message.
  std::string ToString() const;
};

// What Sluice needs from a pod manifest.
struct PodManifestInfo {
  std::string name, namespace_name, generate_name;  // metadata; empty when absent
  // metadata.labels and metadata.annotations, sorted by key (a key repeated
  // in the JSON keeps its last value, as Go's decoder does).
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<std::pair<std::string, std::string>> annotations;
  // The pod's effective requests and limits as Kubernetes computes them
  // (component-helpers resource.PodRequests / PodLimits) on the pod the
  // APIServer would store: see PodManifestAnalyzer.
  ResourceList requests;
  ResourceList limits;
  int containers = 0, init_containers = 0;
  std::string node_name, priority_class_name, restart_policy;  // spec; empty when absent
};

struct PodManifestOptions {
  // Larger manifests are rejected; the APIServer refuses request bodies over
  // 3 MiB by default.
  size_t max_manifest_bytes = 3 * 1024 * 1024;
  // Honour pod-level resources (spec.resources; PodLevelResources is beta and
  // enabled by default since Kubernetes 1.34). Set false for clusters that
  // drop the field: then only containers and overhead count.
  bool pod_level_resources = true;
};

// Validates a pod manifest (Kubernetes JSON) and extracts what Sluice needs.
//
// Resources are computed on the pod as the APIServer would store it (the
// functions are in pod_resources.h, the checks in pod_validation.h):
// - per container (and init container), every limit without a request
//   becomes the request (SetDefaults_Pod);
// - pod-level requests and limits are defaulted from the containers
//   (defaultHugePagePodLimits, defaultPodRequests, defaultPodLimits);
// - every quantity is rounded up to milli-units (SetDefaults_ResourceList:
//   "0.1m" cpu counts as 1m);
// - requests = max(sum over containers and restartable init containers
//   ("sidecars", restartPolicy Always), each init container plus the
//   sidecars started before it), then pod-level requests replace cpu, memory
//   and hugepages-*, then spec.overhead is added. Limits likewise, with the
//   overhead added only to non-zero limits.
//
// It rejects what the APIServer would surely reject (422 or 400) and what
// Sluice cannot queue: not a JSON object (the whole document is validated,
// including fields Sluice does not read), kind other than Pod, apiVersion
// other than v1, malformed metadata (name, generateName, namespace, label
// keys and values, annotation keys, annotations over 256 KiB), no
// spec.containers, a container without a valid unique name or an image,
// unknown restartPolicy values, invalid resource names, quantities that do
// not parse, negative quantities, requests above limits, non-integer extended
// resources, and hugepages rules. Unknown fields are ignored, as the
// APIServer ignores them. Only the first problem found is reported.
//
// Thread safety: an analyzer owns a reusable simdjson parser and buffers and
// must be used by one thread at a time; keep one per thread (or use
// AnalyzePodManifest below). Analyze never throws and never crashes on any
// input; nesting deeper than 64 levels is rejected.
//
// Example:
//   PodManifestAnalyzer analyzer;
//   FieldError error;
//   absl::StatusOr<PodManifestInfo> info = analyzer.Analyze(json, &error);
//   if (!info.ok()) return Reject(error.field, error.reason);
//   Admit(info->requests);  // e.g. cpu=1100m,memory=1088Mi
class PodManifestAnalyzer {
 public:
  explicit PodManifestAnalyzer(PodManifestOptions options = {});
  ~PodManifestAnalyzer();
  PodManifestAnalyzer(const PodManifestAnalyzer&) = delete;
  PodManifestAnalyzer& operator=(const PodManifestAnalyzer&) = delete;

  // On a rejection returns InvalidArgument with FieldError::ToString() as the
  // message and, if `error` is not null, fills *error.
  absl::StatusOr<PodManifestInfo> Analyze(absl::string_view manifest_json,
                                          FieldError* error = nullptr);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Analyze with a thread-local PodManifestAnalyzer using default options.
// Thread-safe.
absl::StatusOr<PodManifestInfo> AnalyzePodManifest(absl::string_view manifest_json,
                                                   FieldError* error = nullptr);

}  // namespace sluice::kube

#endif  // SLUICE_SCHEDULER_KUBE_POD_MANIFEST_H_
