#include "tools/loadgen/process_cpu.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sluice::loadgen {

absl::StatusOr<double> ParseProcStatCpuSeconds(const std::string& stat, long ticks_per_second) {
  // "PID (COMM) STATE ...": COMM may hold spaces and parentheses; fields
  // are counted after the last ')'. STATE is field 3, utime 14, stime 15.
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos || ticks_per_second <= 0) {
    return absl::InvalidArgumentError("not a /proc/PID/stat line");
  }
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(stat).substr(paren + 1), ' ', absl::SkipEmpty());
  uint64_t utime = 0, stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) ||
      !absl::SimpleAtoi(fields[12], &stime)) {
    return absl::InvalidArgumentError("/proc/PID/stat: no utime/stime");
  }
  return static_cast<double>(utime + stime) / static_cast<double>(ticks_per_second);
}

absl::StatusOr<double> ProcessCpuSeconds(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return absl::NotFoundError(absl::StrCat("no process ", pid));
  return ParseProcStatCpuSeconds(text.str(), sysconf(_SC_CLK_TCK));
}

}  // namespace sluice::loadgen
