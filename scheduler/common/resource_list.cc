#include "scheduler/common/resource_list.h"

#include <cstring>
#include <ostream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "scheduler/common/quote.h"

namespace sluice {

ResourceList::ResourceList(std::initializer_list<std::pair<absl::string_view, Quantity>> entries) {
  for (const auto& [name, quantity] : entries) Set(name, quantity);
}

absl::StatusOr<ResourceList> ResourceList::Parse(absl::string_view text) {
  ResourceList list;
  if (absl::StripAsciiWhitespace(text).empty()) return list;
  size_t index = 0;
  while (true) {
    ++index;
    const size_t comma = text.find(',');
    const absl::string_view entry = absl::StripAsciiWhitespace(text.substr(0, comma));
    const size_t eq = entry.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("resource list entry ", index, " ",
                                                     QuoteForMessage(entry), ": missing '='"));
    }
    const absl::string_view name = entry.substr(0, eq);
    if (name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("resource list entry ", index, " ", QuoteForMessage(entry), ": empty name"));
    }
    absl::StatusOr<Quantity> quantity = Quantity::Parse(entry.substr(eq + 1));
    if (!quantity.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("resource list entry ", index, " ",
                                                     QuoteForMessage(entry), ": ",
                                                     quantity.status().message()));
    }
    bool inserted = false;
    list.FindOrInsert(name, &inserted).quantity = *quantity;
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat("resource list entry ", index, " ",
                                                     QuoteForMessage(entry), ": duplicate name"));
    }
    if (comma == absl::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return list;
}

size_t ResourceList::LowerBound(absl::string_view name) const {
  size_t lo = 0;
  size_t hi = entries_.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (absl::string_view(entries_[mid].name) < name) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

ResourceList::Entry& ResourceList::FindOrInsert(absl::string_view name, bool* inserted) {
  // Names usually arrive in order (Go encodes maps sorted; sums walk sorted
  // lists): appending skips the search and InlinedVector's general insert.
  if (entries_.empty() || absl::string_view(entries_.back().name) < name) {
    *inserted = true;
    return entries_.emplace_back(Entry{std::string(name), Quantity()});
  }
  if (const size_t found = IndexOf(name); found < entries_.size()) {
    *inserted = false;
    return entries_[found];
  }
  const size_t i = LowerBound(name);
  *inserted = true;
  return *entries_.insert(entries_.begin() + static_cast<std::ptrdiff_t>(i),
                          Entry{std::string(name), Quantity()});
}

size_t ResourceList::IndexOf(absl::string_view name) const {
  // Lists are short (a pod's hold one to four entries): compare lengths, then
  // bytes, entry by entry, rather than ordering strings in a binary search.
  const size_t n = entries_.size();
  if (n <= kLinearSearchMax) {
    for (size_t i = 0; i < n; ++i) {
      const std::string& e = entries_[i].name;
      if (e.size() == name.size() &&
          (name.empty() || std::memcmp(e.data(), name.data(), name.size()) == 0)) {
        return i;
      }
    }
    return n;
  }
  const size_t i = LowerBound(name);
  return i < n && entries_[i].name == name ? i : n;
}

const Quantity* ResourceList::Find(absl::string_view name) const {
  const size_t i = IndexOf(name);
  return i < entries_.size() ? &entries_[i].quantity : nullptr;
}

Quantity ResourceList::Get(absl::string_view name) const {
  const Quantity* q = Find(name);
  return q != nullptr ? *q : Quantity();
}

void ResourceList::Set(absl::string_view name, const Quantity& quantity) {
  bool inserted = false;
  FindOrInsert(name, &inserted).quantity = quantity;
}

bool ResourceList::Erase(absl::string_view name) {
  const size_t i = LowerBound(name);
  if (i < entries_.size() && entries_[i].name == name) {
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(i));
    return true;
  }
  return false;
}

bool ResourceList::Add(absl::string_view name, const Quantity& quantity) {
  bool inserted = false;
  Entry& entry = FindOrInsert(name, &inserted);
  if (inserted) {
    entry.quantity = quantity;
    return true;
  }
  return entry.quantity.Add(quantity);
}

bool ResourceList::Add(const ResourceList& other) {
  bool exact = true;
  for (const Entry& e : other.entries_) exact = Add(e.name, e.quantity) && exact;
  return exact;
}

bool ResourceList::Sub(const ResourceList& other) {
  bool exact = true;
  for (const Entry& e : other.entries_) {
    bool inserted = false;
    Entry& entry = FindOrInsert(e.name, &inserted);
    exact = entry.quantity.Sub(e.quantity) && exact;
  }
  return exact;
}

void ResourceList::MaxWith(const ResourceList& other) {
  for (const Entry& e : other.entries_) {
    bool inserted = false;
    Entry& entry = FindOrInsert(e.name, &inserted);
    if (inserted || e.quantity.Cmp(entry.quantity) > 0) entry.quantity = e.quantity;
  }
}

bool ResourceList::RoundUp(int decimal_exponent) {
  bool exact = true;
  for (Entry& e : entries_) exact = e.quantity.RoundUp(decimal_exponent) && exact;
  return exact;
}

bool ResourceList::LessOrEqual(const ResourceList& other) const {
  for (const Entry& e : entries_) {
    if (e.quantity > other.Get(e.name)) return false;
  }
  for (const Entry& e : other.entries_) {
    if (Get(e.name) > e.quantity) return false;
  }
  return true;
}

std::vector<std::string> ResourceList::ExceedingKeys(const ResourceList& limits) const {
  std::vector<std::string> keys;
  for (const Entry& limit : limits.entries_) {
    const Quantity* used = Find(limit.name);
    if (used != nullptr && *used > limit.quantity) keys.push_back(limit.name);
  }
  return keys;
}

bool ResourceList::IsZero() const {
  for (const Entry& e : entries_) {
    if (!e.quantity.IsZero()) return false;
  }
  return true;
}

std::string ResourceList::ToString() const {
  std::string out;
  for (const Entry& e : entries_) {
    if (!out.empty()) out.push_back(',');
    absl::StrAppend(&out, e.name, "=", e.quantity.String());
  }
  return out;
}

bool operator==(const ResourceList& a, const ResourceList& b) {
  if (a.entries_.size() != b.entries_.size()) return false;
  for (size_t i = 0; i < a.entries_.size(); ++i) {
    if (a.entries_[i].name != b.entries_[i].name) return false;
    if (a.entries_[i].quantity != b.entries_[i].quantity) return false;
  }
  return true;
}

std::ostream& operator<<(std::ostream& os, const ResourceList& list) {
  return os << "{" << list.ToString() << "}";
}

}  // namespace sluice
