#ifndef SLUICE_TOOLS_KUBESIM_JSON_PARSE_H_
#define SLUICE_TOOLS_KUBESIM_JSON_PARSE_H_

// Include from .cc files only (pulls in RapidJSON).

#include <string>
#include <string_view>

#include "rapidjson/document.h"

namespace sluice::kubesim {

// A mutable, NUL-terminated copy of `text` for RapidJSON's in-situ parser
// (which rewrites strings in place).
inline std::string MutableCopy(std::string_view text) { return std::string(text); }

// Parses `text` into `doc`; false on a syntax error.
inline bool ParseJson(std::string_view text, rapidjson::Document* doc) {
  doc->Parse(text.data(), text.size());
  return !doc->HasParseError();
}

// The string value of `v`. REQUIRES: v.IsString().
inline std::string_view Str(const rapidjson::Value& v) {
  return {v.GetString(), v.GetStringLength()};
}

// The member `key` of `obj`; nullptr if `obj` is not an object or has none.
inline const rapidjson::Value* Member(const rapidjson::Value& obj, std::string_view key) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(rapidjson::Value(
      rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size()))));
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

// The string member `key` of `obj`; empty if missing or not a string.
inline std::string_view StringMember(const rapidjson::Value& obj, std::string_view key) {
  const rapidjson::Value* v = Member(obj, key);
  return (v != nullptr && v->IsString()) ? Str(*v) : std::string_view();
}

// kube-apiserver's wording for values that fail validation, shared by the
// kinds kubesim validates.
inline constexpr std::string_view kQuantityError =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
inline constexpr std::string_view kSubdomainError =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_JSON_PARSE_H_
