#ifndef SLUICE_TOOLS_SLUICECTL_EXIT_CODE_H_
#define SLUICE_TOOLS_SLUICECTL_EXIT_CODE_H_

#include "absl/status/status.h"

namespace sluice::ctl {

// sluicectl's exit statuses (listed in `sluicectl --help`).
enum ExitCode : int {
  kExitOk = 0,
  // The call was made but did not fully succeed (intents rejected, pods not
  // found) or sluiced refused it.
  kExitFailed = 1,
  // The command line or an input file is wrong; nothing was sent.
  kExitUsage = 2,
  // sluiced could not be reached or did not answer in time.
  kExitUnreachable = 3,
};

// A command's outcome as an exit status: OK -> 0; InvalidArgument,
// NotFound (an input file) -> 2; Unavailable, DeadlineExceeded -> 3;
// anything else -> 1.
int ExitCodeFor(const absl::Status& status);

}  // namespace sluice::ctl

#endif  // SLUICE_TOOLS_SLUICECTL_EXIT_CODE_H_
