#include "tools/sluicectl/intent_builder.h"

#include "absl/random/distributions.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"

namespace sluice::ctl {
namespace {

// Kubernetes' alphabet for generated name suffixes (no vowels, no 0/1/3).
constexpr absl::string_view kNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";
constexpr size_t kNameSuffixLength = 5;

std::string RandomSuffix(absl::BitGenRef random) {
  std::string suffix;
  for (size_t i = 0; i < kNameSuffixLength; ++i) {
    suffix += kNameAlphabet[absl::Uniform<size_t>(random, 0, kNameAlphabet.size())];
  }
  return suffix;
}

}  // namespace

v1::PodIntent BuildIntent(const PodManifest& pod, const IntentSettings& settings,
                          absl::BitGenRef random) {
  v1::PodIntent intent;
  if (!settings.namespace_flag.empty()) {
    intent.set_namespace_(settings.namespace_flag);
  } else if (!pod.pod_namespace.empty()) {
    intent.set_namespace_(pod.pod_namespace);
  } else {
    intent.set_namespace_("default");
  }
  if (!pod.name.empty()) {
    intent.set_name(pod.name);
  } else if (!pod.generate_name.empty()) {
    intent.set_name(pod.generate_name + RandomSuffix(random));
  }
  *intent.mutable_workflow() = settings.workflow;
  intent.set_priority(settings.priority);
  intent.mutable_cost_labels()->insert(settings.cost_labels.begin(), settings.cost_labels.end());
  intent.set_pod_json(pod.json);
  intent.set_capacity_policy(settings.policy);
  for (const std::string& pool : settings.allowed_pools) intent.add_allowed_pools(pool);
  return intent;
}

std::string NewWorkflowUid(absl::BitGenRef random) {
  const uint64_t high = absl::Uniform<uint64_t>(random);
  const uint64_t low = absl::Uniform<uint64_t>(random);
  // Version 4 in bits 48..51 of `high`, variant 10 in the top bits of `low`.
  const uint64_t h = (high & ~uint64_t{0xF000}) | uint64_t{0x4000};
  const uint64_t l = (low & ~(uint64_t{0x3} << 62)) | (uint64_t{0x2} << 62);
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", h >> 32, (h >> 16) & 0xFFFF, h & 0xFFFF,
                         l >> 48, l & 0xFFFFFFFFFFFF);
}

absl::StatusOr<v1::CapacityPolicy> ParsePolicy(const std::string& text) {
  const std::string word = absl::StrReplaceAll(absl::AsciiStrToUpper(text), {{"-", "_"}});
  if (word == "ON_DEMAND") return v1::CAPACITY_POLICY_ON_DEMAND;
  if (word == "SPOT_PREFERRED") return v1::CAPACITY_POLICY_SPOT_PREFERRED;
  if (word == "SPOT_ONLY") return v1::CAPACITY_POLICY_SPOT_ONLY;
  return absl::InvalidArgumentError(
      absl::StrCat("--policy '", text, "': must be on-demand, spot-preferred or spot-only"));
}

absl::StatusOr<std::map<std::string, std::string>> ParseCostLabels(
    const std::vector<std::string>& entries) {
  std::map<std::string, std::string> labels;
  for (const std::string& entry : entries) {
    const size_t eq = entry.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--cost-label '", entry, "': expected KEY=VALUE"));
    }
    if (!labels.emplace(entry.substr(0, eq), entry.substr(eq + 1)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("--cost-label '", entry.substr(0, eq), "' given twice"));
    }
  }
  return labels;
}

}  // namespace sluice::ctl
