#ifndef SLUICE_SCHEDULER_KUBE_FILE_CONTENTS_H_
#define SLUICE_SCHEDULER_KUBE_FILE_CONTENTS_H_

#include <string>

#include "absl/status/statusor.h"

namespace sluice::kube {

// Reads a whole (small) file: kubeconfig, token, CA bundle. NotFound / PermissionDenied /
// Internal with the path and errno text; never the contents.
absl::StatusOr<std::string> ReadFileContents(const std::string& path);

}  // namespace sluice::kube

#endif  // SLUICE_SCHEDULER_KUBE_FILE_CONTENTS_H_
