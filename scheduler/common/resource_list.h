#ifndef SLUICE_SCHEDULER_COMMON_RESOURCE_LIST_H_
#define SLUICE_SCHEDULER_COMMON_RESOURCE_LIST_H_

#include <cstddef>
#include <initializer_list>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "scheduler/common/quantity.h"

namespace sluice {

// A map from resource name ("cpu", "memory", "nvidia.com/gpu", "requests.cpu",
// "count/pods", ...) to Quantity, like Kubernetes' v1.ResourceList. Entries are
// kept sorted by name (byte order, as Go's sort.Strings) in a small inline
// vector, so lists of up to four entries copy without allocating a vector and
// iteration is in name order.
//
// Per-key arithmetic follows Kubernetes' quota helpers: a missing key reads as
// zero; Add and Sub insert missing keys; a zero entry takes the other
// operand's format. Add and Sub return false if any sum saturated (see
// Quantity::Add).
//
// A value type; not synchronized.
//
// Example:
//   ResourceList requests = *ResourceList::Parse("cpu=500m,memory=1Gi");
//   requests.Add("cpu", Quantity::FromMilli(500));
//   requests.ToString();  // "cpu=1,memory=1Gi"
class ResourceList {
 public:
  struct Entry {
    std::string name;
    Quantity quantity;
  };
  using Entries = absl::InlinedVector<Entry, 4>;
  using const_iterator = Entries::const_iterator;

  ResourceList() = default;
  // Later duplicates replace earlier ones.
  ResourceList(std::initializer_list<std::pair<absl::string_view, Quantity>> entries);

  // Parses the form ToString() prints and the APIServer uses in exceeded-quota
  // messages: "name=quantity" entries joined by ",", e.g.
  // "limits.memory=4Gi,requests.cpu=2". Whitespace around an entry is
  // ignored; the empty string is the empty list. Errors (InvalidArgument)
  // name the entry: an entry without '=', an empty name, a duplicate name, or
  // a quantity that does not parse.
  static absl::StatusOr<ResourceList> Parse(absl::string_view text);

  // The quantity for `name`, or zero (DecimalSI) if absent.
  Quantity Get(absl::string_view name) const;
  // The stored quantity, or nullptr if absent. Invalidated by any mutation.
  const Quantity* Find(absl::string_view name) const;
  bool Has(absl::string_view name) const { return Find(name) != nullptr; }

  void Set(absl::string_view name, const Quantity& quantity);
  // Returns whether `name` was present.
  bool Erase(absl::string_view name);
  void Clear() { entries_.clear(); }

  // this[name] += quantity (inserting a copy if absent).
  bool Add(absl::string_view name, const Quantity& quantity);
  // this[k] += other[k] for every key of other.
  bool Add(const ResourceList& other);
  // this[k] -= other[k] for every key of other (a missing key becomes -other[k]).
  bool Sub(const ResourceList& other);
  // this[k] = other[k] for every key of other that is missing here or greater
  // than here (the copy keeps other's format; on ties this list's entry stays).
  void MaxWith(const ResourceList& other);
  // Quantity::RoundUp on every entry; returns false if any value changed.
  bool RoundUp(int decimal_exponent);

  // True if Get(k) <= other.Get(k) for every key k of either list (missing
  // keys are zero on both sides).
  bool LessOrEqual(const ResourceList& other) const;
  // The names of `limits`' entries whose value here is greater than the
  // limit, in name order. Keys absent from `limits` are unconstrained, as in
  // Kubernetes' quota.LessThanOrEqual.
  std::vector<std::string> ExceedingKeys(const ResourceList& limits) const;
  // True if every entry is zero (or the list is empty).
  bool IsZero() const;

  // "cpu=1,memory=1Gi": names sorted, canonical quantities, no spaces, the form
  // of the APIServer's exceeded-quota messages. Empty for an empty list.
  std::string ToString() const;

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }

  // Same names with equal values (formats aside). {cpu: 0} != {}.
  friend bool operator==(const ResourceList& a, const ResourceList& b);

 private:
  // Up to this many entries, lookups scan instead of bisecting.
  static constexpr size_t kLinearSearchMax = 8;

  // Index of the first entry whose name is not less than `name`.
  size_t LowerBound(absl::string_view name) const;
  // Index of the entry named `name`, or size() if there is none.
  size_t IndexOf(absl::string_view name) const;
  Entry& FindOrInsert(absl::string_view name, bool* inserted);

  Entries entries_;
};

// Prints ToString() (for test failure messages).
std::ostream& operator<<(std::ostream& os, const ResourceList& list);

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_COMMON_RESOURCE_LIST_H_
