#include "tools/sluicectl/status_command.h"

#include <cstdio>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/sluicectl/human_format.h"
#include "tools/sluicectl/table.h"

namespace sluice::ctl {
namespace {

std::string Line(absl::string_view label, absl::string_view value) {
  return absl::StrFormat("%-14s %s\n", absl::StrCat(label, ":"), value);
}

std::string BudgetText(const v1::BudgetStatus& b) {
  return absl::StrCat(NumberText(b.qps()), " qps, burst ", b.burst(), ", ", NumberText(b.tokens()),
                      " tokens, in flight ", b.in_flight(), "/", b.max_in_flight());
}

std::string AdaptiveText(const v1::BudgetStatus& b) {
  if (!b.adaptive()) return "off";
  return absl::StrCat("on", b.slow_start() ? " (slow start)" : "", ", ", NumberText(b.floor_qps()),
                      "..", NumberText(b.ceiling_qps()),
                      " qps; decreases: ", b.decreases_throttled(), " on 429, ",
                      b.decreases_latency(), " on latency");
}

std::string StatesText(const v1::StateCounts& s) {
  const std::vector<std::pair<const char*, uint64_t>> counts = {
      {"queued", s.queued()},       {"dispatching", s.dispatching()},
      {"created", s.created()},     {"scheduled", s.scheduled()},
      {"running", s.running()},     {"succeeded", s.succeeded()},
      {"failed", s.failed()},       {"create-failed", s.create_failed()},
      {"cancelled", s.cancelled()}, {"deleted", s.deleted()}};
  std::vector<std::string> parts;
  for (const auto& [name, n] : counts) {
    if (n > 0) parts.push_back(absl::StrCat(name, " ", n));
  }
  return parts.empty() ? "none" : absl::StrJoin(parts, ", ");
}

std::string HeadroomText(const v1::NamespaceStatus& ns) {
  if (ns.quotas_size() == 0) return "-";
  std::vector<std::string> parts;
  for (const v1::QuotaStatus& q : ns.quotas()) {
    std::string part = absl::StrCat(q.name(), ": ");
    if (!q.status_known()) {
      absl::StrAppend(&part, "usage not counted yet");
    } else {
      absl::StrAppend(&part, KeyValues(q.headroom()));
    }
    if (q.unevaluated_scopes_size() > 0) {
      absl::StrAppend(
          &part, " (scopes assumed to match: ", absl::StrJoin(q.unevaluated_scopes(), ","), ")");
    }
    parts.push_back(std::move(part));
  }
  return absl::StrJoin(parts, "; ");
}

class StatusCommand : public Command {
 public:
  explicit StatusCommand(CLI::App& root)
      : Command(root.add_subcommand("status", "Queues, write budget and namespaces (GetStatus)")) {
    app_->add_flag("--no-namespaces", no_namespaces_, "Leave out the per-namespace rows");
    app_->add_flag("--config", config_,
                   "Also show the configuration in force (every key, after reloads)");
  }

  absl::Status Run(CommandContext& context) override {
    absl::StatusOr<Connection*> connection = context.Connect();
    if (!connection.ok()) return connection.status();
    v1::GetStatusRequest request;
    request.set_include_namespaces(!no_namespaces_);
    request.set_include_config(config_);
    v1::GetStatusResponse response;
    grpc::ClientContext call;
    (*connection)->SetDeadline(call);
    const grpc::Status status = (*connection)->stub().GetStatus(&call, request, &response);
    if (!status.ok()) return (*connection)->Explain(status, "GetStatus");
    const std::string text = context.json() ? ToJson(response) : StatusText(response, absl::Now());
    std::fputs(text.c_str(), stdout);
    return absl::OkStatus();
  }

 private:
  bool no_namespaces_ = false;
  bool config_ = false;
};

}  // namespace

std::unique_ptr<Command> AddStatusCommand(CLI::App& root) {
  return std::make_unique<StatusCommand>(root);
}

std::string StatusText(const v1::GetStatusResponse& s, absl::Time now) {
  const absl::Duration up = std::max(absl::ZeroDuration(), now - ToTime(s.started()));
  std::string out = absl::StrCat("sluiced ", s.version(), ", epoch ", EpochText(s.epoch()), ", up ",
                                 MillisText(static_cast<uint64_t>(absl::ToInt64Milliseconds(up))),
                                 " (since ", TimestampText(s.started()), ")\n");
  out += Line("APIServer", s.kube_server());
  out += Line("Queue",
              absl::StrCat(s.queue_depth(), " queued (cap ", s.queue_cap(), "), ", s.backing_off(),
                           " backing off, ", s.deletes_queued(), " deletes queued"));
  out += Line("Workflows", absl::StrCat(s.active_workflows(), " active"));
  out += Line("Budget", BudgetText(s.budget()));
  out += Line("Adaptive", AdaptiveText(s.budget()));
  if (s.budget().paused_ms() > 0) {
    out += Line("Paused", absl::StrCat(MillisText(s.budget().paused_ms()), " more (Retry-After)"));
  }
  out += Line("Intents", StatesText(s.states()));
  out += Line("Watch streams", absl::StrCat(s.watch_streams()));
  if (s.has_config()) {
    const v1::EffectiveConfig& c = s.config();
    out += Line("Config",
                absl::StrCat("generation ", c.generation(), ", loaded ", TimestampText(c.loaded()),
                             " from ", c.source().empty() ? "defaults and flags" : c.source()));
  }
  if (s.namespaces_size() > 0) {
    Table table({"NAMESPACE", "QUEUED", "QUOTA-BLOCKED", "IN-FLIGHT", "WORKFLOWS", "WEIGHT",
                 "QUOTA HEADROOM"});
    for (const v1::NamespaceStatus& ns : s.namespaces()) {
      table.AddRow({ns.strict_fifo() ? absl::StrCat(ns.namespace_(), " (fifo)") : ns.namespace_(),
                    absl::StrCat(ns.queued()), absl::StrCat(ns.blocked()),
                    absl::StrCat(ns.in_flight()), absl::StrCat(ns.workflows()),
                    NumberText(ns.weight()), HeadroomText(ns)});
    }
    out += "\n";
    out += table.Render();
  }
  if (s.has_config()) {
    out += "\n";
    out += s.config().yaml();
  }
  return out;
}

}  // namespace sluice::ctl
