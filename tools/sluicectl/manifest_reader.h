#ifndef SLUICE_TOOLS_SLUICECTL_MANIFEST_READER_H_
#define SLUICE_TOOLS_SLUICECTL_MANIFEST_READER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sluice::ctl {

// One pod read from a manifest file, ready to become an intent.
struct PodManifest {
  // Where it came from, for messages: "pods.yaml: document 2, items[3]".
  std::string source;
  // metadata.namespace, metadata.name and metadata.generateName as written
  // (each may be empty).
  std::string pod_namespace;
  std::string name;
  std::string generate_name;
  // The pod as compact JSON (the intent's pod_json).
  std::string json;
};

// Reads pods from the text of a YAML or JSON file (JSON is read as YAML).
// Accepted shapes, mixed freely across the documents of a multi-document
// YAML stream (`---`): a Pod (`kind: Pod`, or no kind), a List or PodList
// (`kind: List`, pods in `items`), a top-level sequence of pods. Empty
// documents are skipped.
//
// InvalidArgument with `source_name`, the line and what is wrong for a YAML
// syntax error, a document of another kind ("document 2: kind Deployment:
// only pods can be submitted"), a pod that is not a map, or a value JSON
// cannot hold. Nothing else about the pod is checked here: sluiced validates
// every intent and answers for each.
absl::StatusOr<std::vector<PodManifest>> ReadPodManifests(absl::string_view text,
                                                          absl::string_view source_name);

// The same for a file; "-" reads standard input. NotFound if it cannot be read.
absl::StatusOr<std::vector<PodManifest>> ReadPodManifestFile(const std::string& path);

}  // namespace sluice::ctl

#endif  // SLUICE_TOOLS_SLUICECTL_MANIFEST_READER_H_
