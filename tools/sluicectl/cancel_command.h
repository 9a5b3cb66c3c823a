#ifndef SLUICE_TOOLS_SLUICECTL_CANCEL_COMMAND_H_
#define SLUICE_TOOLS_SLUICECTL_CANCEL_COMMAND_H_

#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "sluice/v1/scheduler.pb.h"
#include "tools/sluicectl/command.h"

namespace sluice::ctl {

// `sluicectl cancel --workflow UID` or `sluicectl cancel NS/NAME...`
// [--keep-created]: Cancel; prints how many intents were dropped from the
// queue, how many pods are being deleted, how many were already done or
// unknown. Fails (exit 1) if the workflow or a named pod is unknown to
// sluiced (a workflow whose intents have all finished is known: nothing is
// cancelled, exit 0).
std::unique_ptr<Command> AddCancelCommand(CLI::App& root);

// Parses "NS/NAME", or "NAME" in `default_namespace`.
absl::StatusOr<v1::PodKey> ParsePodKey(const std::string& text,
                                       const std::string& default_namespace);

// The human form of a CancelResponse.
std::string CancelText(const v1::CancelResponse& response);

}  // namespace sluice::ctl

#endif  // SLUICE_TOOLS_SLUICECTL_CANCEL_COMMAND_H_
