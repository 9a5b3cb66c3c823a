#ifndef SLUICE_TOOLS_KUBESIM_LABELS_H_
#define SLUICE_TOOLS_KUBESIM_LABELS_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::kubesim {

// A string map as Kubernetes serializes it (labels, annotations,
// nodeSelector): pairs sorted by key, keys unique. Go encodes maps with sorted
// keys, so keeping them sorted makes our output match the apiserver's.
using StringMap = std::vector<std::pair<std::string, std::string>>;

// Sorts by key and drops later duplicates.
void NormalizeStringMap(StringMap* map);

// The value for `key`, or nullptr. REQUIRES: `map` normalized.
const std::string* FindValue(const StringMap& map, std::string_view key);

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_LABELS_H_
