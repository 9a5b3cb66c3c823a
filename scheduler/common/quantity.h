#ifndef SLUICE_SCHEDULER_COMMON_QUANTITY_H_
#define SLUICE_SCHEDULER_COMMON_QUANTITY_H_

#include <compare>
#include <cstdint>
#include <iosfwd>
#include <string>

#include "absl/numeric/int128.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sluice {

// A Kubernetes resource quantity ("500m", "1.5Gi", "2e3"), held exactly as a
// signed 128-bit count of nano-units together with the format family it was
// written in. Parsing and printing follow k8s.io/apimachinery's
// resource.Quantity (ParseQuantity, CanonicalizeBytes):
//
//   <quantity> ::= <sign>? <digits>? ("." <digits>?)? <suffix>
//   <suffix>   ::= binary "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei"
//                | decimal "n" | "u" | "m" | "" | "k" | "M" | "G" | "T" | "P" | "E"
//                | exponent ("e" | "E") <sign>? <digits>
//
// - Suffixes are case-sensitive. Precision below 1n is rounded up, away from
//   zero ("0.1n" is 1n, "-0.1n" is -1n), as Kubernetes does.
// - Like Kubernetes, a missing number reads as zero: the empty string is
//   rejected, but ".", "-", "+", "Ki" and "m" all parse as zero.
// - Like Kubernetes, a binary-suffixed value larger in magnitude than
//   2^63-1 is capped at 2^63-1 ("8Ei" reads as 9223372036854775807), and a
//   binary-suffixed value strictly between -1 and 1 switches to DecimalSI.
// - Decimal and exponent values are exact up to about 1.7e29 in magnitude
//   (2^127-1 nano-units); beyond that Parse fails with "value too large"
//   instead of wrapping (Kubernetes would keep arbitrary precision).
//
// String() prints the canonical form Kubernetes prints: the largest suffix of
// the value's format family that leaves no fraction ("1.5" -> "1500m",
// "1.5Gi" -> "1536Mi", "0.1m" -> "100u", "2e3" -> "2e3", "1024Mi" -> "1Gi").
// A BinarySI value below 1024 in magnitude or not a whole number prints as
// DecimalSI ("0.5Ki" -> "512"); a DecimalSI value past the "E" suffix and a
// BinarySI value past "Ei" print in exponent form ("1000E" -> "1e21"), as
// current Kubernetes does.
//
// Comparison and equality look at the value only: "1Gi" == "1073741824".
// Add, Sub and the operators saturate at +/-(2^127-1) nano-units and say so
// (Add and Sub return false); Value() and MilliValue() round away from zero
// and saturate at the int64 limits.
//
// A Quantity is a small value type (32 bytes); not synchronized: copy it
// rather than share a mutable one between threads.
//
// Example:
//   absl::StatusOr<Quantity> q = Quantity::Parse("1.5Gi");
//   if (!q.ok()) return q.status();   // e.g. "\"12Gb\": unknown suffix \"Gb\""
//   q->String();                      // "1536Mi"
//   q->Value();                       // 1610612736
class Quantity {
 public:
  // How a quantity prints; remembered from the parsed suffix.
  enum class Format : uint8_t {
    kDecimalSI,        // 12M, 500m
    kBinarySI,         // 12Mi
    kDecimalExponent,  // 12e6
  };

  // Zero, DecimalSI.
  constexpr Quantity() = default;

  // Parses a quantity written as Kubernetes accepts it. Errors are
  // InvalidArgument with the quoted input and the reason, e.g.
  //   "1.5.2": unexpected character '.' at offset 3
  //   "12Gb": unknown suffix "Gb"
  //   "": empty string
  //   "1e30": value too large (Sluice's limit is about 1.7e29)
  // No whitespace is allowed (Kubernetes trims it only when decoding JSON).
  static absl::StatusOr<Quantity> Parse(absl::string_view text);

  // value * 10^-3, e.g. FromMilli(500) is "500m".
  static Quantity FromMilli(int64_t milli, Format format = Format::kDecimalSI);
  // value, e.g. FromInt(2, Format::kBinarySI); FromInt(1024, Format::kBinarySI) is "1Ki".
  static Quantity FromInt(int64_t value, Format format = Format::kDecimalSI);
  // value * 10^-9. INT128_MIN is raised to -(2^127-1).
  static Quantity FromNanos(absl::int128 nanos, Format format = Format::kDecimalSI);

  // The largest magnitude, in nano-units: 2^127-1.
  static absl::int128 MaxNanos();

  // The canonical text (see the class comment). Never empty; zero is "0".
  std::string String() const;

  absl::int128 nanos() const { return nanos_; }
  Format format() const { return format_; }
  void set_format(Format format) { format_ = format; }

  bool IsZero() const { return nanos_ == 0; }
  // -1, 0 or 1.
  int Sign() const { return nanos_ < 0 ? -1 : (nanos_ > 0 ? 1 : 0); }
  // -1, 0 or 1 as *this is less than, equal to or greater than `other`.
  int Cmp(const Quantity& other) const {
    return nanos_ < other.nanos_ ? -1 : (nanos_ > other.nanos_ ? 1 : 0);
  }

  // The value in units, rounded away from zero to an integer ("1500m" -> 2,
  // "-1500m" -> -2), saturated at the int64 limits.
  int64_t Value() const;
  // The value in milli-units, rounded away from zero ("0.1m" -> 1),
  // saturated at the int64 limits.
  int64_t MilliValue() const;

  // Rounds the value away from zero to a multiple of 10^decimal_exponent
  // (clamped to [-9, 18]); Kubernetes rounds every ResourceList value this way
  // to milli (-3) when it defaults a Pod. Returns false if the value changed.
  bool RoundUp(int decimal_exponent);

  // *this += other. If *this is zero it takes other's format (as Kubernetes
  // does). Returns false if the exact sum is out of range, in which case the
  // result saturates.
  bool Add(const Quantity& other);
  // *this -= other, with Add's format and saturation rules.
  bool Sub(const Quantity& other);
  // *this = -*this. Never overflows: the range is symmetric.
  void Neg() { nanos_ = -nanos_; }

  friend Quantity operator+(Quantity a, const Quantity& b) {
    a.Add(b);
    return a;
  }
  friend Quantity operator-(Quantity a, const Quantity& b) {
    a.Sub(b);
    return a;
  }
  friend Quantity operator-(Quantity a) {
    a.Neg();
    return a;
  }
  Quantity& operator+=(const Quantity& other) {
    Add(other);
    return *this;
  }
  Quantity& operator-=(const Quantity& other) {
    Sub(other);
    return *this;
  }

  // Value comparisons; the format does not take part.
  friend bool operator==(const Quantity& a, const Quantity& b) { return a.nanos_ == b.nanos_; }
  friend std::weak_ordering operator<=>(const Quantity& a, const Quantity& b) {
    return a.nanos_ < b.nanos_   ? std::weak_ordering::less
           : a.nanos_ > b.nanos_ ? std::weak_ordering::greater
                                 : std::weak_ordering::equivalent;
  }

  // Prints String() (for test failure messages and logs).
  friend std::ostream& operator<<(std::ostream& os, const Quantity& q);

 private:
  constexpr Quantity(absl::int128 nanos, Format format) : nanos_(nanos), format_(format) {}

  absl::int128 nanos_ = 0;
  Format format_ = Format::kDecimalSI;
};

// "DecimalSI", "BinarySI" or "DecimalExponent", as Kubernetes names them.
absl::string_view FormatName(Quantity::Format format);

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_COMMON_QUANTITY_H_
