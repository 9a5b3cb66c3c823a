#include "scheduler/kube/object_names.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"

namespace sluice::kube {
namespace {

constexpr size_t kDns1123LabelMaxLength = 63;
constexpr size_t kDns1123SubdomainMaxLength = 253;
constexpr size_t kQualifiedNameMaxLength = 63;
constexpr size_t kLabelValueMaxLength = 63;

constexpr absl::string_view kDns1123LabelMessage =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
constexpr absl::string_view kDns1123SubdomainMessage =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
constexpr absl::string_view kQualifiedNameMessage =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
constexpr absl::string_view kLabelValueMessage =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

std::string MaxLenError(size_t length) {
  return absl::StrCat("must be no more than ", length, " characters");
}

// Character classes for the syntax checks, one table lookup per character.
enum CharClass : uint8_t {
  kLowerAlnum = 1,  // [a-z0-9]
  kAlnum = 2,       // [A-Za-z0-9]
  kLabelChar = 4,   // [-a-z0-9]
  kNameChar = 8,    // [-A-Za-z0-9_.]
};

constexpr std::array<uint8_t, 256> MakeCharClasses() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const bool lower = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    const bool alnum = lower || (c >= 'A' && c <= 'Z');
    uint8_t v = 0;
    if (lower) v |= kLowerAlnum | kLabelChar;
    if (alnum) v |= kAlnum | kNameChar;
    if (c == '-') v |= kLabelChar | kNameChar;
    if (c == '_' || c == '.') v |= kNameChar;
    t[static_cast<size_t>(c)] = v;
  }
  return t;
}
constexpr std::array<uint8_t, 256> kCharClasses = MakeCharClasses();

bool Is(char c, CharClass cls) { return (kCharClasses[static_cast<uint8_t>(c)] & cls) != 0; }

// Every character of v is in `cls`.
bool AllIn(absl::string_view v, CharClass cls) {
  uint8_t all = cls;
  for (const char c : v) all &= kCharClasses[static_cast<uint8_t>(c)];
  return all != 0;
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool MatchesDns1123Label(absl::string_view v) {
  if (v.empty() || !Is(v.front(), kLowerAlnum) || !Is(v.back(), kLowerAlnum)) return false;
  return AllIn(v, kLabelChar);
}

// Labels joined by '.': every character is [-a-z0-9.], and each '.' (like
// each end) is next to [a-z0-9] on both sides, so no label is empty or
// starts or ends with '-'.
bool MatchesDns1123Subdomain(absl::string_view v) {
  if (v.empty() || !Is(v.front(), kLowerAlnum) || !Is(v.back(), kLowerAlnum)) return false;
  for (size_t i = 1; i + 1 < v.size(); ++i) {
    const char c = v[i];
    if (Is(c, kLabelChar)) continue;
    if (c != '.' || !Is(v[i - 1], kLowerAlnum) || !Is(v[i + 1], kLowerAlnum)) return false;
  }
  return true;
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool MatchesQualifiedNamePart(absl::string_view v) {
  if (v.empty() || !Is(v.front(), kAlnum) || !Is(v.back(), kAlnum)) return false;
  return AllIn(v, kNameChar);
}

// Length of the Unicode white space (as Go's unicode.IsSpace) at the start of
// s, or 0.
size_t LeadingSpaceLength(absl::string_view s) {
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

size_t TrailingSpaceLength(absl::string_view s) {
  for (size_t len = 1; len <= 3 && len <= s.size(); ++len) {
    if (LeadingSpaceLength(s.substr(s.size() - len)) == len) return len;
  }
  return 0;
}

}  // namespace

std::string Dns1123LabelError(absl::string_view value) {
  if (value.size() > kDns1123LabelMaxLength) return MaxLenError(kDns1123LabelMaxLength);
  if (MatchesDns1123Label(value)) return "";
  if (MatchesDns1123Subdomain(value)) return "must not contain dots";
  return std::string(kDns1123LabelMessage);
}

std::string Dns1123SubdomainError(absl::string_view value) {
  if (value.size() > kDns1123SubdomainMaxLength) return MaxLenError(kDns1123SubdomainMaxLength);
  if (MatchesDns1123Subdomain(value)) return "";
  return std::string(kDns1123SubdomainMessage);
}

std::string GenerateNameError(absl::string_view value) {
  // Kubernetes' maskTrailingDash: "abc-" is checked as "abca".
  if (value.size() > 1 && value.back() == '-') {
    std::string masked(value);
    masked.back() = 'a';
    return Dns1123SubdomainError(masked);
  }
  return Dns1123SubdomainError(value);
}

std::string QualifiedNameError(absl::string_view value) {
  absl::string_view name = value;
  const size_t slash = value.find('/');
  if (slash != absl::string_view::npos) {
    if (value.find('/', slash + 1) != absl::string_view::npos) {
      return absl::StrCat("a qualified name ", kQualifiedNameMessage,
                          " with an optional DNS subdomain prefix and '/' (e.g. "
                          "'example.com/MyName')");
    }
    const absl::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) return "prefix part must be non-empty";
    const std::string prefix_error = Dns1123SubdomainError(prefix);
    if (!prefix_error.empty()) return absl::StrCat("prefix part ", prefix_error);
  }
  if (name.empty()) return "name part must be non-empty";
  if (name.size() > kQualifiedNameMaxLength) {
    return absl::StrCat("name part ", MaxLenError(kQualifiedNameMaxLength));
  }
  if (!MatchesQualifiedNamePart(name)) return absl::StrCat("name part ", kQualifiedNameMessage);
  return "";
}

std::string LabelValueError(absl::string_view value) {
  if (value.size() > kLabelValueMaxLength) return MaxLenError(kLabelValueMaxLength);
  if (value.empty() || MatchesQualifiedNamePart(value)) return "";
  return std::string(kLabelValueMessage);
}

absl::string_view TrimGoSpace(absl::string_view s) {
  for (size_t n = LeadingSpaceLength(s); n > 0; n = LeadingSpaceLength(s)) s.remove_prefix(n);
  for (size_t n = TrailingSpaceLength(s); n > 0; n = TrailingSpaceLength(s)) s.remove_suffix(n);
  return s;
}

}  // namespace sluice::kube
