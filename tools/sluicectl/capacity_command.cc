#include "tools/sluicectl/capacity_command.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "tools/sluicectl/human_format.h"
#include "tools/sluicectl/table.h"

namespace sluice::ctl {
namespace {

// "used/limit"; "-" for no limit.
std::string UsedOf(absl::string_view used, absl::string_view limit) {
  return absl::StrCat(used.empty() ? "0" : used, "/", limit.empty() ? "-" : limit);
}

std::string StateText(const v1::PoolStatus& pool) {
  if (pool.state_remaining_ms() == 0) return pool.state();
  return absl::StrCat(pool.state(), " (", MillisText(pool.state_remaining_ms()), " left)");
}

class CapacityCommand : public Command {
 public:
  explicit CapacityCommand(CLI::App& root)
      : Command(root.add_subcommand("capacity", "Capacity pools: state, usage, failures")) {}

  absl::Status Run(CommandContext& context) override {
    absl::StatusOr<Connection*> connection = context.Connect();
    if (!connection.ok()) return connection.status();
    v1::GetCapacityResponse response;
    grpc::ClientContext call;
    (*connection)->SetDeadline(call);
    const grpc::Status status =
        (*connection)->stub().GetCapacity(&call, v1::GetCapacityRequest(), &response);
    if (!status.ok()) return (*connection)->Explain(status, "GetCapacity");
    std::fputs((context.json() ? ToJson(response) : CapacityText(response)).c_str(), stdout);
    return absl::OkStatus();
  }
};

}  // namespace

std::unique_ptr<Command> AddCapacityCommand(CLI::App& root) {
  return std::make_unique<CapacityCommand>(root);
}

std::string CapacityText(const v1::GetCapacityResponse& c) {
  if (c.pools_size() == 0) {
    return "No capacity pools are configured: pods go to the APIServer without placement.\n";
  }
  std::string out = absl::StrCat("Default policy ", PolicyWord(c.default_policy()), "; ",
                                 c.waiting_on_capacity(), " intents waiting on capacity.\n\n");
  Table pools({"POOL", "CLASS", "ORDER", "STATE", "PODS", "VCPU", "MEMORY", "GPU", "IN-FLIGHT",
               "STOCKOUTS", "BACKOFFS", "INTERRUPTIONS"});
  Table failures({"POOL", "TIME", "REASON", "MESSAGE"});
  for (const v1::PoolStatus& p : c.pools()) {
    pools.AddRow(
        {p.name(), p.class_(), absl::StrCat(p.order()), StateText(p),
         absl::StrCat(p.used_pods(), "/", p.max_pods() == 0 ? "-" : absl::StrCat(p.max_pods())),
         UsedOf(p.used_vcpu(), p.max_vcpu()), UsedOf(p.used_memory(), p.max_memory()),
         UsedOf(p.used_gpu(), p.max_gpu()),
         absl::StrCat(p.in_flight_pods(), p.in_flight_pods() == 1 ? " pod, " : " pods, ",
                      p.in_flight_vcpu().empty() ? "0" : p.in_flight_vcpu(), " vCPU"),
         absl::StrCat(p.stockouts()), absl::StrCat(p.backoffs()), absl::StrCat(p.interruptions())});
    for (const v1::PoolStatus::Failure& f : p.recent_failures()) {
      failures.AddRow({p.name(), TimestampText(f.time()), f.reason(), f.message()});
    }
  }
  out += pools.Render();
  if (failures.rows() > 0) {
    out += "\nRecent failures:\n";
    out += failures.Render();
  }
  return out;
}

}  // namespace sluice::ctl
