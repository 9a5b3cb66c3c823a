#include "scheduler/kube/rfc3339.h"

#include <cstdint>

#include "absl/time/civil_time.h"

namespace sluice::kube {
namespace {

// Reads exactly `n` decimal digits at `pos`; false if any is not a digit.
bool ReadDigits(absl::string_view text, size_t pos, size_t n, int* out) {
  if (pos + n > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *out = value;
  return true;
}

}  // namespace

std::optional<absl::Time> ParseRfc3339(absl::string_view text) {
  // YYYY-MM-DDTHH:MM:SS is 19 characters; the offset needs at least one more.
  int year, month, day, hour, minute, second;
  if (text.size() < 20 || !ReadDigits(text, 0, 4, &year) || text[4] != '-' ||
      !ReadDigits(text, 5, 2, &month) || text[7] != '-' || !ReadDigits(text, 8, 2, &day) ||
      (text[10] != 'T' && text[10] != 't') || !ReadDigits(text, 11, 2, &hour) || text[13] != ':' ||
      !ReadDigits(text, 14, 2, &minute) || text[16] != ':' || !ReadDigits(text, 17, 2, &second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t nanos = 0;
  if (text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 9) {
        nanos = nanos * 10 + (text[pos] - '0');
        ++digits;
      }
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 9; ++i) nanos *= 10;
  }
  if (pos >= text.size()) return std::nullopt;
  int offset_seconds = 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    const int sign = text[pos] == '-' ? -1 : 1;
    int off_h, off_m;
    if (!ReadDigits(text, pos + 1, 2, &off_h) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !ReadDigits(text, pos + 4, 2, &off_m) || off_h > 23 || off_m > 59) {
      return std::nullopt;
    }
    offset_seconds = sign * (off_h * 3600 + off_m * 60);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  const absl::CivilSecond civil(year, month, day, hour, minute, second);
  // CivilSecond normalises out-of-range fields (Feb 30 -> Mar 2): reject those.
  if (civil.day() != day || civil.month() != month) return std::nullopt;
  return absl::FromCivil(civil, absl::UTCTimeZone()) - absl::Seconds(offset_seconds) +
         absl::Nanoseconds(nanos);
}

}  // namespace sluice::kube
