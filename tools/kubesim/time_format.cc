#include "tools/kubesim/time_format.h"

#include <cstdint>

#include "tools/kubesim/strings.h"

namespace sluice::kubesim {

namespace {

// Days since 1970-01-01 -> civil date (H. Hinnant's civil_from_days).
void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

void Two(char* p, int v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

// Called for every timestamp of every encoded object: a hand-rolled
// formatter, several times faster than absl::FormatTime.
std::string FormatRfc3339(absl::Time t) {
  const int64_t secs = absl::ToUnixSeconds(t);
  if (secs < 0 || secs >= int64_t{253402300800}) {  // outside years 1970..9999
    return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  int64_t year;
  int month, day;
  CivilFromDays(days, &year, &month, &day);
  char buf[20];
  const int y = static_cast<int>(year);
  buf[0] = static_cast<char>('0' + y / 1000);
  buf[1] = static_cast<char>('0' + (y / 100) % 10);
  buf[2] = static_cast<char>('0' + (y / 10) % 10);
  buf[3] = static_cast<char>('0' + y % 10);
  buf[4] = '-';
  Two(buf + 5, month);
  buf[7] = '-';
  Two(buf + 8, day);
  buf[10] = 'T';
  Two(buf + 11, static_cast<int>(rem / 3600));
  buf[13] = ':';
  Two(buf + 14, static_cast<int>((rem / 60) % 60));
  buf[16] = ':';
  Two(buf + 17, static_cast<int>(rem % 60));
  buf[19] = 'Z';
  return std::string(buf, sizeof(buf));
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
