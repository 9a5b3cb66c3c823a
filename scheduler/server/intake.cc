#include "scheduler/server/intake.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "scheduler/common/quote.h"
#include "scheduler/kube/object_names.h"
#include "scheduler/kube/pod_manifest.h"

namespace sluice {
namespace {

constexpr absl::string_view kReservedPrefix = "sluice.dev/";

bool Reject(Rejection* rejection, std::string field, std::string reason) {
  rejection->field = std::move(field);
  rejection->reason = std::move(reason);
  return false;
}

// The analyzer keeps a reusable parser; one per intake thread.
kube::PodManifestAnalyzer& ThreadAnalyzer() {
  thread_local kube::PodManifestAnalyzer analyzer;
  return analyzer;
}

bool CheckIdentity(const v1::PodIntent& in, const IntakeLimits& limits, Rejection* rejection) {
  if (in.namespace_().empty()) return Reject(rejection, "namespace", "required");
  if (std::string e = kube::Dns1123LabelError(in.namespace_()); !e.empty()) {
    return Reject(rejection, "namespace", e);
  }
  if (!limits.allowed_namespaces.empty() && !limits.allowed_namespaces.contains(in.namespace_())) {
    return Reject(rejection, "namespace",
                  absl::StrCat(QuoteForMessage(in.namespace_()),
                               " is not in the namespaces this Sluice may create pods in"));
  }
  if (in.name().empty()) return Reject(rejection, "name", "required");
  if (std::string e = kube::Dns1123SubdomainError(in.name()); !e.empty()) {
    return Reject(rejection, "name", e);
  }
  const v1::WorkflowRef& wf = in.workflow();
  if (wf.uid().empty()) return Reject(rejection, "workflow.uid", "required");
  // Sluice stamps the uid on the pod as a label value.
  if (std::string e = kube::LabelValueError(wf.uid()); !e.empty()) {
    return Reject(rejection, "workflow.uid", e);
  }
  if (wf.name().size() > 253) {
    return Reject(rejection, "workflow.name", "must be no more than 253 characters");
  }
  if (!wf.namespace_().empty()) {
    if (std::string e = kube::Dns1123LabelError(wf.namespace_()); !e.empty()) {
      return Reject(rejection, "workflow.namespace", e);
    }
  }
  if (static_cast<size_t>(in.cost_labels_size()) > limits.max_cost_labels) {
    return Reject(rejection, "cost_labels",
                  absl::StrCat(in.cost_labels_size(), " labels exceed the limit of ",
                               limits.max_cost_labels));
  }
  for (const auto& [key, value] : in.cost_labels()) {
    const std::string field = absl::StrCat("cost_labels[", key, "]");
    if (std::string e = kube::QualifiedNameError(key); !e.empty()) {
      return Reject(rejection, field, absl::StrCat("key ", QuoteForMessage(key), ": ", e));
    }
    if (std::string e = kube::LabelValueError(value); !e.empty()) {
      return Reject(rejection, field, e);
    }
  }
  for (int i = 0; i < in.allowed_pools_size(); ++i) {
    if (!limits.pool_names.contains(in.allowed_pools(i))) {
      return Reject(rejection, absl::StrCat("allowed_pools[", i, "]"),
                    absl::StrCat(QuoteForMessage(in.allowed_pools(i)),
                                 limits.pool_names.empty()
                                     ? " names a pool, but this Sluice has no capacity pools"
                                     : " is not a configured pool"));
    }
  }
  return true;
}

bool CheckManifest(const v1::PodIntent& in, const kube::PodManifestInfo& pod,
                   Rejection* rejection) {
  if (!pod.name.empty() && pod.name != in.name()) {
    return Reject(rejection, "pod_json.metadata.name",
                  absl::StrCat("must equal the intent's name ", QuoteForMessage(in.name()),
                               " or be omitted, not ", QuoteForMessage(pod.name)));
  }
  if (!pod.namespace_name.empty() && pod.namespace_name != in.namespace_()) {
    return Reject(
        rejection, "pod_json.metadata.namespace",
        absl::StrCat("must equal the intent's namespace ", QuoteForMessage(in.namespace_()),
                     " or be omitted, not ", QuoteForMessage(pod.namespace_name)));
  }
  if (!pod.generate_name.empty()) {
    return Reject(rejection, "pod_json.metadata.generateName",
                  "not supported: the intent's name is the pod's name (Sluice needs "
                  "deterministic names to create each pod exactly once)");
  }
  for (const auto& [key, value] : pod.labels) {
    if (absl::StartsWith(key, kReservedPrefix)) {
      return Reject(rejection, absl::StrCat("pod_json.metadata.labels[", key, "]"),
                    "labels under sluice.dev/ are reserved for Sluice");
    }
  }
  for (const auto& [key, value] : pod.annotations) {
    if (absl::StartsWith(key, kReservedPrefix)) {
      return Reject(rejection, absl::StrCat("pod_json.metadata.annotations[", key, "]"),
                    "annotations under sluice.dev/ are reserved for Sluice");
    }
  }
  return true;
}

}  // namespace

IntentIntake::IntentIntake(IntakeLimits limits)
    : limits_(std::make_shared<const IntakeLimits>(std::move(limits))) {}

void IntentIntake::SetLimits(IntakeLimits limits) {
  auto fresh = std::make_shared<const IntakeLimits>(std::move(limits));
  absl::MutexLock lock(&mu_);
  limits_ = std::move(fresh);
}

std::shared_ptr<const IntakeLimits> IntentIntake::limits() const {
  absl::MutexLock lock(&mu_);
  return limits_;
}

std::unique_ptr<Intent> IntentIntake::Convert(const IntakeLimits& limits, v1::PodIntent& in,
                                              Rejection* rejection) const {
  if (!CheckIdentity(in, limits, rejection)) return nullptr;
  if (in.pod_json().empty()) {
    Reject(rejection, "pod_json", "required: the pod as Kubernetes JSON");
    return nullptr;
  }
  if (in.pod_json().size() > limits.max_manifest_bytes) {
    Reject(rejection, "pod_json",
           absl::StrCat(in.pod_json().size(), " bytes exceed the limit of ",
                        limits.max_manifest_bytes, " bytes"));
    return nullptr;
  }
  kube::FieldError error;
  absl::StatusOr<kube::PodManifestInfo> pod = ThreadAnalyzer().Analyze(in.pod_json(), &error);
  if (!pod.ok()) {
    Reject(rejection, error.field.empty() ? "pod_json" : absl::StrCat("pod_json.", error.field),
           error.reason);
    return nullptr;
  }
  if (!CheckManifest(in, *pod, rejection)) return nullptr;

  IntentSpec spec;
  spec.SetKey(in.namespace_(), in.name());
  spec.workflow_uid = in.workflow().uid();
  spec.workflow_name = in.workflow().name();
  spec.workflow_namespace = in.workflow().namespace_();
  spec.priority = in.priority();
  spec.cost_labels.reserve(static_cast<size_t>(in.cost_labels_size()));
  for (const auto& [key, value] : in.cost_labels()) spec.cost_labels.emplace_back(key, value);
  std::sort(spec.cost_labels.begin(), spec.cost_labels.end());
  spec.scope_facts.priority_class = pod->priority_class_name;
  spec.scope_facts.best_effort = !pod->requests.Has("cpu") && !pod->requests.Has("memory") &&
                                 !pod->limits.Has("cpu") && !pod->limits.Has("memory");
  switch (in.capacity_policy()) {
    case v1::CAPACITY_POLICY_ON_DEMAND:
      spec.capacity_policy = CapacityPolicy::kOnDemand;
      break;
    case v1::CAPACITY_POLICY_SPOT_PREFERRED:
      spec.capacity_policy = CapacityPolicy::kSpotPreferred;
      break;
    case v1::CAPACITY_POLICY_SPOT_ONLY:
      spec.capacity_policy = CapacityPolicy::kSpotOnly;
      break;
    default:
      spec.capacity_policy = CapacityPolicy::kDefault;
      break;
  }
  spec.allowed_pools.assign(in.allowed_pools().begin(), in.allowed_pools().end());
  spec.requests = std::move(pod->requests);
  spec.limits = std::move(pod->limits);
  spec.manifest = std::move(*in.mutable_pod_json());
  return std::make_unique<Intent>(std::move(spec));
}

}  // namespace sluice
