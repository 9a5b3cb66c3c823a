#include "tools/kubesim/labels.h"

#include <algorithm>

namespace sluice::kubesim {

void NormalizeStringMap(StringMap* map) {
  std::stable_sort(map->begin(), map->end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  map->erase(std::unique(map->begin(), map->end(),
                         [](const auto& a, const auto& b) { return a.first == b.first; }),
             map->end());
}

const std::string* FindValue(const StringMap& map, std::string_view key) {
  auto it = std::lower_bound(map.begin(), map.end(), key,
                             [](const auto& entry, std::string_view k) { return entry.first < k; });
  if (it == map.end() || it->first != key) return nullptr;
  return &it->second;
}

}  // namespace sluice::kubesim
