#ifndef SLUICE_SCHEDULER_COST_COST_STAMP_H_
#define SLUICE_SCHEDULER_COST_COST_STAMP_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "scheduler/common/resource_list.h"
#include "scheduler/cost/billing.h"

namespace sluice::cost {

// What the cost ledger needs of a pod that is not in the pod itself, stamped
// on it as labels when Sluice creates it, so that a restarted Sluice (which
// has forgotten the intent) can still write the pod's row from a LIST:
//   sluice.dev/workflow-name, sluice.dev/workflow-namespace  (when they are
//       valid label values, i.e. at most 63 characters)
//   sluice.dev/billed-vcpu-milli, sluice.dev/billed-memory-bytes,
//   sluice.dev/billed-gpu-milli  (the requests billed, as integers)
//   cost.sluice.dev/KEY = VALUE  for each intent cost label whose key has no
//       prefix (a key with '/' cannot be nested under the cost prefix)
// The workflow uid is sluice.dev/workflow, stamped already.
inline constexpr char kWorkflowNameLabel[] = "sluice.dev/workflow-name";
inline constexpr char kWorkflowNamespaceLabel[] = "sluice.dev/workflow-namespace";
inline constexpr char kBilledVcpuLabel[] = "sluice.dev/billed-vcpu-milli";
inline constexpr char kBilledMemoryLabel[] = "sluice.dev/billed-memory-bytes";
inline constexpr char kBilledGpuLabel[] = "sluice.dev/billed-gpu-milli";
inline constexpr char kCostLabelPrefix[] = "cost.sluice.dev/";

using LabelList = std::vector<std::pair<std::string, std::string>>;

// The labels above for a pod. Thread-compatible, pure.
LabelList CostStampLabels(absl::string_view workflow_name, absl::string_view workflow_namespace,
                          const LabelList& cost_labels, const ResourceList& requests);

// What a pod's labels say: the stamp read back, and the cost labels (the
// stamped intent labels and the values of `label_keys` on the pod; a pod
// label wins over an intent label of the same key), sorted by key.
struct StampedFacts {
  std::string workflow_uid;
  std::string workflow_name;
  std::string workflow_namespace;
  BilledResources billed;
  LabelList cost_labels;
};
StampedFacts ReadCostStamp(const LabelList& pod_labels, const std::vector<std::string>& label_keys);

}  // namespace sluice::cost

#endif  // SLUICE_SCHEDULER_COST_COST_STAMP_H_
