#ifndef SLUICE_TOOLS_KUBESIM_TABLE_H_
#define SLUICE_TOOLS_KUBESIM_TABLE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "tools/kubesim/api_object.h"
#include "tools/kubesim/object_store.h"

namespace sluice::kubesim {

// True when an Accept header asks for server-side printing
// ("application/json;as=Table;v=v1;g=meta.k8s.io,...", as kubectl get sends).
bool WantsTable(std::string_view accept);

// A meta.k8s.io/v1 Table of `items` with the columns kube-apiserver prints
// for the kind (pods: Name, Ready, Status, Restarts, Age, then IP, Node,
// Nominated Node, Readiness Gates at priority 1; namespaces: Name, Status,
// Age; nodes: Name, Status, Roles, Age, Version). Each row carries the full
// object, so kubectl can print the namespace column of `-A`.
// `with_columns` false leaves columnDefinitions empty (watch events after the
// first, as kube-apiserver sends them).
std::string TableJson(const ResourceInfo& resource,
                      const std::vector<std::shared_ptr<const ApiObject>>& items, uint64_t rv,
                      std::string_view continue_token, absl::Time now, bool with_columns = true);

// What kubectl shows in the STATUS column of a pod.
std::string PodStatusText(const ApiObject& pod);

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_TABLE_H_
