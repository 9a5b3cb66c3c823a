#ifndef SLUICE_TOOLS_SLUICECTL_INTENT_BUILDER_H_
#define SLUICE_TOOLS_SLUICECTL_INTENT_BUILDER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/random/bit_gen_ref.h"
#include "absl/status/statusor.h"
#include "sluice/v1/scheduler.pb.h"
#include "tools/sluicectl/manifest_reader.h"

namespace sluice::ctl {

// What `sluicectl submit` sets on every intent besides the pod itself.
struct IntentSettings {
  // -n: the namespace of every intent (a manifest naming another one is then
  // rejected by sluiced). Empty: each manifest's own, else "default".
  std::string namespace_flag;
  v1::WorkflowRef workflow;
  int32_t priority = 0;
  v1::CapacityPolicy policy = v1::CAPACITY_POLICY_UNSPECIFIED;
  std::map<std::string, std::string> cost_labels;
  std::vector<std::string> allowed_pools;
};

// The intent for one pod. Its name is the manifest's metadata.name; without
// one, metadata.generateName plus five random characters as Kubernetes would
// pick them; without either, empty (sluiced rejects it, naming the field).
v1::PodIntent BuildIntent(const PodManifest& pod, const IntentSettings& settings,
                          absl::BitGenRef random);

// A random RFC 4122 version 4 UUID, for a workflow given only a name.
std::string NewWorkflowUid(absl::BitGenRef random);

// Parses `--policy`: on-demand, spot-preferred, spot-only, in any case and
// with '-' or '_' (ON_DEMAND as in sluiced's configuration).
absl::StatusOr<v1::CapacityPolicy> ParsePolicy(const std::string& text);

// Parses repeated `--cost-label key=value`. InvalidArgument for an entry
// without '=' or with an empty key, or a key given twice.
absl::StatusOr<std::map<std::string, std::string>> ParseCostLabels(
    const std::vector<std::string>& entries);

}  // namespace sluice::ctl

#endif  // SLUICE_TOOLS_SLUICECTL_INTENT_BUILDER_H_
