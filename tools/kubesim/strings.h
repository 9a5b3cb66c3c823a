#ifndef SLUICE_TOOLS_KUBESIM_STRINGS_H_
#define SLUICE_TOOLS_KUBESIM_STRINGS_H_

#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace sluice::kubesim {

// Debian's Abseil has its own absl::string_view (not std::string_view);
// kubesim uses std::string_view and converts here, at the boundary.
inline absl::string_view ToAbsl(std::string_view s) { return {s.data(), s.size()}; }
inline std::string_view ToStd(absl::string_view s) { return {s.data(), s.size()}; }

namespace strings_internal {
inline absl::string_view Arg(std::string_view s) { return ToAbsl(s); }
template <typename T>
const T& Arg(const T& v) {
  return v;
}
}  // namespace strings_internal

// absl::StrCat / absl::StrAppend that also take std::string_view.
template <typename... Args>
std::string Cat(const Args&... args) {
  return absl::StrCat(strings_internal::Arg(args)...);
}
template <typename... Args>
void Append(std::string* out, const Args&... args) {
  absl::StrAppend(out, strings_internal::Arg(args)...);
}

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_STRINGS_H_
