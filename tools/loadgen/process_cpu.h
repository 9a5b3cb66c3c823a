#ifndef SLUICE_TOOLS_LOADGEN_PROCESS_CPU_H_
#define SLUICE_TOOLS_LOADGEN_PROCESS_CPU_H_

#include <sys/types.h>

#include <string>

#include "absl/status/statusor.h"

namespace sluice::loadgen {

// CPU time (user + system, in seconds) a running process has used so far,
// all its threads included, from /proc/PID/stat. On a machine shared with
// other work, CPU per operation says more than operations per second.
absl::StatusOr<double> ProcessCpuSeconds(pid_t pid);

// Parses the text of /proc/PID/stat (utime and stime are fields 14 and 15,
// in clock ticks of `ticks_per_second`).
absl::StatusOr<double> ParseProcStatCpuSeconds(const std::string& stat, long ticks_per_second);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_PROCESS_CPU_H_
