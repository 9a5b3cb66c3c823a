#include "scheduler/cost/price.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sluice::cost {

absl::StatusOr<int64_t> ParseNanoUnits(absl::string_view text, int64_t max_units) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("\"", text, "\": ", why));
  };
  if (text.empty()) return bad("empty");
  int64_t units = 0;
  int64_t fraction = 0;
  int fraction_digits = 0;
  bool seen_point = false;
  bool seen_digit = false;
  for (char c : text) {
    if (c == '.') {
      if (seen_point) return bad("more than one '.'");
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') return bad("not a non-negative decimal number");
    seen_digit = true;
    const int digit = c - '0';
    if (!seen_point) {
      if (units > (max_units - digit) / 10) return bad(absl::StrCat("above ", max_units));
      units = units * 10 + digit;
    } else {
      if (fraction_digits == 9) return bad("more than 9 decimal places (not exact in nano-units)");
      fraction = fraction * 10 + digit;
      ++fraction_digits;
    }
  }
  if (!seen_digit) return bad("no digits");
  for (int i = fraction_digits; i < 9; ++i) fraction *= 10;
  if (units == max_units && fraction > 0) return bad(absl::StrCat("above ", max_units));
  return units * 1'000'000'000 + fraction;
}

std::string FormatNanoUnits(int64_t nanos) {
  const bool negative = nanos < 0;
  // |INT64_MIN| does not fit an int64; use the unsigned magnitude.
  const uint64_t magnitude =
      negative ? uint64_t{0} - static_cast<uint64_t>(nanos) : static_cast<uint64_t>(nanos);
  return absl::StrFormat("%s%d.%09d", negative ? "-" : "", magnitude / 1'000'000'000,
                         magnitude % 1'000'000'000);
}

}  // namespace sluice::cost
