#ifndef SLUICE_TOOLS_SLUICECTL_SUBMIT_COMMAND_H_
#define SLUICE_TOOLS_SLUICECTL_SUBMIT_COMMAND_H_

#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "sluice/v1/scheduler.pb.h"
#include "tools/sluicectl/command.h"

namespace sluice::ctl {

// `sluicectl submit -f FILE...`: one intent per pod of the files (YAML or
// JSON; a Pod, a List, several documents), all in one workflow, sent with
// SubmitBatch in batches; prints one line per intent (ACCEPTED, DUPLICATE
// and the pod's state, REJECTED with the field and reason,
// RESOURCE_EXHAUSTED). Fails (exit 1) if any intent was not taken.
std::unique_ptr<Command> AddSubmitCommand(CLI::App& root);

// The human form of the answers to `intents` (same order; the response may
// answer only the first ones, when a later batch failed).
std::string SubmitText(const std::vector<v1::PodIntent>& intents,
                       const v1::SubmitResponse& response);

}  // namespace sluice::ctl

#endif  // SLUICE_TOOLS_SLUICECTL_SUBMIT_COMMAND_H_
