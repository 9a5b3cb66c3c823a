#ifndef SLUICE_TOOLS_KUBESIM_POD_CREATE_H_
#define SLUICE_TOOLS_KUBESIM_POD_CREATE_H_

#include <memory>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "tools/kubesim/api_error.h"
#include "tools/kubesim/pod.h"

namespace sluice::kubesim {

struct ParsedPod {
  std::shared_ptr<Pod> pod;
  bool name_generated = false;  // from metadata.generateName
  // Validation failures; when not empty the create answers
  // Invalid("Pod", name, invalid) after mutating admission, and `pod` holds
  // only its metadata.
  std::vector<StatusCause> invalid;
};

// Builds the pod kube-apiserver would store for the body of
// POST /api/v1/namespaces/URL_NAMESPACE/pods:
// - 400 BadRequest for a body that is not a Pod or names another namespace;
// - name drawn from generateName when name is empty;
// - defaults (restartPolicy, dnsPolicy, schedulerName, terminationGracePeriodSeconds,
//   serviceAccountName, tolerations for not-ready/unreachable, container
//   terminationMessagePath/Policy, imagePullPolicy, requests copied from limits);
// - validation causes (for 422 Invalid) for a missing or malformed name, no
//   containers, a container without name or image, duplicate names;
// - uid, creationTimestamp, status {phase: Pending, qosClass} set, client
//   status ignored.
// The pod's resourceVersion is stamped later by the store. Thread-safe.
ApiOr<ParsedPod> ParsePodForCreate(std::string_view body, std::string_view url_namespace,
                                   absl::Time now);

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_POD_CREATE_H_
