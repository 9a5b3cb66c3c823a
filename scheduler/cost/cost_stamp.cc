#include "scheduler/cost/cost_stamp.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "scheduler/kube/object_names.h"

namespace sluice::cost {
namespace {

constexpr absl::string_view kWorkflowUidLabel = "sluice.dev/workflow";

int64_t ReadInt(absl::string_view value) {
  int64_t v = 0;
  if (!absl::SimpleAtoi(value, &v) || v < 0) return 0;
  return v;
}

}  // namespace

LabelList CostStampLabels(absl::string_view workflow_name, absl::string_view workflow_namespace,
                          const LabelList& cost_labels, const ResourceList& requests) {
  LabelList out;
  if (!workflow_name.empty() && kube::LabelValueError(workflow_name).empty()) {
    out.emplace_back(kWorkflowNameLabel, std::string(workflow_name));
  }
  if (!workflow_namespace.empty() && kube::LabelValueError(workflow_namespace).empty()) {
    out.emplace_back(kWorkflowNamespaceLabel, std::string(workflow_namespace));
  }
  const BilledResources billed = BilledResources::Of(requests);
  out.emplace_back(kBilledVcpuLabel, absl::StrCat(billed.vcpu_milli));
  out.emplace_back(kBilledMemoryLabel, absl::StrCat(billed.memory_bytes));
  out.emplace_back(kBilledGpuLabel, absl::StrCat(billed.gpu_milli));
  for (const auto& [key, value] : cost_labels) {
    if (absl::StrContains(key, '/')) continue;
    out.emplace_back(absl::StrCat(kCostLabelPrefix, key), value);
  }
  return out;
}

StampedFacts ReadCostStamp(const LabelList& pod_labels,
                           const std::vector<std::string>& label_keys) {
  StampedFacts facts;
  LabelList from_intent;
  LabelList from_pod;
  for (const auto& [key, value] : pod_labels) {
    if (key == kWorkflowUidLabel) {
      facts.workflow_uid = value;
    } else if (key == kWorkflowNameLabel) {
      facts.workflow_name = value;
    } else if (key == kWorkflowNamespaceLabel) {
      facts.workflow_namespace = value;
    } else if (key == kBilledVcpuLabel) {
      facts.billed.vcpu_milli = ReadInt(value);
    } else if (key == kBilledMemoryLabel) {
      facts.billed.memory_bytes = ReadInt(value);
    } else if (key == kBilledGpuLabel) {
      facts.billed.gpu_milli = ReadInt(value);
    } else if (absl::StartsWith(key, kCostLabelPrefix)) {
      from_intent.emplace_back(key.substr(sizeof(kCostLabelPrefix) - 1), value);
    }
    if (std::find(label_keys.begin(), label_keys.end(), key) != label_keys.end()) {
      from_pod.emplace_back(key, value);
    }
  }
  // Pod labels first so that a stable sort + unique keeps them.
  facts.cost_labels = std::move(from_pod);
  facts.cost_labels.insert(facts.cost_labels.end(), from_intent.begin(), from_intent.end());
  std::stable_sort(facts.cost_labels.begin(), facts.cost_labels.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  facts.cost_labels.erase(
      std::unique(facts.cost_labels.begin(), facts.cost_labels.end(),
                  [](const auto& a, const auto& b) { return a.first == b.first; }),
      facts.cost_labels.end());
  return facts;
}

}  // namespace sluice::cost
