#ifndef SLUICE_TOOLS_SLUICECTL_CAPACITY_COMMAND_H_
#define SLUICE_TOOLS_SLUICECTL_CAPACITY_COMMAND_H_

#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "sluice/v1/scheduler.pb.h"
#include "tools/sluicectl/command.h"

namespace sluice::ctl {

// `sluicectl capacity`: GetCapacity — the default policy, intents waiting on
// capacity, one row per pool (class, state and time left in it, used/limit
// for pods, vCPU, memory and GPUs, creates in flight, failure counts), then
// the pools' recent failures.
std::unique_ptr<Command> AddCapacityCommand(CLI::App& root);

// The human form of a GetCapacityResponse.
std::string CapacityText(const v1::GetCapacityResponse& capacity);

}  // namespace sluice::ctl

#endif  // SLUICE_TOOLS_SLUICECTL_CAPACITY_COMMAND_H_
