#ifndef SLUICE_TOOLS_LOADGEN_CLUSTER_PODS_H_
#define SLUICE_TOOLS_LOADGEN_CLUSTER_PODS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sluice::loadgen {

// The pods an APIServer holds, as "namespace/name", read through its REST API.
struct PodListing {
  std::vector<std::string> keys;  // in the server's order (one entry per object)
  int pages = 0;
};

// LIST /api/v1/pods across namespaces, `page_size` objects per page, following
// `continue` tokens to the end. `label_selector` and `field_selector` may be
// empty. For kubesim (or any APIServer reachable without credentials over
// plain HTTP).
absl::StatusOr<PodListing> ListPods(const std::string& base_url, const std::string& label_selector,
                                    int page_size = 500, const std::string& field_selector = "");

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_CLUSTER_PODS_H_
