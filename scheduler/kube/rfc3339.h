#ifndef SLUICE_SCHEDULER_KUBE_RFC3339_H_
#define SLUICE_SCHEDULER_KUBE_RFC3339_H_

#include <optional>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sluice::kube {

// Parses an RFC 3339 timestamp as Kubernetes writes them: `2024-05-01T12:00:00Z`, with an
// optional fraction of up to nine digits (`...:00.123456Z`, metav1.MicroTime) and a `Z` or
// `+hh:mm`/`-hh:mm` offset. Returns nullopt for anything else (including an empty string).
// Allocation-free; much faster than absl::ParseTime, which matters on the watch path.
std::optional<absl::Time> ParseRfc3339(absl::string_view text);

}  // namespace sluice::kube

#endif  // SLUICE_SCHEDULER_KUBE_RFC3339_H_
