#include "tools/kubesim/resource_amounts.h"

#include <algorithm>
#include <limits>

namespace sluice::kubesim {
namespace {

using Int128 = __int128;
constexpr Int128 kMax = std::numeric_limits<int64_t>::max();

}  // namespace

std::optional<int64_t> ParseQuantityMilli(std::string_view s) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  // Up to 18 significant digits are kept exactly; beyond that integer digits
  // only raise the exponent and fraction digits only mark the value inexact
  // (rounded up), which is far below any quantity a pod carries.
  Int128 mantissa = 0;
  int exp10 = 0;
  bool any_digit = false, seen_point = false, inexact = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (mantissa < Int128{100'000'000'000'000'000}) {
        mantissa = mantissa * 10 + (c - '0');
        if (seen_point) --exp10;
      } else if (!seen_point) {
        ++exp10;
      } else if (c != '0') {
        inexact = true;
      }
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!any_digit) return std::nullopt;
  int exp2 = 0;
  std::string_view suffix = s.substr(i);
  if (suffix.empty()) {
  } else if (suffix == "Ki") {
    exp2 = 10;
  } else if (suffix == "Mi") {
    exp2 = 20;
  } else if (suffix == "Gi") {
    exp2 = 30;
  } else if (suffix == "Ti") {
    exp2 = 40;
  } else if (suffix == "Pi") {
    exp2 = 50;
  } else if (suffix == "Ei") {
    exp2 = 60;
  } else if (suffix == "n") {
    exp10 -= 9;
  } else if (suffix == "u") {
    exp10 -= 6;
  } else if (suffix == "m") {
    exp10 -= 3;
  } else if (suffix == "k") {
    exp10 += 3;
  } else if (suffix == "M") {
    exp10 += 6;
  } else if (suffix == "G") {
    exp10 += 9;
  } else if (suffix == "T") {
    exp10 += 12;
  } else if (suffix == "P") {
    exp10 += 15;
  } else if (suffix == "E") {
    exp10 += 18;
  } else if (suffix[0] == 'e' || suffix[0] == 'E') {
    size_t j = 1;
    bool neg_exp = false;
    if (j < suffix.size() && (suffix[j] == '+' || suffix[j] == '-')) neg_exp = suffix[j++] == '-';
    if (j >= suffix.size()) return std::nullopt;
    int e = 0;
    for (; j < suffix.size(); ++j) {
      if (suffix[j] < '0' || suffix[j] > '9') return std::nullopt;
      e = std::min(e * 10 + (suffix[j] - '0'), 1000);
    }
    exp10 += neg_exp ? -e : e;
  } else {
    return std::nullopt;
  }
  // milli-units = mantissa * 2^exp2 * 10^(exp10 + 3); mantissa < 10^18 and
  // 2^exp2 <= 2^60 keep the product inside 128 bits.
  Int128 value = mantissa * (Int128{1} << exp2);
  const int e = exp10 + 3;
  const int64_t saturated =
      negative ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
  if (value == 0) return 0;
  if (e >= 0) {
    for (int k = 0; k < e; ++k) {
      value *= 10;
      if (value > kMax) return saturated;
    }
  } else {
    for (int k = 0; k < -e && value > 0; ++k) {
      if (value % 10 != 0) inexact = true;
      value /= 10;
    }
    if (inexact) ++value;  // round up (away from zero; the sign is applied after)
  }
  if (value > kMax) return saturated;
  return static_cast<int64_t>(negative ? -value : value);
}

void AddAmounts(ResourceAmounts* a, const ResourceAmounts& b) {
  for (const auto& [k, v] : b) (*a)[k] += v;
}

void MaxAmounts(ResourceAmounts* a, const ResourceAmounts& b) {
  for (const auto& [k, v] : b) {
    auto [it, inserted] = a->try_emplace(k, v);
    if (!inserted) it->second = std::max(it->second, v);
  }
}

}  // namespace sluice::kubesim
