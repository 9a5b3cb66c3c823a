#include "tools/kubesim/time_format.h"

#include <cstdint>

#include "tools/kubesim/strings.h"

namespace sluice::kubesim {

std::string FormatRfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

std::string FormatRfc3339Nanos(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
}

// Mirrors k8s.io/apimachinery/pkg/util/duration.HumanDuration.
std::string HumanDuration(absl::Duration d) {
  if (d < absl::Seconds(-1)) return "<invalid>";
  if (d < absl::ZeroDuration()) return "0s";
  const int64_t seconds = absl::ToInt64Seconds(d);
  if (seconds < 60 * 2) return Cat(seconds, "s");
  const int64_t minutes = absl::ToInt64Minutes(d);
  if (minutes < 10) {
    const int64_t s = seconds % 60;
    if (s == 0) return Cat(minutes, "m");
    return Cat(minutes, "m", s, "s");
  }
  if (minutes < 60 * 3) return Cat(minutes, "m");
  const int64_t hours = absl::ToInt64Hours(d);
  if (hours < 8) {
    const int64_t m = minutes % 60;
    if (m == 0) return Cat(hours, "h");
    return Cat(hours, "h", m, "m");
  }
  if (hours < 48) return Cat(hours, "h");
  if (hours < 24 * 8) {
    const int64_t h = hours % 24;
    if (h == 0) return Cat(hours / 24, "d");
    return Cat(hours / 24, "d", h, "h");
  }
  if (hours < 24 * 365 * 2) return Cat(hours / 24, "d");
  if (hours < 24 * 365 * 8) {
    const int64_t dy = (hours / 24) % 365;
    if (dy == 0) return Cat(hours / 24 / 365, "y");
    return Cat(hours / 24 / 365, "y", dy, "d");
  }
  return Cat(hours / 24 / 365, "y");
}

}  // namespace sluice::kubesim
