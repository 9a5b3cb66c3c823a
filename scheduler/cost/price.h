#ifndef SLUICE_SCHEDULER_COST_PRICE_H_
#define SLUICE_SCHEDULER_COST_PRICE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sluice::cost {

// Money is an integer count of nano-units of a currency (1 USD = 10^9).
// Prices are parsed from their decimal text, never through a double, so that
// "0.0408" is exactly 40,800,000 nano-units.

// Parses a non-negative decimal ("0.0408", "12", "3.", ".5") into nano-units.
// Errors: InvalidArgument for anything else, more than 9 fractional digits
// (not exact in nano-units) or a value above `max_units` whole units.
absl::StatusOr<int64_t> ParseNanoUnits(absl::string_view text, int64_t max_units = 1'000'000);

// Formats nano-units as a decimal with 9 fractional digits ("0.040800000",
// "-1.000000000").
std::string FormatNanoUnits(int64_t nanos);

}  // namespace sluice::cost

#endif  // SLUICE_SCHEDULER_COST_PRICE_H_
