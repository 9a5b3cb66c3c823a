#ifndef SLUICE_TOOLS_KUBESIM_TIME_FORMAT_H_
#define SLUICE_TOOLS_KUBESIM_TIME_FORMAT_H_

#include <string>

#include "absl/time/time.h"

namespace sluice::kubesim {

// "2006-01-02T15:04:05Z": the second-precision UTC form Kubernetes uses for
// metav1.Time fields (creationTimestamp, startedAt, lastTransitionTime...).
std::string FormatRfc3339(absl::Time t);

// Go's time.RFC3339Nano in UTC: fraction with trailing zeros removed
// ("2006-01-02T15:04:05.999999999Z").
std::string FormatRfc3339Nanos(absl::Time t);

// A Kubernetes-style age ("45s", "3m12s", "5h", "2d3h") as kubectl prints it.
std::string HumanDuration(absl::Duration d);

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_TIME_FORMAT_H_
