#include "tools/sluicectl/cost_command.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/sluicectl/human_format.h"
#include "tools/sluicectl/json_output.h"
#include "tools/sluicectl/table.h"

namespace sluice::ctl {
namespace {

void SetTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  out->set_seconds(absl::ToUnixSeconds(t));
  out->set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(out->seconds()))));
}

std::string TimeOrDash(const v1::CostAttempt& a, bool has, const google::protobuf::Timestamp& t) {
  (void)a;
  return has ? TimestampText(t) : "-";
}

// RFC 4180: quote a field with a comma, quote or line break.
std::string CsvField(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string CsvLine(const std::vector<std::string>& fields) {
  std::vector<std::string> quoted;
  quoted.reserve(fields.size());
  for (const std::string& f : fields) quoted.push_back(CsvField(f));
  return absl::StrCat(absl::StrJoin(quoted, ","), "\n");
}

std::string KeyHeader(const std::string& by) {
  if (absl::StartsWith(by, "label=")) return absl::AsciiStrToUpper(by.substr(6));
  return absl::AsciiStrToUpper(by);
}

std::string Labels(const v1::CostAttempt& a) {
  std::vector<std::string> parts;
  std::vector<std::pair<std::string, std::string>> sorted(a.labels().begin(), a.labels().end());
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [k, v] : sorted) parts.push_back(absl::StrCat(k, "=", v));
  return absl::StrJoin(parts, ";");
}

std::vector<std::string> AttemptHeader() {
  return {"POD_UID",   "NAMESPACE",     "POD",         "WORKFLOW",
          "POOL",      "CLASS",         "VCPU_MILLI",  "MEMORY_BYTES",
          "GPU_MILLI", "BILLING_START", "BILLING_END", "BILLED_SECONDS",
          "COST",      "CURRENCY",      "END_REASON",  "LABELS"};
}

std::vector<std::string> AttemptRow(const v1::CostAttempt& a) {
  return {a.pod_uid(),
          a.pod().namespace_(),
          a.pod().name(),
          a.workflow_name().empty() ? a.workflow_uid() : a.workflow_name(),
          a.pool(),
          a.pool_class(),
          absl::StrCat(a.vcpu_milli()),
          absl::StrCat(a.memory_bytes()),
          absl::StrCat(a.gpu_milli()),
          TimeOrDash(a, a.has_billing_start(), a.billing_start()),
          a.has_billing_end() ? TimestampText(a.billing_end()) : "running",
          absl::StrCat(a.billed_seconds()),
          MoneyText(a.cost_nano()),
          a.currency(),
          a.end_reason(),
          Labels(a)};
}

std::vector<std::string> GroupHeader(const std::string& by) {
  std::vector<std::string> h = {KeyHeader(by)};
  if (by == "workflow") {
    h.push_back("NAME");
    h.push_back("WF_NAMESPACE");
  }
  for (const char* c : {"COST", "CURRENCY", "ATTEMPTS", "RUNNING", "BILLED_SECONDS"})
    h.push_back(c);
  return h;
}

std::vector<std::string> GroupRow(const v1::CostGroup& g, const std::string& by) {
  std::vector<std::string> row = {g.key().empty() ? "(none)" : g.key()};
  if (by == "workflow") {
    row.push_back(g.workflow_name());
    row.push_back(g.workflow_namespace());
  }
  row.push_back(MoneyText(g.cost_nano()));
  row.push_back(g.currency());
  row.push_back(absl::StrCat(g.attempts()));
  row.push_back(absl::StrCat(g.running()));
  row.push_back(absl::StrCat(g.billed_seconds()));
  return row;
}

class CostCommand : public Command {
 public:
  explicit CostCommand(CLI::App& root)
      : Command(root.add_subcommand("cost", "What pods cost, from sluiced's cost ledger")) {
    app_->add_option("--by", by_, "workflow, namespace, pool, class, pod or label=KEY")
        ->capture_default_str();
    app_->add_option("--since", since_,
                     "The window starts this long ago (e.g. 24h, 90m; 0 = no start)")
        ->capture_default_str();
    app_->add_option("--workflow", workflow_,
                     "One workflow's cost (live while it runs) and its pod attempts");
    app_->add_option("--top", top_, "The N costliest groups; the rest as (other)");
    app_->add_option("--currency", currency_, "Only this currency");
    app_->add_option("--format", format_, "table, csv or json (default: the -o output)")
        ->check(CLI::IsMember({"table", "csv", "json"}));
  }

  absl::Status Run(CommandContext& context) override {
    absl::Duration since;
    if (!absl::ParseDuration(since_, &since) || since < absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--since ", since_, ": not a duration (e.g. 24h, 90m, 0)"));
    }
    absl::StatusOr<v1::GetCostRequest> request = CostRequest(by_, since, absl::Now());
    if (!request.ok()) return request.status();
    request->set_workflow_uid(workflow_);
    request->set_top(top_);
    request->set_currency(currency_);
    absl::StatusOr<Connection*> connection = context.Connect();
    if (!connection.ok()) return connection.status();
    v1::GetCostResponse response;
    grpc::ClientContext call;
    (*connection)->SetDeadline(call);
    const grpc::Status status = (*connection)->stub().GetCost(&call, *request, &response);
    if (!status.ok()) return (*connection)->Explain(status, "GetCost");
    const std::string format = !format_.empty()                         ? format_
                               : context.json()                         ? "json"
                               : context.format() == OutputFormat::kCsv ? "csv"
                                                                        : "table";
    if (format == "json") {
      std::fputs(ToJson(response).c_str(), stdout);
    } else if (format == "csv") {
      std::fputs(CostCsv(response, by_).c_str(), stdout);
    } else {
      std::fputs(CostText(response, by_).c_str(), stdout);
    }
    return absl::OkStatus();
  }

 private:
  std::string by_ = "workflow";
  std::string since_ = "24h";
  std::string workflow_;
  uint32_t top_ = 0;
  std::string currency_;
  std::string format_;
};

}  // namespace

std::unique_ptr<Command> AddCostCommand(CLI::App& root) {
  return std::make_unique<CostCommand>(root);
}

absl::StatusOr<v1::GetCostRequest> CostRequest(const std::string& by, absl::Duration since,
                                               absl::Time now) {
  v1::GetCostRequest request;
  if (by == "workflow") {
    request.set_group_by(v1::COST_GROUP_BY_WORKFLOW);
  } else if (by == "namespace") {
    request.set_group_by(v1::COST_GROUP_BY_NAMESPACE);
  } else if (by == "pool") {
    request.set_group_by(v1::COST_GROUP_BY_POOL);
  } else if (by == "class") {
    request.set_group_by(v1::COST_GROUP_BY_CLASS);
  } else if (by == "pod") {
    request.set_group_by(v1::COST_GROUP_BY_POD);
  } else if (absl::StartsWith(by, "label=") && by.size() > 6) {
    request.set_group_by(v1::COST_GROUP_BY_LABEL);
    request.set_label_key(by.substr(6));
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--by ", by, ": use workflow, namespace, pool, class, pod or label=KEY"));
  }
  if (since > absl::ZeroDuration()) SetTimestamp(now - since, request.mutable_since());
  return request;
}

std::string MoneyText(int64_t nanos) {
  const bool negative = nanos < 0;
  const uint64_t magnitude =
      negative ? uint64_t{0} - static_cast<uint64_t>(nanos) : static_cast<uint64_t>(nanos);
  return absl::StrFormat("%s%d.%09d", negative ? "-" : "", magnitude / 1'000'000'000,
                         magnitude % 1'000'000'000);
}

std::string CostText(const v1::GetCostResponse& c, const std::string& by) {
  std::string out;
  if (by == "pod" || c.attempts_size() > 0) {
    Table attempts(AttemptHeader());
    for (const v1::CostAttempt& a : c.attempts()) attempts.AddRow(AttemptRow(a));
    if (by == "pod") {
      out += attempts.Render();
    } else {
      Table groups(GroupHeader(by));
      for (const v1::CostGroup& g : c.groups()) groups.AddRow(GroupRow(g, by));
      out += groups.Render();
      out += "\nAttempts:\n";
      out += attempts.Render();
    }
  } else {
    Table groups(GroupHeader(by));
    for (const v1::CostGroup& g : c.groups()) groups.AddRow(GroupRow(g, by));
    out += groups.Render();
  }
  for (const v1::CostTotal& t : c.totals()) {
    absl::StrAppend(&out, "Total ", MoneyText(t.cost_nano()), " ", t.currency(), " over ",
                    t.attempts(), " attempts (", t.running(), " running)\n");
  }
  if (c.totals_size() == 0) out += "No pod attempts in the window.\n";
  return out;
}

std::string CostCsv(const v1::GetCostResponse& c, const std::string& by) {
  std::string out;
  if (by == "pod") {
    std::vector<std::string> header = AttemptHeader();
    for (std::string& h : header) h = absl::AsciiStrToLower(h);
    header[12] = "cost_nano";
    out += CsvLine(header);
    for (const v1::CostAttempt& a : c.attempts()) {
      std::vector<std::string> row = AttemptRow(a);
      row[12] = absl::StrCat(a.cost_nano());  // exact integer nano-units
      out += CsvLine(row);
    }
    return out;
  }
  std::vector<std::string> header = GroupHeader(by);
  for (std::string& h : header) h = absl::AsciiStrToLower(h);
  header[header.size() - 5] = "cost_nano";
  out += CsvLine(header);
  for (const v1::CostGroup& g : c.groups()) {
    std::vector<std::string> row = GroupRow(g, by);
    row[row.size() - 5] = absl::StrCat(g.cost_nano());
    out += CsvLine(row);
  }
  return out;
}

}  // namespace sluice::ctl
