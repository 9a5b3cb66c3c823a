#ifndef SLUICE_TOOLS_SLUICECTL_STATUS_COMMAND_H_
#define SLUICE_TOOLS_SLUICECTL_STATUS_COMMAND_H_

#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/time/time.h"
#include "sluice/v1/scheduler.pb.h"
#include "tools/sluicectl/command.h"

namespace sluice::ctl {

// `sluicectl status [--no-namespaces]`: GetStatus — epoch, version, uptime,
// queue depth against its cap, the write budget (with the adaptive shaper's
// state), intents by state, and one row per namespace (queued, waiting on
// quota, in flight, each quota's headroom).
std::unique_ptr<Command> AddStatusCommand(CLI::App& root);

// The human form of a status; `now` gives the uptime.
std::string StatusText(const v1::GetStatusResponse& status, absl::Time now);

}  // namespace sluice::ctl

#endif  // SLUICE_TOOLS_SLUICECTL_STATUS_COMMAND_H_
