#include "scheduler/kube/pod_validation.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "scheduler/common/quantity.h"
#include "scheduler/common/quote.h"
#include "scheduler/kube/field_path.h"
#include "scheduler/kube/object_names.h"

namespace sluice::kube {
namespace {

// Kubernetes' TotalAnnotationSizeLimitB.
constexpr size_t kMaxAnnotationBytes = 256 * 1024;

std::string Quoted(absl::string_view s) { return QuoteForMessage(s); }

bool HasAsciiUpper(absl::string_view s) {
  for (const char c : s) {
    if (absl::ascii_isupper(static_cast<unsigned char>(c))) return true;
  }
  return false;
}

class PodValidator {
 public:
  PodValidator(const PodFields& pod, FieldError* error) : pod_(pod), error_(error) {}

  bool Validate() {
    const FieldPath root = FieldPath::Root();
    const FieldPath spec = root.Child("spec");
    return ValidateMetadata(root.Child("metadata")) && ValidateContainers(spec) &&
           ValidateSpecFields(spec);
  }

 private:
  bool Fail(const FieldPath& path, std::string reason) {
    error_->field = path.ToString();
    error_->reason = std::move(reason);
    return false;
  }

  bool ValidateMetadata(const FieldPath& path) {
    const PodManifestInfo& info = pod_.info;
    std::string e;
    if (!info.name.empty() && !(e = Dns1123SubdomainError(info.name)).empty()) {
      return Fail(path.Child("name"), InvalidValueReason(info.name, e));
    }
    if (!info.generate_name.empty() && !(e = GenerateNameError(info.generate_name)).empty()) {
      return Fail(path.Child("generateName"), InvalidValueReason(info.generate_name, e));
    }
    if (!info.namespace_name.empty() && !(e = Dns1123LabelError(info.namespace_name)).empty()) {
      return Fail(path.Child("namespace"), InvalidValueReason(info.namespace_name, e));
    }
    const FieldPath labels = path.Child("labels");
    for (const auto& [key, value] : info.labels) {
      if (!(e = QualifiedNameError(key)).empty()) return Fail(labels, InvalidValueReason(key, e));
      if (!(e = LabelValueError(value)).empty()) return Fail(labels, InvalidValueReason(value, e));
    }
    const FieldPath annotations = path.Child("annotations");
    size_t total_bytes = 0;
    for (const auto& [key, value] : info.annotations) {
      // Annotation keys are checked lower-cased; most already are.
      e = HasAsciiUpper(key) ? QualifiedNameError(absl::AsciiStrToLower(key))
                             : QualifiedNameError(key);
      if (!e.empty()) {
        return Fail(annotations, InvalidValueReason(key, e));
      }
      total_bytes += key.size() + value.size();
    }
    if (total_bytes > kMaxAnnotationBytes) {
      return Fail(annotations,
                  absl::StrCat("Too long: must have at most ", kMaxAnnotationBytes, " bytes"));
    }
    return true;
  }

  bool ValidateContainers(const FieldPath& spec) {
    const FieldPath containers = spec.Child("containers");
    if (pod_.containers.empty()) return Fail(containers, "Required value");
    ContainerNames names;
    for (size_t i = 0; i < pod_.containers.size(); ++i) {
      if (!ValidateContainer(pod_.containers[i], pod_.resources.containers[i], containers.Index(i),
                             &names)) {
        return false;
      }
    }
    const FieldPath init = spec.Child("initContainers");
    for (size_t i = 0; i < pod_.init_containers.size(); ++i) {
      if (!ValidateContainer(pod_.init_containers[i], pod_.resources.init_containers[i],
                             init.Index(i), &names)) {
        return false;
      }
    }
    return true;
  }

  // Names seen so far: a linear scan for the usual handful of containers, a
  // hash set past that.
  class ContainerNames {
   public:
    // False if `name` was already added.
    bool Add(absl::string_view name) {
      if (set_.empty()) {
        for (absl::string_view n : small_) {
          if (n == name) return false;
        }
        if (small_.size() < small_.capacity()) {
          small_.push_back(name);
          return true;
        }
        set_.insert(small_.begin(), small_.end());
      }
      return set_.insert(name).second;
    }

   private:
    absl::InlinedVector<absl::string_view, 16> small_;
    absl::flat_hash_set<absl::string_view> set_;
  };

  bool ValidateContainer(const ContainerFields& c, const ContainerResources& resources,
                         const FieldPath& path, ContainerNames* names) {
    const FieldPath name = path.Child("name");
    if (c.name.empty()) return Fail(name, "Required value");
    std::string e = Dns1123LabelError(c.name);
    if (!e.empty()) return Fail(name, InvalidValueReason(c.name, e));
    if (!names->Add(c.name)) {
      return Fail(name, absl::StrCat("Duplicate value: ", Quoted(c.name)));
    }
    const FieldPath image = path.Child("image");
    if (c.image.empty()) return Fail(image, "Required value");
    if (TrimGoSpace(c.image).size() != c.image.size()) {
      return Fail(image,
                  InvalidValueReason(c.image, "must not have leading or trailing whitespace"));
    }
    if (c.has_restart_policy && c.restart_policy != "Always" && c.restart_policy != "OnFailure" &&
        c.restart_policy != "Never") {
      // Stable Kubernetes allows only "Always" (sidecars) on init containers
      // and nothing on others; ContainerRestartRules (alpha) allows more, so
      // only values no version accepts are refused here.
      return Fail(path.Child("restartPolicy"),
                  absl::StrCat("Unsupported value: ", Quoted(c.restart_policy),
                               ": supported values: \"Always\", \"OnFailure\", \"Never\""));
    }
    return ValidateResources(resources.requests, resources.limits, path.Child("resources"));
  }

  // ValidateResourceRequirements.
  bool ValidateResources(const ResourceList& requests, const ResourceList& limits,
                         const FieldPath& path) {
    const FieldPath limits_path = path.Child("limits");
    const FieldPath requests_path = path.Child("requests");
    bool cpu_or_memory = false;
    bool hugepages = false;
    for (const ResourceList::Entry& e : limits) {
      if (!ValidateResourceValue(e.name, e.quantity, limits_path.Key(e.name))) return false;
      cpu_or_memory = cpu_or_memory || e.name == "cpu" || e.name == "memory";
      hugepages = hugepages || IsHugePagesResource(e.name);
    }
    for (const ResourceList::Entry& e : requests) {
      if (!ValidateResourceValue(e.name, e.quantity, requests_path.Key(e.name))) return false;
      const Quantity* limit = limits.Find(e.name);
      if (limit != nullptr) {
        if (!IsOvercommitAllowed(e.name) && e.quantity != *limit) {
          return Fail(
              requests_path,
              InvalidValueReason(e.quantity.String(), absl::StrCat("must be equal to ", e.name,
                                                                   " limit of ", limit->String())));
        }
        if (e.quantity > *limit) {
          return Fail(requests_path,
                      InvalidValueReason(e.quantity.String(),
                                         absl::StrCat("must be less than or equal to ", e.name,
                                                      " limit of ", limit->String())));
        }
      } else if (!IsOvercommitAllowed(e.name)) {
        return Fail(limits_path,
                    "Required value: Limit must be set for non overcommitable resources");
      }
      cpu_or_memory = cpu_or_memory || e.name == "cpu" || e.name == "memory";
      hugepages = hugepages || IsHugePagesResource(e.name);
    }
    if (hugepages && !cpu_or_memory) {
      return Fail(path, "Forbidden: HugePages require cpu or memory");
    }
    return true;
  }

  // Name and value of one resource: validateContainerResourceName,
  // ValidateResourceQuantityValue and the hugepages page-size rule.
  bool ValidateResourceValue(absl::string_view name, const Quantity& q, const FieldPath& path) {
    const std::string name_error = ContainerResourceNameError(name);
    if (!name_error.empty()) return Fail(path, InvalidValueReason(name, name_error));
    return ValidateQuantity(name, q, path);
  }

  bool ValidateQuantity(absl::string_view name, const Quantity& q, const FieldPath& path) {
    if (q.Sign() < 0) {
      return Fail(path, InvalidValueReason(q.String(), "must be greater than or equal to 0"));
    }
    if (IsExtendedResource(name) && q.MilliValue() % 1000 != 0) {
      return Fail(path, InvalidValueReason(q.String(), "must be an integer"));
    }
    if (IsHugePagesResource(name)) {
      absl::StatusOr<Quantity> page =
          Quantity::Parse(name.substr(absl::string_view("hugepages-").size()));
      const bool divisible = page.ok() && page->Sign() > 0 && page->MilliValue() % 1000 == 0 &&
                             q.Value() % page->Value() == 0;
      if (!divisible) {
        return Fail(path,
                    InvalidValueReason(
                        q.String(),
                        absl::StrCat(q.String(), " is not positive integer multiple of ", name)));
      }
    }
    return true;
  }

  bool ValidateSpecFields(const FieldPath& spec) {
    const PodManifestInfo& info = pod_.info;
    const std::string& policy = info.restart_policy;
    if (pod_.has_restart_policy && !policy.empty() && policy != "Always" && policy != "OnFailure" &&
        policy != "Never") {
      return Fail(spec.Child("restartPolicy"),
                  absl::StrCat("Unsupported value: ", Quoted(policy),
                               ": supported values: \"Always\", \"OnFailure\", \"Never\""));
    }
    std::string e;
    if (!info.node_name.empty() && !(e = Dns1123SubdomainError(info.node_name)).empty()) {
      return Fail(spec.Child("nodeName"), InvalidValueReason(info.node_name, e));
    }
    if (!info.priority_class_name.empty() &&
        !(e = Dns1123SubdomainError(info.priority_class_name)).empty()) {
      return Fail(spec.Child("priorityClassName"), InvalidValueReason(info.priority_class_name, e));
    }
    const FieldPath overhead = spec.Child("overhead");
    for (const ResourceList::Entry& entry : pod_.resources.overhead) {
      if (!ValidateResourceValue(entry.name, entry.quantity, overhead.Key(entry.name))) {
        return false;
      }
    }
    // Pod-level resources: syntax and signs only; which names a cluster
    // supports there depends on its feature gates.
    const FieldPath resources = spec.Child("resources");
    const FieldPath requests_path = resources.Child("requests");
    const FieldPath limits_path = resources.Child("limits");
    for (const ResourceList::Entry& entry : pod_.resources.pod_limits) {
      const std::string name_error = QualifiedNameError(entry.name);
      if (!name_error.empty())
        return Fail(limits_path.Key(entry.name), InvalidValueReason(entry.name, name_error));
      if (!ValidateQuantity(entry.name, entry.quantity, limits_path.Key(entry.name))) return false;
    }
    for (const ResourceList::Entry& entry : pod_.resources.pod_requests) {
      const std::string name_error = QualifiedNameError(entry.name);
      if (!name_error.empty())
        return Fail(requests_path.Key(entry.name), InvalidValueReason(entry.name, name_error));
      if (!ValidateQuantity(entry.name, entry.quantity, requests_path.Key(entry.name)))
        return false;
      const Quantity* limit = pod_.resources.pod_limits.Find(entry.name);
      if (limit != nullptr && entry.quantity > *limit) {
        return Fail(requests_path,
                    InvalidValueReason(entry.quantity.String(),
                                       absl::StrCat("must be less than or equal to ", entry.name,
                                                    " limit of ", limit->String())));
      }
    }
    return true;
  }

  const PodFields& pod_;
  FieldError* error_;
};

}  // namespace

void PodFields::Clear() {
  info = PodManifestInfo();
  has_restart_policy = false;
  containers.clear();
  init_containers.clear();
  resources.containers.clear();
  resources.init_containers.clear();
  resources.overhead.Clear();
  resources.has_pod_level = false;
  resources.pod_requests.Clear();
  resources.pod_limits.Clear();
}

bool ValidatePodFields(const PodFields& pod, FieldError* error) {
  return PodValidator(pod, error).Validate();
}

std::string InvalidValueReason(absl::string_view value, absl::string_view detail) {
  return absl::StrCat("Invalid value: ", QuoteForMessage(value), ": ", detail);
}

}  // namespace sluice::kube
