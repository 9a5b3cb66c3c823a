#include "scheduler/common/quantity.h"

#include <array>
#include <cstddef>
#include <limits>
#include <ostream>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "scheduler/common/quote.h"

namespace sluice {
namespace {

using i128 = __int128;
using u128 = unsigned __int128;

constexpr u128 kMaxMagnitude = (static_cast<u128>(1) << 127) - 1;
constexpr u128 kNanosPerUnit = 1'000'000'000;
// Kubernetes caps binary-suffixed values at 2^63-1 units.
constexpr u128 kBinaryCapNanos =
    static_cast<u128>(std::numeric_limits<int64_t>::max()) * kNanosPerUnit;
// 10^38 is the largest power of ten below 2^127.
constexpr int kMaxPow10 = 38;

constexpr std::array<u128, kMaxPow10 + 1> MakePowersOf10() {
  std::array<u128, kMaxPow10 + 1> p{};
  p[0] = 1;
  for (size_t i = 1; i < p.size(); ++i) p[i] = p[i - 1] * 10;
  return p;
}
constexpr std::array<u128, kMaxPow10 + 1> kPow10 = MakePowersOf10();

u128 Pow10(int64_t e) { return kPow10[static_cast<size_t>(e)]; }

i128 Raw(absl::int128 v) { return static_cast<i128>(v); }

u128 Magnitude(i128 v) {
  return v < 0 ? static_cast<u128>(0) - static_cast<u128>(v) : static_cast<u128>(v);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Characters Kubernetes' scanner accepts at the start of a suffix.
bool IsSuffixLetter(char c) {
  switch (c) {
    case 'e':
    case 'E':
    case 'i':
    case 'n':
    case 'u':
    case 'm':
    case 'k':
    case 'K':
    case 'M':
    case 'G':
    case 'T':
    case 'P':
      return true;
    default:
      return false;
  }
}

bool IsSuffixishChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '+' || c == '-';
}

// How a suffix scales the number: value * base^exponent.
struct Suffix {
  int base = 10;         // 10 or 2
  int64_t exponent = 0;  // decimal exponent, or binary exponent (10, 20, ... 60)
  Quantity::Format format = Quantity::Format::kDecimalSI;
};

absl::Status ParseError(absl::string_view text, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(QuoteForMessage(text), ": ", reason));
}

std::string DescribeChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (c == '\'') return "'\\''";
  if (c == '\\') return "'\\\\'";
  if (u >= 0x20 && u < 0x7F) return std::string{'\'', c, '\''};
  static constexpr char kHex[] = "0123456789abcdef";
  return std::string{'\'', '\\', 'x', kHex[u >> 4], kHex[u & 0x0F], '\''};
}

// Interprets a suffix the way Kubernetes' suffixer does; false if unknown.
// `exponent_out_of_range` is set for an "e<N>" suffix whose N does not fit
// an int32 scale (newer Kubernetes rejects those rather than truncating).
bool InterpretSuffix(absl::string_view s, Suffix* out, bool* exponent_out_of_range) {
  using F = Quantity::Format;
  *exponent_out_of_range = false;
  if (s.empty()) {
    *out = {10, 0, F::kDecimalSI};
    return true;
  }
  if (s.size() == 1) {
    switch (s[0]) {
      case 'n':
        *out = {10, -9, F::kDecimalSI};
        return true;
      case 'u':
        *out = {10, -6, F::kDecimalSI};
        return true;
      case 'm':
        *out = {10, -3, F::kDecimalSI};
        return true;
      case 'k':
        *out = {10, 3, F::kDecimalSI};
        return true;
      case 'M':
        *out = {10, 6, F::kDecimalSI};
        return true;
      case 'G':
        *out = {10, 9, F::kDecimalSI};
        return true;
      case 'T':
        *out = {10, 12, F::kDecimalSI};
        return true;
      case 'P':
        *out = {10, 15, F::kDecimalSI};
        return true;
      case 'E':
        *out = {10, 18, F::kDecimalSI};
        return true;
      default:
        return false;
    }
  }
  if (s.size() == 2 && s[1] == 'i') {
    static constexpr absl::string_view kBinary = "KMGTPE";
    const size_t idx = kBinary.find(s[0]);
    if (idx != absl::string_view::npos) {
      *out = {2, static_cast<int64_t>(idx + 1) * 10, F::kBinarySI};
      return true;
    }
    return false;
  }
  if (s[0] != 'e' && s[0] != 'E') return false;
  // "e" followed by a Go strconv.ParseInt-style integer: sign, then digits.
  size_t pos = 1;
  bool negative = false;
  if (s[pos] == '+' || s[pos] == '-') {
    negative = s[pos] == '-';
    ++pos;
  }
  if (pos == s.size()) return false;
  int64_t value = 0;
  constexpr int64_t kLimit = std::numeric_limits<int32_t>::max();
  bool too_big = false;
  for (; pos < s.size(); ++pos) {
    if (!IsDigit(s[pos])) return false;
    if (!too_big) {
      value = value * 10 + (s[pos] - '0');
      if (value > kLimit) too_big = true;
    }
  }
  if (too_big) {
    *exponent_out_of_range = true;
    return false;
  }
  *out = {10, negative ? -value : value, F::kDecimalExponent};
  return true;
}

// The digits of a number, as a view over the integer and fraction parts.
struct DigitSpan {
  absl::string_view int_part;
  absl::string_view frac_part;
  size_t size() const { return int_part.size() + frac_part.size(); }
  char operator[](size_t i) const {
    return i < int_part.size() ? int_part[i] : frac_part[i - int_part.size()];
  }
};

// Accumulates decimal digits [begin, end) of `digits` into *out; false on
// overflow of `limit`.
bool AccumulateDigits(const absl::InlinedVector<uint8_t, 48>& digits, size_t begin, size_t end,
                      u128 limit, u128* out) {
  u128 v = 0;
  for (size_t i = begin; i < end; ++i) {
    const u128 d = digits[i];
    if (v > (limit - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

// Magnitude in nano-units of D * 10^exp9 * 2^binary_exponent where D is the
// significant-digit string (no leading or trailing zeros). Rounds up any
// fraction. Returns false if the magnitude exceeds `limit`.
bool SlowMagnitude(const DigitSpan& span, size_t first, size_t last, int64_t exp9,
                   int64_t binary_exponent, u128 limit, u128* out) {
  // Big-endian decimal digits of D.
  absl::InlinedVector<uint8_t, 48> digits;
  digits.reserve(last - first + 1 + 19);
  for (size_t i = first; i <= last; ++i) digits.push_back(static_cast<uint8_t>(span[i] - '0'));
  // Multiply by 2^binary_exponent, 1024 at a time.
  for (int64_t step = 0; step < binary_exponent / 10; ++step) {
    uint32_t carry = 0;
    for (size_t i = digits.size(); i-- > 0;) {
      const uint32_t v = static_cast<uint32_t>(digits[i]) * 1024u + carry;
      digits[i] = static_cast<uint8_t>(v % 10);
      carry = v / 10;
    }
    absl::InlinedVector<uint8_t, 8> head;
    while (carry > 0) {
      head.push_back(static_cast<uint8_t>(carry % 10));
      carry /= 10;
    }
    digits.insert(digits.begin(), head.rbegin(), head.rend());
  }
  const auto m = static_cast<int64_t>(digits.size());
  // The magnitude limit has 39 digits: anything with more overflows.
  constexpr int64_t kMaxDigits = 39;
  if (exp9 >= 0) {
    if (m + exp9 > kMaxDigits) return false;
    u128 v = 0;
    if (!AccumulateDigits(digits, 0, digits.size(), limit, &v)) return false;
    const u128 p = Pow10(exp9);
    if (v > limit / p) return false;
    *out = v * p;
    return true;
  }
  const int64_t k = -exp9;  // digits after the nano point
  u128 integer = 0;
  bool fraction = false;
  if (k >= m) {
    fraction = true;  // D is non-zero, so some digit after the point is
  } else {
    const auto split = static_cast<size_t>(m - k);
    if (m - k > kMaxDigits) return false;
    if (!AccumulateDigits(digits, 0, split, limit, &integer)) return false;
    for (size_t i = split; i < digits.size(); ++i) {
      if (digits[i] != 0) {
        fraction = true;
        break;
      }
    }
  }
  if (fraction) {
    if (integer == limit) return false;
    ++integer;
  }
  *out = integer;
  return true;
}

// Appends the decimal digits of v.
void AppendU128(u128 v, std::string* out) {
  if (v <= std::numeric_limits<uint64_t>::max()) {
    absl::StrAppend(out, static_cast<uint64_t>(v));
    return;
  }
  char buf[40];
  size_t n = 0;
  do {
    buf[n++] = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  } while (v != 0);
  while (n > 0) out->push_back(buf[--n]);
}

// Divides *v by 10 as long as it stays exact; returns how many times. 64-bit
// arithmetic while the value fits (128-bit division is a library call).
int StripTrailingZeros(u128* v) {
  int zeros = 0;
  while (*v > std::numeric_limits<uint64_t>::max() && *v % 10 == 0) {
    *v /= 10;
    ++zeros;
  }
  if (*v <= std::numeric_limits<uint64_t>::max()) {
    auto small = static_cast<uint64_t>(*v);
    while (small % 10 == 0) {
      small /= 10;
      ++zeros;
    }
    *v = small;
  }
  return zeros;
}

i128 Saturate(i128 a, i128 b, bool add, bool* exact) {
  i128 r = 0;
  const bool overflow = add ? __builtin_add_overflow(a, b, &r) : __builtin_sub_overflow(a, b, &r);
  const auto max = static_cast<i128>(kMaxMagnitude);
  if (overflow) {
    *exact = false;
    // The true result has the sign of `a` (or of +/-b when a is small).
    const bool positive = add ? (b > 0) : (b < 0);
    return positive ? max : -max;
  }
  if (r > max || r < -max) {
    *exact = false;
    return r > 0 ? max : -max;
  }
  *exact = true;
  return r;
}

int64_t SaturateToInt64(i128 v) {
  if (v > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (v < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

// nanos / 10^k rounded away from zero.
i128 DivideAwayFromZero(i128 nanos, int64_t k) {
  const auto p = static_cast<i128>(Pow10(k));
  i128 q = nanos / p;
  if (nanos % p != 0) q += nanos < 0 ? -1 : 1;
  return q;
}

}  // namespace

absl::StatusOr<Quantity> Quantity::Parse(absl::string_view text) {
  // The forms nearly every manifest uses ("500m", "64Mi", "2", "1Gi"): one to
  // nine digits without a leading zero and a common suffix. The value is
  // exact and far inside the range, so the general path below would compute
  // the same Quantity; anything else takes that path.
  {
    size_t n = 0;
    uint64_t d = 0;
    while (n < text.size() && n < 10 && IsDigit(text[n])) {
      d = d * 10 + static_cast<uint64_t>(text[n] - '0');
      ++n;
    }
    if (n >= 1 && n <= 9 && text[0] != '0') {
      const absl::string_view suffix = text.substr(n);
      int decimal = -1;  // nanos = d * 10^decimal
      int binary = -1;   // nanos = d * 2^binary * 10^9
      if (suffix.empty()) {
        decimal = 9;
      } else if (suffix.size() == 1) {
        switch (suffix[0]) {
          case 'm':
            decimal = 6;
            break;
          case 'k':
            decimal = 12;
            break;
          case 'M':
            decimal = 15;
            break;
          case 'G':
            decimal = 18;
            break;
          default:
            break;
        }
      } else if (suffix.size() == 2 && suffix[1] == 'i') {
        switch (suffix[0]) {
          case 'K':
            binary = 10;
            break;
          case 'M':
            binary = 20;
            break;
          case 'G':
            binary = 30;
            break;
          default:
            break;
        }
      }
      if (decimal >= 0) {
        return Quantity(static_cast<i128>(static_cast<u128>(d) * Pow10(decimal)),
                        Format::kDecimalSI);
      }
      if (binary >= 0) {
        // d >= 1, so the value is at least 1Ki: it keeps the binary format.
        return Quantity(static_cast<i128>((static_cast<u128>(d) << binary) * kNanosPerUnit),
                        Format::kBinarySI);
      }
    }
  }
  if (text.empty()) return ParseError(text, "empty string");
  // Scan as Kubernetes' parseQuantityString does: sign, digits, fraction,
  // then a suffix of suffix letters, an optional sign and digits.
  const size_t end = text.size();
  size_t pos = 0;
  bool negative = false;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    ++pos;
  }
  const size_t int_begin = pos;
  while (pos < end && IsDigit(text[pos])) ++pos;
  DigitSpan span;
  span.int_part = text.substr(int_begin, pos - int_begin);
  if (pos < end && text[pos] == '.') {
    ++pos;
    const size_t frac_begin = pos;
    while (pos < end && IsDigit(text[pos])) ++pos;
    span.frac_part = text.substr(frac_begin, pos - frac_begin);
  }
  const size_t suffix_begin = pos;
  while (pos < end && IsSuffixLetter(text[pos])) ++pos;
  if (pos < end && (text[pos] == '+' || text[pos] == '-')) ++pos;
  while (pos < end && IsDigit(text[pos])) ++pos;
  const absl::string_view suffix_text = text.substr(suffix_begin);
  if (pos != end) {
    bool suffixish = !suffix_text.empty();
    for (char c : suffix_text) suffixish = suffixish && IsSuffixishChar(c);
    if (suffixish && (suffix_begin == 0 || (suffix_text[0] != '+' && suffix_text[0] != '-'))) {
      return ParseError(text, absl::StrCat("unknown suffix ", QuoteForMessage(suffix_text)));
    }
    return ParseError(
        text, absl::StrCat("unexpected character ", DescribeChar(text[pos]), " at offset ", pos));
  }
  Suffix suffix;
  bool exponent_out_of_range = false;
  if (!InterpretSuffix(suffix_text, &suffix, &exponent_out_of_range)) {
    if (exponent_out_of_range) return ParseError(text, "exponent out of range");
    return ParseError(text, absl::StrCat("unknown suffix ", QuoteForMessage(suffix_text)));
  }

  // Significant digits D and the decimal exponent of their last digit.
  const size_t n_digits = span.size();
  size_t first = 0;
  while (first < n_digits && span[first] == '0') ++first;
  if (first == n_digits) return Quantity(0, suffix.format);
  size_t last = n_digits - 1;
  while (span[last] == '0') --last;
  const int64_t exp10 = static_cast<int64_t>(span.int_part.size()) - 1 - static_cast<int64_t>(last);
  const bool binary = suffix.base == 2;
  // value = D * 10^exp9 * 2^binary_exponent nano-units.
  const int64_t exp9 = exp10 + 9 + (binary ? 0 : suffix.exponent);
  const int64_t binary_exponent = binary ? suffix.exponent : 0;
  const u128 limit = binary ? kBinaryCapNanos : kMaxMagnitude;

  u128 magnitude = 0;
  bool in_range = true;
  const size_t n_significant = last - first + 1;
  if (n_significant <= 19) {
    // Fast path: D fits a uint64, D * 2^60 fits 124 bits.
    uint64_t d = 0;
    for (size_t i = first; i <= last; ++i) d = d * 10 + static_cast<uint64_t>(span[i] - '0');
    const u128 x = static_cast<u128>(d) << binary_exponent;
    if (exp9 >= 0) {
      if (exp9 > kMaxPow10) {
        in_range = false;
      } else {
        // x * p > limit, without a 128-bit division.
        if (__builtin_mul_overflow(x, Pow10(exp9), &magnitude) || magnitude > limit) {
          in_range = false;
        }
      }
    } else if (-exp9 > kMaxPow10) {
      magnitude = 1;  // 0 < x < 2^124 < 10^38: rounds up to 1n
    } else {
      const u128 p = Pow10(-exp9);
      magnitude = x / p + (x % p != 0 ? 1 : 0);
      if (magnitude > limit) in_range = false;
    }
  } else {
    in_range = SlowMagnitude(span, first, last, exp9, binary_exponent, limit, &magnitude);
  }
  if (!in_range) {
    if (!binary) return ParseError(text, "value too large (Sluice's limit is about 1.7e29)");
    magnitude = kBinaryCapNanos;
  }
  Format format = suffix.format;
  if (binary && magnitude < kNanosPerUnit) format = Format::kDecimalSI;
  const auto signed_nanos = static_cast<i128>(magnitude);
  return Quantity(negative ? -signed_nanos : signed_nanos, format);
}

Quantity Quantity::FromMilli(int64_t milli, Format format) {
  return Quantity(static_cast<i128>(milli) * 1'000'000, format);
}

Quantity Quantity::FromInt(int64_t value, Format format) {
  return Quantity(static_cast<i128>(value) * static_cast<i128>(kNanosPerUnit), format);
}

Quantity Quantity::FromNanos(absl::int128 nanos, Format format) {
  i128 v = Raw(nanos);
  const auto max = static_cast<i128>(kMaxMagnitude);
  if (v < -max) v = -max;
  return Quantity(v, format);
}

absl::int128 Quantity::MaxNanos() { return static_cast<i128>(kMaxMagnitude); }

std::string Quantity::String() const {
  const i128 nanos = Raw(nanos_);
  if (nanos == 0) return "0";
  std::string out;
  out.reserve(24);
  if (nanos < 0) out.push_back('-');
  u128 magnitude = Magnitude(nanos);
  Format format = format_;
  if (format == Format::kBinarySI) {
    if (magnitude < 1024 * kNanosPerUnit || magnitude % kNanosPerUnit != 0) {
      format = Format::kDecimalSI;
    } else {
      u128 units = magnitude / kNanosPerUnit;
      int exponent = 0;
      while (units % 1024 == 0) {
        units /= 1024;
        ++exponent;
      }
      if (exponent <= 6) {
        static constexpr const char* kBinarySuffixes[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
        AppendU128(units, &out);
        out.append(kBinarySuffixes[exponent]);
        return out;
      }
      // No binary suffix past Ei: print exactly in exponent form.
      format = Format::kDecimalExponent;
    }
  }
  // Move factors of ten into the exponent, then lower it to a multiple of 3.
  const int exponent = StripTrailingZeros(&magnitude) - 9;
  const int exponent3 = exponent >= 0 ? exponent / 3 * 3 : -((-exponent + 2) / 3 * 3);
  for (int i = exponent3; i < exponent; ++i) magnitude *= 10;
  if (format == Format::kDecimalSI && exponent3 > 18) format = Format::kDecimalExponent;
  AppendU128(magnitude, &out);
  if (format == Format::kDecimalSI) {
    static constexpr const char* kDecimalSuffixes[] = {"n", "u", "m", "",  "k",
                                                       "M", "G", "T", "P", "E"};
    out.append(kDecimalSuffixes[(exponent3 + 9) / 3]);
  } else if (exponent3 != 0) {
    absl::StrAppend(&out, "e", exponent3);
  }
  return out;
}

int64_t Quantity::Value() const { return SaturateToInt64(DivideAwayFromZero(Raw(nanos_), 9)); }

int64_t Quantity::MilliValue() const { return SaturateToInt64(DivideAwayFromZero(Raw(nanos_), 6)); }

bool Quantity::RoundUp(int decimal_exponent) {
  if (decimal_exponent < -9) decimal_exponent = -9;
  if (decimal_exponent > 18) decimal_exponent = 18;
  const int64_t k = decimal_exponent + 9;
  const i128 nanos = Raw(nanos_);
  if (k == 0) return true;
  if (nanos >= std::numeric_limits<int64_t>::min() &&
      nanos <= std::numeric_limits<int64_t>::max() && k <= 18) {
    // Common case, in 64-bit arithmetic.
    if (static_cast<int64_t>(nanos) % static_cast<int64_t>(Pow10(k)) == 0) return true;
  } else if (nanos % static_cast<i128>(Pow10(k)) == 0) {
    return true;
  }
  const i128 q = DivideAwayFromZero(nanos, k);
  const auto p = static_cast<i128>(Pow10(k));
  const auto max = static_cast<i128>(kMaxMagnitude);
  if (q > max / p) {
    nanos_ = max;
  } else if (q < -(max / p)) {
    nanos_ = -max;
  } else {
    nanos_ = q * p;
  }
  return false;
}

bool Quantity::Add(const Quantity& other) {
  if (IsZero()) format_ = other.format_;
  bool exact = true;
  nanos_ = Saturate(Raw(nanos_), Raw(other.nanos_), /*add=*/true, &exact);
  return exact;
}

bool Quantity::Sub(const Quantity& other) {
  if (IsZero()) format_ = other.format_;
  bool exact = true;
  nanos_ = Saturate(Raw(nanos_), Raw(other.nanos_), /*add=*/false, &exact);
  return exact;
}

std::ostream& operator<<(std::ostream& os, const Quantity& q) { return os << q.String(); }

absl::string_view FormatName(Quantity::Format format) {
  switch (format) {
    case Quantity::Format::kDecimalSI:
      return "DecimalSI";
    case Quantity::Format::kBinarySI:
      return "BinarySI";
    case Quantity::Format::kDecimalExponent:
      return "DecimalExponent";
  }
  return "DecimalSI";
}

}  // namespace sluice
