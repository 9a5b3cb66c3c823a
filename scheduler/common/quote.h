#ifndef SLUICE_SCHEDULER_COMMON_QUOTE_H_
#define SLUICE_SCHEDULER_COMMON_QUOTE_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace sluice {

// Returns `value` between double quotes, escaped the way Go's %q prints a
// string, so that Sluice's error messages read like the APIServer's:
// `"`, `\` and the C escapes (\n, \t, ...) are backslashed, other control
// bytes and bytes that are not valid UTF-8 become \xNN, and valid UTF-8
// sequences are kept. A value longer than `max_bytes` is cut at a character
// boundary and the quoted text ends in `...` after the closing quote.
//
// Example:
//   QuoteForMessage("1.5.2")     -> "\"1.5.2\""
//   QuoteForMessage("a\"b\x01")  -> "\"a\\\"b\\x01\""
std::string QuoteForMessage(absl::string_view value, size_t max_bytes = 256);

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_COMMON_QUOTE_H_
