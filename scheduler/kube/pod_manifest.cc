#include "scheduler/kube/pod_manifest.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "scheduler/common/quantity.h"
#include "scheduler/common/quote.h"
#include "scheduler/kube/object_names.h"
#include "simdjson.h"

namespace sluice::kube {
namespace {

namespace od = simdjson::ondemand;

// Deeper documents are rejected; a pod is about a dozen levels deep.
constexpr int kMaxDepth = 64;
// Kubernetes' TotalAnnotationSizeLimitB.
constexpr size_t kMaxAnnotationBytes = 256 * 1024;

absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// ---------------------------------------------------------------------------
// Field paths, built on the stack and printed only when something is wrong.

class Path {
 public:
  static Path Root() { return Path(nullptr, Kind::kRoot, {}, 0); }
  Path Child(std::string_view name) const { return Path(this, Kind::kChild, name, 0); }
  Path Index(size_t index) const { return Path(this, Kind::kIndex, {}, index); }
  Path Key(std::string_view key) const { return Path(this, Kind::kKey, key, 0); }

  int depth() const { return depth_; }

  // Kubernetes' field.Path notation: a.b[2].c[key].
  std::string ToString() const {
    absl::InlinedVector<const Path*, 16> chain;
    for (const Path* p = this; p != nullptr && p->kind_ != Kind::kRoot; p = p->parent_) {
      chain.push_back(p);
    }
    std::string out;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      const Path& p = **it;
      switch (p.kind_) {
        case Kind::kChild:
          if (!out.empty()) out.push_back('.');
          out.append(p.name_.data(), p.name_.size());
          break;
        case Kind::kIndex:
          absl::StrAppend(&out, "[", p.index_, "]");
          break;
        case Kind::kKey:
          absl::StrAppend(&out, "[", ToAbsl(p.name_), "]");
          break;
        case Kind::kRoot:
          break;
      }
    }
    return out;
  }

 private:
  enum class Kind { kRoot, kChild, kIndex, kKey };
  Path(const Path* parent, Kind kind, std::string_view name, size_t index)
      : parent_(parent),
        kind_(kind),
        name_(name),
        index_(index),
        depth_(parent == nullptr ? 0 : parent->depth_ + 1) {}

  const Path* parent_;
  Kind kind_;
  std::string_view name_;
  size_t index_;
  int depth_;
};

// ---------------------------------------------------------------------------
// Small text helpers.

const char* TypeName(od::json_type type) {
  switch (type) {
    case od::json_type::array:
      return "array";
    case od::json_type::object:
      return "object";
    case od::json_type::number:
      return "number";
    case od::json_type::string:
      return "string";
    case od::json_type::boolean:
      return "boolean";
    case od::json_type::null:
      return "null";
  }
  return "value";
}

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view TrimJsonSpaceRight(std::string_view s) {
  while (!s.empty() && IsJsonSpace(s.back())) s.remove_suffix(1);
  return s;
}

// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  const auto digits = [&] {
    const size_t start = i;
    while (i < n && absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) ++i;
    return i > start;
  };
  if (i < n && s[i] == '-') ++i;
  if (i < n && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == n;
}

// Length of the Unicode white space (as Go's unicode.IsSpace) at the start of
// s, or 0.
size_t LeadingSpaceLength(std::string_view s) {
  if (s.empty()) return 0;
  const auto b = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const uint8_t c = b(0);
  if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
  if (s.size() >= 2 && c == 0xC2 && (b(1) == 0x85 || b(1) == 0xA0)) return 2;
  if (s.size() >= 3) {
    const uint32_t cp =
        (static_cast<uint32_t>(c) << 16) | (static_cast<uint32_t>(b(1)) << 8) | b(2);
    if (cp == 0xE19A80 || (cp >= 0xE28080 && cp <= 0xE2808A) || cp == 0xE280A8 || cp == 0xE280A9 ||
        cp == 0xE280AF || cp == 0xE2819F || cp == 0xE38080) {
      return 3;
    }
  }
  return 0;
}

size_t TrailingSpaceLength(std::string_view s) {
  for (size_t len = 1; len <= 3 && len <= s.size(); ++len) {
    if (LeadingSpaceLength(s.substr(s.size() - len)) == len) return len;
  }
  return 0;
}

// Go's strings.TrimSpace.
std::string_view TrimGoSpace(std::string_view s) {
  for (size_t n = LeadingSpaceLength(s); n > 0; n = LeadingSpaceLength(s)) s.remove_prefix(n);
  for (size_t n = TrailingSpaceLength(s); n > 0; n = TrailingSpaceLength(s)) s.remove_suffix(n);
  return s;
}

std::string Quoted(std::string_view s) { return QuoteForMessage(ToAbsl(s)); }

std::string InvalidValue(std::string_view value, std::string_view detail) {
  return absl::StrCat("Invalid value: ", Quoted(value), ": ", ToAbsl(detail));
}

// ---------------------------------------------------------------------------
// Resource names (pkg/apis/core/helper and validation).

constexpr std::string_view kHugePagesPrefix = "hugepages-";

bool IsHugePages(std::string_view name) {
  return name.substr(0, kHugePagesPrefix.size()) == kHugePagesPrefix;
}

bool IsNativeResource(std::string_view name) {
  return name.find('/') == std::string_view::npos ||
         name.find("kubernetes.io/") != std::string_view::npos;
}

bool IsOvercommitAllowed(std::string_view name) {
  return IsNativeResource(name) && !IsHugePages(name);
}

bool IsExtendedResource(std::string_view name) {
  if (IsNativeResource(name) || name.substr(0, 9) == "requests.") return false;
  return QualifiedNameError(absl::StrCat("requests.", ToAbsl(name))).empty();
}

bool IsStandardResource(std::string_view name) {
  static constexpr std::string_view kStandard[] = {
      "cpu",
      "memory",
      "ephemeral-storage",
      "requests.cpu",
      "requests.memory",
      "requests.ephemeral-storage",
      "limits.cpu",
      "limits.memory",
      "limits.ephemeral-storage",
      "pods",
      "resourcequotas",
      "services",
      "replicationcontrollers",
      "secrets",
      "persistentvolumeclaims",
      "configmaps",
      "services.nodeports",
      "services.loadbalancers",
      "requests.storage",
  };
  for (std::string_view s : kStandard) {
    if (name == s) return true;
  }
  return IsHugePages(name) || name.substr(0, 19) == "requests.hugepages-";
}

bool IsStandardContainerResource(std::string_view name) {
  return name == "cpu" || name == "memory" || name == "ephemeral-storage" || IsHugePages(name);
}

// validateContainerResourceName: the first problem, or "".
std::string ContainerResourceNameError(std::string_view name) {
  std::string error = QualifiedNameError(ToAbsl(name));
  if (!error.empty()) return error;
  if (name.find('/') == std::string_view::npos) {
    if (!IsStandardResource(name)) return "must be a standard resource type or fully qualified";
    if (!IsStandardContainerResource(name)) return "must be a standard resource for containers";
  } else if (!IsNativeResource(name) && !IsExtendedResource(name)) {
    return "doesn't follow extended resource name standard";
  }
  return "";
}

bool IsPodLevelResource(std::string_view name) {
  return name == "cpu" || name == "memory" || IsHugePages(name);
}

bool HasPodLevelResource(const ResourceList& list) {
  for (const ResourceList::Entry& e : list) {
    if (IsPodLevelResource(e.name)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// The manifest as read, before defaulting.

struct ContainerSpec {
  std::string name;
  std::string image;
  bool has_restart_policy = false;
  std::string restart_policy;
  ResourceList requests;
  ResourceList limits;

  bool restartable() const { return has_restart_policy && restart_policy == "Always"; }
  const ResourceList& resources(bool limits_side) const { return limits_side ? limits : requests; }
};

struct PodSpec {
  PodManifestInfo info;
  bool has_containers = false;
  std::vector<ContainerSpec> containers;
  std::vector<ContainerSpec> init_containers;
  ResourceList overhead;
  bool has_pod_resources = false;
  ResourceList pod_requests;
  ResourceList pod_limits;
  bool has_restart_policy = false;

  void Clear() {
    info = PodManifestInfo();
    has_containers = false;
    containers.clear();
    init_containers.clear();
    overhead.Clear();
    has_pod_resources = false;
    pod_requests.Clear();
    pod_limits.Clear();
    has_restart_policy = false;
  }
};

// Kubernetes' aggregateContainerResourcesByFn over spec requests or limits:
// max(sum of containers and sidecars, each init container plus the sidecars
// before it).
ResourceList AggregateContainers(const PodSpec& pod, bool limits_side, bool* exact) {
  ResourceList result;
  for (const ContainerSpec& c : pod.containers)
    *exact = result.Add(c.resources(limits_side)) && *exact;
  ResourceList sidecars;
  ResourceList init_max;
  for (const ContainerSpec& c : pod.init_containers) {
    const ResourceList& own = c.resources(limits_side);
    if (c.restartable()) {
      *exact = result.Add(own) && *exact;
      *exact = sidecars.Add(own) && *exact;
      init_max.MaxWith(sidecars);
    } else {
      ResourceList combined = own;
      *exact = combined.Add(sidecars) && *exact;
      init_max.MaxWith(combined);
    }
  }
  result.MaxWith(init_max);
  return result;
}

bool AllContainersHaveLimit(const PodSpec& pod, std::string_view name) {
  for (const ContainerSpec& c : pod.init_containers) {
    if (!c.limits.Has(ToAbsl(name))) return false;
  }
  for (const ContainerSpec& c : pod.containers) {
    if (!c.limits.Has(ToAbsl(name))) return false;
  }
  return true;
}

// SetDefaults_Pod: container requests from limits, then pod-level defaults.
void ApplyDefaults(PodSpec* pod, bool pod_level_resources) {
  const auto default_requests = [](ContainerSpec& c) {
    for (const ResourceList::Entry& e : c.limits) {
      if (!c.requests.Has(e.name)) c.requests.Set(e.name, e.quantity);
    }
  };
  for (ContainerSpec& c : pod->containers) default_requests(c);
  for (ContainerSpec& c : pod->init_containers) default_requests(c);
  if (!pod_level_resources || !pod->has_pod_resources) return;

  bool exact = true;  // sums here are bounded by the values just parsed
  // defaultHugePagePodLimits
  if (!pod->pod_limits.empty() || !pod->pod_requests.empty()) {
    const ResourceList container_limits = AggregateContainers(*pod, /*limits_side=*/true, &exact);
    for (const ResourceList::Entry& e : container_limits) {
      if (IsHugePages(e.name) && !pod->pod_requests.Has(e.name) && !pod->pod_limits.Has(e.name)) {
        pod->pod_limits.Set(e.name, e.quantity);
      }
    }
  }
  // defaultPodRequests
  if (!pod->pod_limits.empty()) {
    const ResourceList container_requests =
        AggregateContainers(*pod, /*limits_side=*/false, &exact);
    for (const ResourceList::Entry& e : container_requests) {
      if (!pod->pod_requests.Has(e.name) && IsPodLevelResource(e.name) &&
          IsOvercommitAllowed(e.name)) {
        pod->pod_requests.Set(e.name, e.quantity);
      }
    }
    for (const ResourceList::Entry& e : pod->pod_limits) {
      if (!pod->pod_requests.Has(e.name) && IsPodLevelResource(e.name)) {
        pod->pod_requests.Set(e.name, e.quantity);
      }
    }
  }
  // defaultPodLimits
  if (!HasPodLevelResource(pod->pod_limits) && HasPodLevelResource(pod->pod_requests)) {
    const ResourceList container_limits = AggregateContainers(*pod, /*limits_side=*/true, &exact);
    for (const ResourceList::Entry& e : container_limits) {
      if (!pod->pod_limits.Has(e.name) && IsPodLevelResource(e.name) &&
          IsOvercommitAllowed(e.name) && AllContainersHaveLimit(*pod, e.name)) {
        pod->pod_limits.Set(e.name, e.quantity);
      }
    }
  }
}

// SetDefaults_ResourceList: every value rounded up to milli-units.
void RoundToMilli(PodSpec* pod) {
  constexpr int kMilli = -3;
  for (ContainerSpec& c : pod->containers) {
    c.requests.RoundUp(kMilli);
    c.limits.RoundUp(kMilli);
  }
  for (ContainerSpec& c : pod->init_containers) {
    c.requests.RoundUp(kMilli);
    c.limits.RoundUp(kMilli);
  }
  pod->overhead.RoundUp(kMilli);
  pod->pod_requests.RoundUp(kMilli);
  pod->pod_limits.RoundUp(kMilli);
}

// ---------------------------------------------------------------------------
// Reading the JSON. Every value is visited, so the whole document is
// validated, not only the fields Sluice uses.

class ManifestReader {
 public:
  // [base, end) is the padded copy of the manifest being iterated.
  ManifestReader(const char* base, const char* end, FieldError* error, PodSpec* pod)
      : base_(base), end_(end), error_(error), pod_(pod) {}

  bool ReadDocument(od::document& doc) {
    const Path root = Path::Root();
    od::object object;
    simdjson::error_code e = doc.get_object().get(object);
    if (e == simdjson::INCORRECT_TYPE) {
      return IsRootValue(doc) ? Fail(root, "Invalid value: a pod manifest must be a JSON object")
                              : Fail(root, "Invalid JSON: not a JSON value");
    }
    if (e != simdjson::SUCCESS) return JsonFail(root, e);
    for (auto member : object) {
      od::field field;
      std::string_view key;
      if ((e = std::move(member).get(field)) != simdjson::SUCCESS) return JsonFail(root, e);
      if ((e = Key(field, &key)) != simdjson::SUCCESS) return JsonFail(root, e);
      const Path path = root.Child(key);
      od::value& value = field.value();
      bool ok = true;
      if (key == "kind") {
        ok = ReadConstant(value, path, "Pod");
      } else if (key == "apiVersion") {
        ok = ReadConstant(value, path, "v1");
      } else if (key == "metadata") {
        ok = ReadMetadata(value, path);
      } else if (key == "spec") {
        ok = ReadSpec(value, path);
      } else {
        ok = SkipValue(value, path, '}');
      }
      if (!ok) return false;
    }
    // current_location() is OUT_OF_BOUNDS exactly when nothing follows.
    const char* trailing = nullptr;
    if (doc.current_location().get(trailing) == simdjson::SUCCESS) {
      return Fail(root, absl::StrCat("Invalid JSON: unexpected content after the object at byte ",
                                     trailing - base_));
    }
    return true;
  }

 private:
  // Whether a document that is not an object starts like another JSON value.
  static bool IsRootValue(od::document& doc) {
    std::string_view token;
    if (doc.raw_json_token().get(token) != simdjson::SUCCESS) return false;
    token = TrimJsonSpaceRight(token);
    if (token.empty()) return false;
    if (token[0] == '[' || token[0] == '"') return true;
    return token == "true" || token == "false" || token == "null" || IsJsonNumber(token);
  }

  bool Fail(const Path& path, std::string reason) {
    if (error_->reason.empty()) {
      error_->field = path.ToString();
      error_->reason = std::move(reason);
    }
    return false;
  }

  bool JsonFail(const Path& path, simdjson::error_code e) {
    return Fail(path, absl::StrCat("Invalid JSON: ", simdjson::error_message(e)));
  }

  // On Demand checks the separator after a value only when the value was
  // consumed; for a scalar left unconsumed (read in place) check it here:
  // it must be ',' or the container's closing bracket.
  bool CheckSeparatorAfter(std::string_view token, char closer, const Path& path) {
    const char* next = token.data() + token.size();
    if (next < end_ && (*next == ',' || *next == closer)) return true;
    return Fail(path, "Invalid JSON: missing ',' or closing bracket after a value");
  }

  // The key of a member. Keys without escapes (nearly all) are read in
  // place; others are unescaped, which also validates their escapes.
  simdjson::error_code Key(od::field& field, std::string_view* key) {
    const char* start = field.key().raw();
    for (const char* p = start; p < end_; ++p) {
      if (*p == '"') {
        *key = std::string_view(start, static_cast<size_t>(p - start));
        return simdjson::SUCCESS;
      }
      if (*p == '\\') break;
    }
    return field.unescaped_key().get(*key);
  }

  bool TypeFail(const Path& path, const char* expected, od::json_type got) {
    return Fail(path, absl::StrCat("Invalid type: expected ", expected, ", got ", TypeName(got)));
  }

  bool CheckDepth(const Path& path) {
    if (path.depth() > kMaxDepth) {
      return Fail(path, absl::StrCat("Invalid value: nested deeper than ", kMaxDepth, " levels"));
    }
    return true;
  }

  bool GetType(od::value& value, const Path& path, od::json_type* type) {
    const simdjson::error_code e = value.type().get(*type);
    return e == simdjson::SUCCESS || JsonFail(path, e);
  }

  // Consumes a null; fails on a malformed literal.
  bool ConsumeNull(od::value& value, const Path& path) {
    bool is_null = false;
    const simdjson::error_code e = value.is_null().get(is_null);
    if (e != simdjson::SUCCESS) return JsonFail(path, e);
    if (!is_null) return JsonFail(path, simdjson::N_ATOM_ERROR);
    return true;
  }

  // Visits any value, validating it. `closer` closes the enclosing
  // container: '}' for an object member, ']' for an array element.
  bool SkipValue(od::value& value, const Path& path, char closer) {
    if (!CheckDepth(path)) return false;
    od::json_type type = od::json_type::null;
    if (!GetType(value, path, &type)) return false;
    simdjson::error_code e = simdjson::SUCCESS;
    switch (type) {
      case od::json_type::object: {
        od::object object;
        if ((e = value.get_object().get(object)) != simdjson::SUCCESS) return JsonFail(path, e);
        for (auto member : object) {
          od::field field;
          std::string_view key;
          if ((e = std::move(member).get(field)) != simdjson::SUCCESS) return JsonFail(path, e);
          if ((e = Key(field, &key)) != simdjson::SUCCESS) return JsonFail(path, e);
          if (!SkipValue(field.value(), path.Child(key), '}')) return false;
        }
        return true;
      }
      case od::json_type::array: {
        od::array array;
        if ((e = value.get_array().get(array)) != simdjson::SUCCESS) return JsonFail(path, e);
        size_t index = 0;
        for (auto element : array) {
          od::value item;
          if ((e = std::move(element).get(item)) != simdjson::SUCCESS) return JsonFail(path, e);
          if (!SkipValue(item, path.Index(index++), ']')) return false;
        }
        return true;
      }
      case od::json_type::string: {
        // Stage 1 has checked quoting, UTF-8 and control characters; only
        // escapes are left to check.
        const std::string_view token = value.raw_json_token();
        if (token.find('\\') == std::string_view::npos) {
          return CheckSeparatorAfter(token, closer, path);
        }
        std::string_view s;
        if ((e = value.get_string().get(s)) != simdjson::SUCCESS) return JsonFail(path, e);
        return true;
      }
      case od::json_type::number: {
        const std::string_view token = value.raw_json_token();
        if (!IsJsonNumber(TrimJsonSpaceRight(token))) return JsonFail(path, simdjson::NUMBER_ERROR);
        return CheckSeparatorAfter(token, closer, path);
      }
      case od::json_type::boolean: {
        bool b = false;
        if ((e = value.get_bool().get(b)) != simdjson::SUCCESS) return JsonFail(path, e);
        return true;
      }
      case od::json_type::null:
        return ConsumeNull(value, path);
    }
    return JsonFail(path, simdjson::TAPE_ERROR);
  }

  // A string; null reads as "" (Go leaves the field empty).
  bool ReadString(od::value& value, const Path& path, std::string_view* out) {
    od::json_type type = od::json_type::null;
    if (!GetType(value, path, &type)) return false;
    if (type == od::json_type::null) {
      *out = {};
      return ConsumeNull(value, path);
    }
    if (type != od::json_type::string) return TypeFail(path, "string", type);
    const simdjson::error_code e = value.get_string().get(*out);
    return e == simdjson::SUCCESS || JsonFail(path, e);
  }

  bool ReadString(od::value& value, const Path& path, std::string* out) {
    std::string_view s;
    if (!ReadString(value, path, &s)) return false;
    out->assign(s.data(), s.size());
    return true;
  }

  // An object, or null (*present = false).
  bool ReadObject(od::value& value, const Path& path, od::object* object, bool* present) {
    if (!CheckDepth(path)) return false;
    od::json_type type = od::json_type::null;
    if (!GetType(value, path, &type)) return false;
    if (type == od::json_type::null) {
      *present = false;
      return ConsumeNull(value, path);
    }
    if (type != od::json_type::object) return TypeFail(path, "object", type);
    *present = true;
    const simdjson::error_code e = value.get_object().get(*object);
    return e == simdjson::SUCCESS || JsonFail(path, e);
  }

  // An array, or null (*present = false).
  bool ReadArray(od::value& value, const Path& path, od::array* array, bool* present) {
    if (!CheckDepth(path)) return false;
    od::json_type type = od::json_type::null;
    if (!GetType(value, path, &type)) return false;
    if (type == od::json_type::null) {
      *present = false;
      return ConsumeNull(value, path);
    }
    if (type != od::json_type::array) return TypeFail(path, "array", type);
    *present = true;
    const simdjson::error_code e = value.get_array().get(*array);
    return e == simdjson::SUCCESS || JsonFail(path, e);
  }

  // Calls fn(key, value, path) for every member of an object (or nothing for
  // null).
  template <typename Fn>
  bool ForEachMember(od::value& value, const Path& path, bool* present, Fn fn) {
    od::object object;
    if (!ReadObject(value, path, &object, present)) return false;
    if (!*present) return true;
    for (auto member : object) {
      od::field field;
      std::string_view key;
      simdjson::error_code e = std::move(member).get(field);
      if (e != simdjson::SUCCESS) return JsonFail(path, e);
      if ((e = Key(field, &key)) != simdjson::SUCCESS) return JsonFail(path, e);
      if (!fn(key, field.value())) return false;
    }
    return true;
  }

  bool ReadConstant(od::value& value, const Path& path, std::string_view expected) {
    std::string_view s;
    if (!ReadString(value, path, &s)) return false;
    if (!s.empty() && s != expected) {
      return Fail(path, InvalidValue(s, absl::StrCat("must be ", Quoted(expected))));
    }
    return true;
  }

  // A quantity as Kubernetes' Quantity.UnmarshalJSON reads it: the raw text
  // of a string (escapes are not decoded) or of a number, trimmed; null is
  // zero.
  bool ReadQuantity(od::value& value, const Path& path, Quantity* out) {
    od::json_type type = od::json_type::null;
    if (!GetType(value, path, &type)) return false;
    std::string_view text;
    switch (type) {
      case od::json_type::null:
        *out = Quantity();
        return ConsumeNull(value, path);
      case od::json_type::string: {
        const std::string_view raw = TrimJsonSpaceRight(value.raw_json_token());
        std::string_view decoded;
        const simdjson::error_code e = value.get_string().get(decoded);
        if (e != simdjson::SUCCESS) return JsonFail(path, e);
        if (raw.size() < 2) return JsonFail(path, simdjson::STRING_ERROR);
        text = TrimGoSpace(raw.substr(1, raw.size() - 2));
        break;
      }
      case od::json_type::number: {
        const std::string_view token = value.raw_json_token();
        text = TrimJsonSpaceRight(token);
        if (!IsJsonNumber(text)) return JsonFail(path, simdjson::NUMBER_ERROR);
        if (!CheckSeparatorAfter(token, '}', path)) return false;
        break;
      }
      default:
        return TypeFail(path, "quantity (string or number)", type);
    }
    absl::StatusOr<Quantity> q = Quantity::Parse(ToAbsl(text));
    if (!q.ok()) return Fail(path, absl::StrCat("Invalid value: ", q.status().message()));
    *out = *q;
    return true;
  }

  // A map of resource name to quantity; a repeated name keeps its last value.
  // A repeated map merges into the earlier one, as Go's decoder merges maps.
  bool ReadResourceList(od::value& value, const Path& path, ResourceList* out) {
    bool present = false;
    return ForEachMember(value, path, &present, [&](std::string_view key, od::value& v) {
      Quantity q;
      if (!ReadQuantity(v, path.Key(key), &q)) return false;
      out->Set(ToAbsl(key), q);
      return true;
    });
  }

  // A map of string to string (labels, annotations).
  bool ReadStringMap(od::value& value, const Path& path,
                     std::vector<std::pair<std::string, std::string>>* out) {
    bool present = false;
    const bool ok = ForEachMember(value, path, &present, [&](std::string_view key, od::value& v) {
      std::string_view s;
      if (!ReadString(v, path.Key(key), &s)) return false;
      out->emplace_back(std::string(key), std::string(s));
      return true;
    });
    if (!ok) return false;
    // Sort by key; a repeated key keeps its last value.
    std::stable_sort(out->begin(), out->end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    size_t kept = 0;
    for (size_t i = 0; i < out->size(); ++i) {
      if (i + 1 < out->size() && (*out)[i + 1].first == (*out)[i].first) continue;
      if (kept != i) (*out)[kept] = std::move((*out)[i]);
      ++kept;
    }
    out->resize(kept);
    return true;
  }

  bool ReadMetadata(od::value& value, const Path& path) {
    PodManifestInfo& info = pod_->info;
    bool present = false;
    return ForEachMember(value, path, &present, [&](std::string_view key, od::value& v) {
      const Path p = path.Child(key);
      if (key == "name") return ReadString(v, p, &info.name);
      if (key == "namespace") return ReadString(v, p, &info.namespace_name);
      if (key == "generateName") return ReadString(v, p, &info.generate_name);
      if (key == "labels") return ReadStringMap(v, p, &info.labels);
      if (key == "annotations") return ReadStringMap(v, p, &info.annotations);
      return SkipValue(v, p, '}');
    });
  }

  bool ReadResourceRequirements(od::value& value, const Path& path, ResourceList* requests,
                                ResourceList* limits, bool* present) {
    return ForEachMember(value, path, present, [&](std::string_view key, od::value& v) {
      const Path p = path.Child(key);
      if (key == "requests") return ReadResourceList(v, p, requests);
      if (key == "limits") return ReadResourceList(v, p, limits);
      return SkipValue(v, p, '}');
    });
  }

  bool ReadContainer(od::value& value, const Path& path, ContainerSpec* c) {
    bool present = false;
    const bool ok = ForEachMember(value, path, &present, [&](std::string_view key, od::value& v) {
      const Path p = path.Child(key);
      if (key == "name") return ReadString(v, p, &c->name);
      if (key == "image") return ReadString(v, p, &c->image);
      if (key == "restartPolicy") {
        od::json_type type = od::json_type::null;
        if (!GetType(v, p, &type)) return false;
        c->has_restart_policy = type != od::json_type::null;
        return ReadString(v, p, &c->restart_policy);
      }
      if (key == "resources") {
        bool has_resources = false;
        return ReadResourceRequirements(v, p, &c->requests, &c->limits, &has_resources);
      }
      return SkipValue(v, p, '}');
    });
    // A null element decodes as an empty container (Go's rule); validation
    // then reports its missing name.
    return ok;
  }

  bool ReadContainers(od::value& value, const Path& path, std::vector<ContainerSpec>* out,
                      bool* present) {
    out->clear();
    od::array array;
    if (!ReadArray(value, path, &array, present)) return false;
    if (!*present) return true;
    size_t index = 0;
    for (auto element : array) {
      od::value item;
      const simdjson::error_code e = std::move(element).get(item);
      if (e != simdjson::SUCCESS) return JsonFail(path, e);
      out->emplace_back();
      if (!ReadContainer(item, path.Index(index++), &out->back())) return false;
    }
    return true;
  }

  bool ReadSpec(od::value& value, const Path& path) {
    bool present = false;
    return ForEachMember(value, path, &present, [&](std::string_view key, od::value& v) {
      const Path p = path.Child(key);
      PodManifestInfo& info = pod_->info;
      if (key == "containers")
        return ReadContainers(v, p, &pod_->containers, &pod_->has_containers);
      if (key == "initContainers") {
        bool has_init = false;
        return ReadContainers(v, p, &pod_->init_containers, &has_init);
      }
      if (key == "overhead") return ReadResourceList(v, p, &pod_->overhead);
      if (key == "resources") {
        return ReadResourceRequirements(v, p, &pod_->pod_requests, &pod_->pod_limits,
                                        &pod_->has_pod_resources);
      }
      if (key == "nodeName") return ReadString(v, p, &info.node_name);
      if (key == "priorityClassName") return ReadString(v, p, &info.priority_class_name);
      if (key == "restartPolicy") {
        od::json_type type = od::json_type::null;
        if (!GetType(v, p, &type)) return false;
        pod_->has_restart_policy = type != od::json_type::null;
        return ReadString(v, p, &info.restart_policy);
      }
      return SkipValue(v, p, '}');
    });
  }

  const char* base_;
  const char* end_;
  FieldError* error_;
  PodSpec* pod_;
};

// ---------------------------------------------------------------------------
// Validation of the defaulted pod (pkg/apis/core/validation), first problem
// only.

class PodValidator {
 public:
  PodValidator(const PodSpec& pod, FieldError* error) : pod_(pod), error_(error) {}

  bool Validate() {
    const Path root = Path::Root();
    const Path spec = root.Child("spec");
    return ValidateMetadata(root.Child("metadata")) && ValidateContainers(spec) &&
           ValidatePodFields(spec);
  }

 private:
  bool Fail(const Path& path, std::string reason) {
    error_->field = path.ToString();
    error_->reason = std::move(reason);
    return false;
  }

  bool ValidateMetadata(const Path& path) {
    const PodManifestInfo& info = pod_.info;
    std::string e;
    if (!info.name.empty() && !(e = Dns1123SubdomainError(info.name)).empty()) {
      return Fail(path.Child("name"), InvalidValue(info.name, e));
    }
    if (!info.generate_name.empty() && !(e = GenerateNameError(info.generate_name)).empty()) {
      return Fail(path.Child("generateName"), InvalidValue(info.generate_name, e));
    }
    if (!info.namespace_name.empty() && !(e = Dns1123LabelError(info.namespace_name)).empty()) {
      return Fail(path.Child("namespace"), InvalidValue(info.namespace_name, e));
    }
    const Path labels = path.Child("labels");
    for (const auto& [key, value] : info.labels) {
      if (!(e = QualifiedNameError(key)).empty()) return Fail(labels, InvalidValue(key, e));
      if (!(e = LabelValueError(value)).empty()) return Fail(labels, InvalidValue(value, e));
    }
    const Path annotations = path.Child("annotations");
    size_t total_bytes = 0;
    for (const auto& [key, value] : info.annotations) {
      if (!(e = QualifiedNameError(absl::AsciiStrToLower(key))).empty()) {
        return Fail(annotations, InvalidValue(key, e));
      }
      total_bytes += key.size() + value.size();
    }
    if (total_bytes > kMaxAnnotationBytes) {
      return Fail(annotations,
                  absl::StrCat("Too long: must have at most ", kMaxAnnotationBytes, " bytes"));
    }
    return true;
  }

  bool ValidateContainers(const Path& spec) {
    const Path containers = spec.Child("containers");
    if (pod_.containers.empty()) return Fail(containers, "Required value");
    ContainerNames names;
    for (size_t i = 0; i < pod_.containers.size(); ++i) {
      if (!ValidateContainer(pod_.containers[i], containers.Index(i), &names)) {
        return false;
      }
    }
    const Path init = spec.Child("initContainers");
    for (size_t i = 0; i < pod_.init_containers.size(); ++i) {
      if (!ValidateContainer(pod_.init_containers[i], init.Index(i), &names)) {
        return false;
      }
    }
    return true;
  }

  // Names seen so far: a linear scan for the usual handful of containers, a
  // hash set past that.
  class ContainerNames {
   public:
    // False if `name` was already added.
    bool Add(absl::string_view name) {
      if (set_.empty()) {
        for (absl::string_view n : small_) {
          if (n == name) return false;
        }
        if (small_.size() < small_.capacity()) {
          small_.push_back(name);
          return true;
        }
        set_.insert(small_.begin(), small_.end());
      }
      return set_.insert(name).second;
    }

   private:
    absl::InlinedVector<absl::string_view, 16> small_;
    absl::flat_hash_set<absl::string_view> set_;
  };

  bool ValidateContainer(const ContainerSpec& c, const Path& path, ContainerNames* names) {
    const Path name = path.Child("name");
    if (c.name.empty()) return Fail(name, "Required value");
    std::string e = Dns1123LabelError(c.name);
    if (!e.empty()) return Fail(name, InvalidValue(c.name, e));
    if (!names->Add(c.name)) {
      return Fail(name, absl::StrCat("Duplicate value: ", Quoted(c.name)));
    }
    const Path image = path.Child("image");
    if (c.image.empty()) return Fail(image, "Required value");
    if (TrimGoSpace(c.image).size() != c.image.size()) {
      return Fail(image, InvalidValue(c.image, "must not have leading or trailing whitespace"));
    }
    if (c.has_restart_policy && c.restart_policy != "Always" && c.restart_policy != "OnFailure" &&
        c.restart_policy != "Never") {
      // Stable Kubernetes allows only "Always" (sidecars) on init containers
      // and nothing on others; ContainerRestartRules (alpha) allows more, so
      // only values no version accepts are refused here.
      return Fail(path.Child("restartPolicy"),
                  absl::StrCat("Unsupported value: ", Quoted(c.restart_policy),
                               ": supported values: \"Always\", \"OnFailure\", \"Never\""));
    }
    return ValidateResources(c.requests, c.limits, path.Child("resources"));
  }

  // ValidateResourceRequirements.
  bool ValidateResources(const ResourceList& requests, const ResourceList& limits,
                         const Path& path) {
    const Path limits_path = path.Child("limits");
    const Path requests_path = path.Child("requests");
    bool cpu_or_memory = false;
    bool hugepages = false;
    for (const ResourceList::Entry& e : limits) {
      if (!ValidateResourceValue(e.name, e.quantity, limits_path.Key(e.name))) return false;
      cpu_or_memory = cpu_or_memory || e.name == "cpu" || e.name == "memory";
      hugepages = hugepages || IsHugePages(e.name);
    }
    for (const ResourceList::Entry& e : requests) {
      if (!ValidateResourceValue(e.name, e.quantity, requests_path.Key(e.name))) return false;
      const Quantity* limit = limits.Find(e.name);
      if (limit != nullptr) {
        if (!IsOvercommitAllowed(e.name) && e.quantity != *limit) {
          return Fail(requests_path, InvalidValue(e.quantity.String(),
                                                  absl::StrCat("must be equal to ", e.name,
                                                               " limit of ", limit->String())));
        }
        if (e.quantity > *limit) {
          return Fail(requests_path,
                      InvalidValue(e.quantity.String(),
                                   absl::StrCat("must be less than or equal to ", e.name,
                                                " limit of ", limit->String())));
        }
      } else if (!IsOvercommitAllowed(e.name)) {
        return Fail(limits_path,
                    "Required value: Limit must be set for non overcommitable resources");
      }
      cpu_or_memory = cpu_or_memory || e.name == "cpu" || e.name == "memory";
      hugepages = hugepages || IsHugePages(e.name);
    }
    if (hugepages && !cpu_or_memory) {
      return Fail(path, "Forbidden: HugePages require cpu or memory");
    }
    return true;
  }

  // Name and value of one resource: validateContainerResourceName,
  // ValidateResourceQuantityValue and the hugepages page-size rule.
  bool ValidateResourceValue(std::string_view name, const Quantity& q, const Path& path) {
    const std::string name_error = ContainerResourceNameError(name);
    if (!name_error.empty()) return Fail(path, InvalidValue(name, name_error));
    return ValidateQuantity(name, q, path);
  }

  bool ValidateQuantity(std::string_view name, const Quantity& q, const Path& path) {
    if (q.Sign() < 0) {
      return Fail(path, InvalidValue(q.String(), "must be greater than or equal to 0"));
    }
    if (IsExtendedResource(name) && q.MilliValue() % 1000 != 0) {
      return Fail(path, InvalidValue(q.String(), "must be an integer"));
    }
    if (IsHugePages(name)) {
      absl::StatusOr<Quantity> page = Quantity::Parse(ToAbsl(name.substr(kHugePagesPrefix.size())));
      const bool divisible = page.ok() && page->Sign() > 0 && page->MilliValue() % 1000 == 0 &&
                             q.Value() % page->Value() == 0;
      if (!divisible) {
        return Fail(path,
                    InvalidValue(q.String(),
                                 absl::StrCat(q.String(), " is not positive integer multiple of ",
                                              ToAbsl(name))));
      }
    }
    return true;
  }

  bool ValidatePodFields(const Path& spec) {
    const PodManifestInfo& info = pod_.info;
    const std::string& policy = info.restart_policy;
    if (pod_.has_restart_policy && !policy.empty() && policy != "Always" && policy != "OnFailure" &&
        policy != "Never") {
      return Fail(spec.Child("restartPolicy"),
                  absl::StrCat("Unsupported value: ", Quoted(policy),
                               ": supported values: \"Always\", \"OnFailure\", \"Never\""));
    }
    std::string e;
    if (!info.node_name.empty() && !(e = Dns1123SubdomainError(info.node_name)).empty()) {
      return Fail(spec.Child("nodeName"), InvalidValue(info.node_name, e));
    }
    if (!info.priority_class_name.empty() &&
        !(e = Dns1123SubdomainError(info.priority_class_name)).empty()) {
      return Fail(spec.Child("priorityClassName"), InvalidValue(info.priority_class_name, e));
    }
    const Path overhead = spec.Child("overhead");
    for (const ResourceList::Entry& entry : pod_.overhead) {
      if (!ValidateResourceValue(entry.name, entry.quantity, overhead.Key(entry.name))) {
        return false;
      }
    }
    // Pod-level resources: syntax and signs only; which names a cluster
    // supports there depends on its feature gates.
    const Path resources = spec.Child("resources");
    const Path requests_path = resources.Child("requests");
    const Path limits_path = resources.Child("limits");
    for (const ResourceList::Entry& entry : pod_.pod_limits) {
      const std::string name_error = QualifiedNameError(entry.name);
      if (!name_error.empty())
        return Fail(limits_path.Key(entry.name), InvalidValue(entry.name, name_error));
      if (!ValidateQuantity(entry.name, entry.quantity, limits_path.Key(entry.name))) return false;
    }
    for (const ResourceList::Entry& entry : pod_.pod_requests) {
      const std::string name_error = QualifiedNameError(entry.name);
      if (!name_error.empty())
        return Fail(requests_path.Key(entry.name), InvalidValue(entry.name, name_error));
      if (!ValidateQuantity(entry.name, entry.quantity, requests_path.Key(entry.name)))
        return false;
      const Quantity* limit = pod_.pod_limits.Find(entry.name);
      if (limit != nullptr && entry.quantity > *limit) {
        return Fail(requests_path,
                    InvalidValue(entry.quantity.String(),
                                 absl::StrCat("must be less than or equal to ", entry.name,
                                              " limit of ", limit->String())));
      }
    }
    return true;
  }

  const PodSpec& pod_;
  FieldError* error_;
};

// PodRequests and PodLimits on the defaulted, rounded pod.
bool ComputeResources(const PodSpec& pod, bool pod_level_resources, ResourceList* requests,
                      ResourceList* limits) {
  bool exact = true;
  *requests = AggregateContainers(pod, /*limits_side=*/false, &exact);
  *limits = AggregateContainers(pod, /*limits_side=*/true, &exact);
  if (pod_level_resources && pod.has_pod_resources) {
    if (HasPodLevelResource(pod.pod_requests)) {
      for (const ResourceList::Entry& e : pod.pod_requests) {
        if (IsPodLevelResource(e.name)) requests->Set(e.name, e.quantity);
      }
    }
    if (HasPodLevelResource(pod.pod_requests) || HasPodLevelResource(pod.pod_limits)) {
      for (const ResourceList::Entry& e : pod.pod_limits) {
        if (IsPodLevelResource(e.name)) limits->Set(e.name, e.quantity);
      }
    }
  }
  exact = requests->Add(pod.overhead) && exact;
  for (const ResourceList::Entry& e : pod.overhead) {
    const Quantity* limit = limits->Find(e.name);
    if (limit != nullptr && !limit->IsZero()) exact = limits->Add(e.name, e.quantity) && exact;
  }
  return exact;
}

}  // namespace

std::string FieldError::ToString() const {
  if (field.empty()) return reason;
  return absl::StrCat(field, ": ", reason);
}

class PodManifestAnalyzer::Impl {
 public:
  explicit Impl(PodManifestOptions options)
      : options_(options), parser_(options.max_manifest_bytes) {}

  absl::StatusOr<PodManifestInfo> Analyze(absl::string_view json, FieldError* error) {
    FieldError local_error;
    FieldError* err = error != nullptr ? error : &local_error;
    err->field.clear();
    err->reason.clear();
    if (!Run(json, err)) {
      return absl::InvalidArgumentError(err->ToString());
    }
    return std::move(pod_.info);
  }

 private:
  bool Run(absl::string_view json, FieldError* err) {
    pod_.Clear();
    if (json.size() > options_.max_manifest_bytes) {
      err->reason =
          absl::StrCat("Too long: must have at most ", options_.max_manifest_bytes, " bytes");
      return false;
    }
    // simdjson reads up to SIMDJSON_PADDING bytes past the end.
    const size_t needed = json.size() + simdjson::SIMDJSON_PADDING;
    if (buffer_capacity_ < needed) {
      buffer_capacity_ = std::max(needed, buffer_capacity_ * 2);
      buffer_ = std::make_unique<char[]>(buffer_capacity_);
    }
    if (!json.empty()) std::memcpy(buffer_.get(), json.data(), json.size());
    std::memset(buffer_.get() + json.size(), 0, simdjson::SIMDJSON_PADDING);

    {
      od::document doc;
      const simdjson::error_code e =
          parser_.iterate(buffer_.get(), json.size(), buffer_capacity_).get(doc);
      if (e != simdjson::SUCCESS) {
        err->reason = absl::StrCat("Invalid JSON: ", simdjson::error_message(e));
        return false;
      }
      ManifestReader reader(buffer_.get(), buffer_.get() + json.size(), err, &pod_);
      if (!reader.ReadDocument(doc)) return false;
    }

    ApplyDefaults(&pod_, options_.pod_level_resources);
    RoundToMilli(&pod_);
    PodValidator validator(pod_, err);
    if (!validator.Validate()) return false;

    PodManifestInfo& info = pod_.info;
    if (!ComputeResources(pod_, options_.pod_level_resources, &info.requests, &info.limits)) {
      err->field = "spec";
      err->reason = "Invalid value: the pod's total resources are out of range";
      return false;
    }
    info.containers = static_cast<int>(pod_.containers.size());
    info.init_containers = static_cast<int>(pod_.init_containers.size());
    return true;
  }

  const PodManifestOptions options_;
  od::parser parser_;
  std::unique_ptr<char[]> buffer_;
  size_t buffer_capacity_ = 0;
  PodSpec pod_;  // reused between calls to keep container vectors' capacity
};

PodManifestAnalyzer::PodManifestAnalyzer(PodManifestOptions options)
    : impl_(std::make_unique<Impl>(options)) {}

PodManifestAnalyzer::~PodManifestAnalyzer() = default;

absl::StatusOr<PodManifestInfo> PodManifestAnalyzer::Analyze(absl::string_view manifest_json,
                                                             FieldError* error) {
  return impl_->Analyze(manifest_json, error);
}

absl::StatusOr<PodManifestInfo> AnalyzePodManifest(absl::string_view manifest_json,
                                                   FieldError* error) {
  thread_local PodManifestAnalyzer analyzer;
  return analyzer.Analyze(manifest_json, error);
}

}  // namespace sluice::kube
