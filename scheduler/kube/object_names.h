#ifndef SLUICE_SCHEDULER_KUBE_OBJECT_NAMES_H_
#define SLUICE_SCHEDULER_KUBE_OBJECT_NAMES_H_

#include <string>

#include "absl/strings/string_view.h"

namespace sluice::kube {

// The syntax checks of k8s.io/apimachinery/pkg/util/validation, with the
// APIServer's wording. Each returns the first problem Kubernetes would report
// for `value`, or an empty string if the value is valid. Pure functions;
// thread-safe.

// RFC 1123 label, at most 63 characters: "[a-z0-9]([-a-z0-9]*[a-z0-9])?".
// Container names and namespaces.
std::string Dns1123LabelError(absl::string_view value);

// RFC 1123 subdomain, at most 253 characters: labels joined by ".". Pod
// names, node names, priority class names.
std::string Dns1123SubdomainError(absl::string_view value);

// A pod's metadata.generateName: a subdomain once a trailing '-' is allowed.
std::string GenerateNameError(absl::string_view value);

// Qualified name: an optional DNS-subdomain prefix and '/', then a name part
// of at most 63 characters matching "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]".
// Label keys, annotation keys (lower-cased first), resource names.
std::string QualifiedNameError(absl::string_view value);

// Label value: empty, or at most 63 characters matching the name-part syntax.
std::string LabelValueError(absl::string_view value);

// Go's strings.TrimSpace: strips leading and trailing Unicode white space
// (ASCII space and \t\n\v\f\r, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028,
// U+2029, U+202F, U+205F, U+3000) from UTF-8 text. Kubernetes trims quantities
// this way when decoding them.
absl::string_view TrimGoSpace(absl::string_view value);

}  // namespace sluice::kube

#endif  // SLUICE_SCHEDULER_KUBE_OBJECT_NAMES_H_
