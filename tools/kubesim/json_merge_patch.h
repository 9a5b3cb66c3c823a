#ifndef SLUICE_TOOLS_KUBESIM_JSON_MERGE_PATCH_H_
#define SLUICE_TOOLS_KUBESIM_JSON_MERGE_PATCH_H_

#include <optional>
#include <string>
#include <string_view>

namespace sluice::kubesim {

// Applies an RFC 7386 JSON merge patch to the JSON document `target`: object
// members of the patch replace (or, when null, remove) the target's, objects
// merge recursively, anything else replaces the target. Returns the patched
// document, or nullopt when either text is not valid JSON. Thread-safe.
//
// Example:
//   ApplyMergePatch(R"({"a":{"b":1,"c":2}})", R"({"a":{"b":null,"d":3}})")
//   // -> {"a":{"c":2,"d":3}}
std::optional<std::string> ApplyMergePatch(std::string_view target, std::string_view patch);

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_JSON_MERGE_PATCH_H_
