#ifndef SLUICE_TOOLS_SLUICECTL_WATCH_COMMAND_H_
#define SLUICE_TOOLS_SLUICECTL_WATCH_COMMAND_H_

#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/time/time.h"
#include "sluice/v1/scheduler.pb.h"
#include "tools/sluicectl/command.h"

namespace sluice::ctl {

// `sluicectl watch [--workflow UID] [--after SEQ]`: WatchEvents, one line
// per pod event (with -o json: one JSON PodEvent per line), flushed as it
// comes, until Ctrl-C (exit 0) or until sluiced ends the stream (exit 3; 1
// if the events after --after are no longer kept).
std::unique_ptr<Command> AddWatchCommand(CLI::App& root);

// The column header of the human form, and one event's line; `zone` for
// the time of day. `with_workflow`: name the event's workflow (when not
// filtered to one).
std::string WatchHeader();
std::string EventLine(const v1::PodEvent& event, absl::TimeZone zone, bool with_workflow);

}  // namespace sluice::ctl

#endif  // SLUICE_TOOLS_SLUICECTL_WATCH_COMMAND_H_
