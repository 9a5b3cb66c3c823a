#ifndef SLUICE_TOOLS_KUBESIM_DISCOVERY_H_
#define SLUICE_TOOLS_KUBESIM_DISCOVERY_H_

#include <string>
#include <string_view>
#include <vector>

#include "tools/kubesim/object_store.h"

namespace sluice::kubesim {

// The simulated server's version (GET /version).
inline constexpr std::string_view kServerGitVersion = "v1.30.0-kubesim";

// Discovery documents, enough for kubectl and client-go (legacy,
// non-aggregated discovery: clients asking for the aggregated form fall back
// to these when the Content-Type says plain JSON).
std::string VersionJson();
// GET /api: APIVersions; `server_address` is "host:port".
std::string ApiVersionsJson(std::string_view server_address);
// GET /apis: an empty APIGroupList (only the core group is served).
std::string ApiGroupListJson();
// GET /api/v1: APIResourceList of the registered resources.
std::string ApiResourceListJson(const std::vector<const ResourceInfo*>& resources);

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_DISCOVERY_H_
