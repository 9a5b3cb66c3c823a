#include "scheduler/kube/pod_manifest.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "scheduler/common/quantity.h"
#include "scheduler/common/quote.h"
#include "scheduler/kube/field_path.h"
#include "scheduler/kube/object_names.h"
#include "scheduler/kube/pod_resources.h"
#include "scheduler/kube/pod_validation.h"
#include "simdjson.h"

namespace sluice::kube {
namespace {

namespace od = simdjson::ondemand;

static_assert(std::endian::native == std::endian::little, "ManifestReader::Key reads words");

// Deeper documents are rejected; a pod is about a dozen levels deep.
constexpr int kMaxDepth = 64;

absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

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

// Visible ASCII, which no Unicode space starts or ends with.
bool IsVisibleAscii(char c) { return c > ' ' && c < 0x7F; }

// TrimGoSpace, skipping the call when neither end can be a space.
std::string_view TrimGoSpaceIfAny(std::string_view s) {
  if (!s.empty() && IsVisibleAscii(s.front()) && IsVisibleAscii(s.back())) return s;
  const absl::string_view trimmed = TrimGoSpace(ToAbsl(s));
  return std::string_view(trimmed.data(), trimmed.size());
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

// ---------------------------------------------------------------------------
// Reading the JSON. Every value is visited, so the whole document is
// validated, not only the fields Sluice uses.

class ManifestReader {
 public:
  // [base, end) is the padded copy of the manifest being iterated.
  ManifestReader(const char* base, const char* end, FieldError* error, PodFields* pod)
      : base_(base), end_(end), error_(error), pod_(pod) {}

  bool ReadDocument(od::document& doc) {
    const FieldPath root = FieldPath::Root();
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
      const FieldPath path = root.Child(key);
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

  bool Fail(const FieldPath& path, std::string reason) {
    if (error_->reason.empty()) {
      error_->field = path.ToString();
      error_->reason = std::move(reason);
    }
    return false;
  }

  bool JsonFail(const FieldPath& path, simdjson::error_code e) {
    return Fail(path, absl::StrCat("Invalid JSON: ", simdjson::error_message(e)));
  }

  // On Demand checks the separator after a value only when the value was
  // consumed; for a scalar left unconsumed (read in place) check it here:
  // it must be ',' or the container's closing bracket.
  bool CheckSeparatorAfter(std::string_view token, char closer, const FieldPath& path) {
    if (SeparatorFollows(token, closer)) return true;
    return Fail(path, "Invalid JSON: missing ',' or closing bracket after a value");
  }

  bool SeparatorFollows(std::string_view token, char closer) const {
    const char* next = token.data() + token.size();
    return next < end_ && (*next == ',' || *next == closer);
  }

  // The key of a member. Keys without escapes (nearly all) are read in
  // place; others are unescaped, which also validates their escapes.
  simdjson::error_code Key(od::field& field, std::string_view* key) {
    const char* start = field.key().raw();
    // Eight bytes at a time: the first '"' or '\\' ends the scan. Reading
    // past end_ stays inside the buffer's SIMDJSON_PADDING.
    for (const char* p = start; p < end_; p += 8) {
      uint64_t word;
      std::memcpy(&word, p, sizeof(word));
      const uint64_t quote = BytesEqual(word, '"');
      const uint64_t escape = BytesEqual(word, '\\');
      if ((quote | escape) == 0) continue;
      // The lowest flagged byte is exact (false positives only sit above a
      // true match), and little-endian puts the first byte lowest.
      const int first_quote = quote != 0 ? std::countr_zero(quote) : 64;
      const int first_escape = escape != 0 ? std::countr_zero(escape) : 64;
      if (first_escape < first_quote) break;
      const char* end = p + first_quote / 8;
      if (end >= end_) break;
      *key = std::string_view(start, static_cast<size_t>(end - start));
      return simdjson::SUCCESS;
    }
    return field.unescaped_key().get(*key);
  }

  // 0x80 in each byte of `word` equal to `c` (and possibly in bytes above
  // the first such byte); zero if none is.
  static uint64_t BytesEqual(uint64_t word, char c) {
    constexpr uint64_t kOnes = 0x0101010101010101ULL;
    const uint64_t v = word ^ (kOnes * static_cast<uint8_t>(c));
    return (v - kOnes) & ~v & (kOnes << 7);
  }

  bool TypeFail(const FieldPath& path, const char* expected, od::json_type got) {
    return Fail(path, absl::StrCat("Invalid type: expected ", expected, ", got ", TypeName(got)));
  }

  bool CheckDepth(const FieldPath& path) {
    if (path.depth() > kMaxDepth) {
      return Fail(path, absl::StrCat("Invalid value: nested deeper than ", kMaxDepth, " levels"));
    }
    return true;
  }

  bool GetType(od::value& value, const FieldPath& path, od::json_type* type) {
    const simdjson::error_code e = value.type().get(*type);
    return e == simdjson::SUCCESS || JsonFail(path, e);
  }

  // Consumes a null; fails on a malformed literal.
  bool ConsumeNull(od::value& value, const FieldPath& path) {
    bool is_null = false;
    const simdjson::error_code e = value.is_null().get(is_null);
    if (e != simdjson::SUCCESS) return JsonFail(path, e);
    if (!is_null) return JsonFail(path, simdjson::N_ATOM_ERROR);
    return true;
  }

  // Visits any value, validating it. `closer` closes the enclosing
  // container: '}' for an object member, ']' for an array element.
  bool SkipValue(od::value& value, const FieldPath& path, char closer) {
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
  bool ReadString(od::value& value, const FieldPath& path, std::string_view* out) {
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

  bool ReadString(od::value& value, const FieldPath& path, std::string* out) {
    std::string_view s;
    if (!ReadString(value, path, &s)) return false;
    out->assign(s.data(), s.size());
    return true;
  }

  // A view valid as long as the document and the parser's string buffer.
  bool ReadString(od::value& value, const FieldPath& path, absl::string_view* out) {
    std::string_view s;
    if (!ReadString(value, path, &s)) return false;
    *out = ToAbsl(s);
    return true;
  }

  // An object, or null (*present = false).
  bool ReadObject(od::value& value, const FieldPath& path, od::object* object, bool* present) {
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
  bool ReadArray(od::value& value, const FieldPath& path, od::array* array, bool* present) {
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
  bool ForEachMember(od::value& value, const FieldPath& path, bool* present, Fn fn) {
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

  bool ReadConstant(od::value& value, const FieldPath& path, std::string_view expected) {
    std::string_view s;
    if (!ReadString(value, path, &s)) return false;
    if (!s.empty() && s != expected) {
      return Fail(path,
                  InvalidValueReason(ToAbsl(s),
                                     absl::StrCat("must be ", QuoteForMessage(ToAbsl(expected)))));
    }
    return true;
  }

  // A quantity as Kubernetes' Quantity.UnmarshalJSON reads it: the raw text
  // of a string (escapes are not decoded) or of a number, trimmed; null is
  // zero.
  bool ReadQuantity(od::value& value, const FieldPath& path, Quantity* out) {
    od::json_type type = od::json_type::null;
    if (!GetType(value, path, &type)) return false;
    std::string_view text;
    switch (type) {
      case od::json_type::null:
        *out = Quantity();
        return ConsumeNull(value, path);
      case od::json_type::string: {
        const std::string_view token = value.raw_json_token();
        const std::string_view raw = TrimJsonSpaceRight(token);
        // A well-formed string without escapes is left in place; anything
        // else is decoded, which validates the escapes and lets On Demand
        // report a bad separator as it always has.
        if (raw.find('\\') != std::string_view::npos || !SeparatorFollows(token, '}')) {
          std::string_view decoded;
          const simdjson::error_code e = value.get_string().get(decoded);
          if (e != simdjson::SUCCESS) return JsonFail(path, e);
        }
        if (raw.size() < 2) return JsonFail(path, simdjson::STRING_ERROR);
        text = TrimGoSpaceIfAny(raw.substr(1, raw.size() - 2));
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
  bool ReadResourceList(od::value& value, const FieldPath& path, ResourceList* out) {
    bool present = false;
    return ForEachMember(value, path, &present, [&](std::string_view key, od::value& v) {
      Quantity q;
      if (!ReadQuantity(v, path.Key(key), &q)) return false;
      out->Set(ToAbsl(key), q);
      return true;
    });
  }

  // A map of string to string (labels, annotations).
  bool ReadStringMap(od::value& value, const FieldPath& path,
                     std::vector<std::pair<std::string, std::string>>* out) {
    bool present = false;
    const bool ok = ForEachMember(value, path, &present, [&](std::string_view key, od::value& v) {
      std::string_view s;
      if (!ReadString(v, path.Key(key), &s)) return false;
      out->emplace_back(std::string(key), std::string(s));
      return true;
    });
    if (!ok) return false;
    // Sort by key; a repeated key keeps its last value. Go encoders write
    // maps sorted, so usually there is nothing to sort (and stable_sort
    // would allocate a buffer).
    const auto by_key = [](const auto& a, const auto& b) { return a.first < b.first; };
    if (!std::is_sorted(out->begin(), out->end(), by_key)) {
      std::stable_sort(out->begin(), out->end(), by_key);
    }
    size_t kept = 0;
    for (size_t i = 0; i < out->size(); ++i) {
      if (i + 1 < out->size() && (*out)[i + 1].first == (*out)[i].first) continue;
      if (kept != i) (*out)[kept] = std::move((*out)[i]);
      ++kept;
    }
    out->resize(kept);
    return true;
  }

  bool ReadMetadata(od::value& value, const FieldPath& path) {
    PodManifestInfo& info = pod_->info;
    bool present = false;
    return ForEachMember(value, path, &present, [&](std::string_view key, od::value& v) {
      const FieldPath p = path.Child(key);
      if (key == "name") return ReadString(v, p, &info.name);
      if (key == "namespace") return ReadString(v, p, &info.namespace_name);
      if (key == "generateName") return ReadString(v, p, &info.generate_name);
      if (key == "labels") return ReadStringMap(v, p, &info.labels);
      if (key == "annotations") return ReadStringMap(v, p, &info.annotations);
      return SkipValue(v, p, '}');
    });
  }

  bool ReadResourceRequirements(od::value& value, const FieldPath& path, ResourceList* requests,
                                ResourceList* limits, bool* present) {
    return ForEachMember(value, path, present, [&](std::string_view key, od::value& v) {
      const FieldPath p = path.Child(key);
      if (key == "requests") return ReadResourceList(v, p, requests);
      if (key == "limits") return ReadResourceList(v, p, limits);
      return SkipValue(v, p, '}');
    });
  }

  bool ReadContainer(od::value& value, const FieldPath& path, ContainerFields* c,
                     ContainerResources* resources) {
    bool present = false;
    // A null element decodes as an empty container (Go's rule); validation
    // then reports its missing name.
    return ForEachMember(value, path, &present, [&](std::string_view key, od::value& v) {
      const FieldPath p = path.Child(key);
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
        return ReadResourceRequirements(v, p, &resources->requests, &resources->limits,
                                        &has_resources);
      }
      return SkipValue(v, p, '}');
    });
  }

  // spec.containers or spec.initContainers; a repeated key replaces the list.
  bool ReadContainers(od::value& value, const FieldPath& path, bool init,
                      std::vector<ContainerFields>* identities,
                      std::vector<ContainerResources>* resources) {
    identities->clear();
    resources->clear();
    od::array array;
    bool present = false;
    if (!ReadArray(value, path, &array, &present)) return false;
    if (!present) return true;
    size_t index = 0;
    for (auto element : array) {
      od::value item;
      const simdjson::error_code e = std::move(element).get(item);
      if (e != simdjson::SUCCESS) return JsonFail(path, e);
      ContainerFields& identity = identities->emplace_back();
      ContainerResources& container = resources->emplace_back();
      if (!ReadContainer(item, path.Index(index++), &identity, &container)) return false;
      container.restartable =
          init && identity.has_restart_policy && identity.restart_policy == "Always";
    }
    return true;
  }

  bool ReadSpec(od::value& value, const FieldPath& path) {
    bool present = false;
    return ForEachMember(value, path, &present, [&](std::string_view key, od::value& v) {
      const FieldPath p = path.Child(key);
      PodManifestInfo& info = pod_->info;
      PodResources& resources = pod_->resources;
      if (key == "containers") {
        return ReadContainers(v, p, /*init=*/false, &pod_->containers, &resources.containers);
      }
      if (key == "initContainers") {
        return ReadContainers(v, p, /*init=*/true, &pod_->init_containers,
                              &resources.init_containers);
      }
      if (key == "overhead") return ReadResourceList(v, p, &resources.overhead);
      if (key == "resources") {
        return ReadResourceRequirements(v, p, &resources.pod_requests, &resources.pod_limits,
                                        &resources.has_pod_level);
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
  PodFields* pod_;
};

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

    ApplyApiServerDefaults(options_.pod_level_resources, &pod_.resources);
    if (!ValidatePodFields(pod_, err)) return false;

    PodManifestInfo& info = pod_.info;
    const bool pod_level = options_.pod_level_resources;
    const bool requests_exact = ComputePodRequests(pod_.resources, pod_level, &info.requests);
    const bool limits_exact = ComputePodLimits(pod_.resources, pod_level, &info.limits);
    if (!requests_exact || !limits_exact) {
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
  PodFields pod_;  // reused between calls to keep container vectors' capacity
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
