#ifndef SLUICE_TOOLS_SLUICECTL_COST_COMMAND_H_
#define SLUICE_TOOLS_SLUICECTL_COST_COMMAND_H_

#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sluice/v1/scheduler.pb.h"
#include "tools/sluicectl/command.h"

namespace sluice::ctl {

// `sluicectl cost --by workflow|namespace|pool|class|pod|label=KEY
//  [--since 24h] [--until DURATION-AGO] [--workflow UID] [--top N]
//  [--currency CODE] [--format table|csv|json]`: GetCost. Money is shown as
// exact decimals of the currency (9 places); JSON is the API's message
// (cost_nano integers). `--by pod -o json` lists every attempt with its
// times, billed quantities, pool and cost.
std::unique_ptr<Command> AddCostCommand(CLI::App& root);

// The request for `--by` and a window `since` ago up to now (0: no bound).
absl::StatusOr<v1::GetCostRequest> CostRequest(const std::string& by, absl::Duration since,
                                               absl::Time now);

// "12.345000000"-style exact decimal of nano-units.
std::string MoneyText(int64_t nanos);

// The human and CSV forms of a GetCostResponse (`by` picks the columns).
std::string CostText(const v1::GetCostResponse& cost, const std::string& by);
std::string CostCsv(const v1::GetCostResponse& cost, const std::string& by);

}  // namespace sluice::ctl

#endif  // SLUICE_TOOLS_SLUICECTL_COST_COMMAND_H_
