#ifndef SLUICE_TOOLS_KUBESIM_RESOURCE_AMOUNTS_H_
#define SLUICE_TOOLS_KUBESIM_RESOURCE_AMOUNTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/btree_map.h"

namespace sluice::kubesim {

// Parses a Kubernetes quantity ("500m", "1.5Gi", "2e3", "128974848") into
// thousandths of the unit, rounding up like resource.Quantity.MilliValue()
// does for sub-milli precision, saturating at the int64 range. nullopt when
// the text is not a quantity.
std::optional<int64_t> ParseQuantityMilli(std::string_view text);

// Resource name -> amount in milli-units ("cpu" -> 1500 for 1.5 cores,
// "memory" -> bytes * 1000). Ordered, so that output is stable.
using ResourceAmounts = absl::btree_map<std::string, int64_t>;

// a[k] += b[k] for every k of b.
void AddAmounts(ResourceAmounts* a, const ResourceAmounts& b);
// a[k] = max(a[k], b[k]) for every k of b.
void MaxAmounts(ResourceAmounts* a, const ResourceAmounts& b);

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_RESOURCE_AMOUNTS_H_
