#include "tools/loadgen/cost_figures.h"

#include <chrono>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace sluice::loadgen {
namespace {

// Kubernetes writes pod times to the second.
int64_t Seconds(absl::Time t) { return absl::ToUnixSeconds(t); }

absl::StatusOr<v1::GetCostResponse> GetCost(v1::Scheduler::Stub* stub,
                                            const v1::GetCostRequest& request) {
  v1::GetCostResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  grpc::Status status = stub->GetCost(&context, request, &response);
  if (!status.ok())
    return absl::UnavailableError(absl::StrCat("GetCost: ", status.error_message()));
  return response;
}

int64_t GroupSum(const v1::GetCostResponse& r) {
  int64_t sum = 0;
  for (const v1::CostGroup& g : r.groups()) sum += g.cost_nano();
  return sum;
}

}  // namespace

std::optional<ExpectedCost> ExpectedAttemptCost(const HistoryPod& pod, const CostPoolRule& rule) {
  if (!pod.finished.has_value()) return std::nullopt;
  // The ledger bills creation-billed pools from metadata.creationTimestamp,
  // which kubesim sets at admission: under load the commit (`created`) can
  // fall in the next second.
  std::optional<absl::Time> start =
      pod.creation_timestamp.has_value() ? pod.creation_timestamp : pod.created;
  if (rule.start == "scheduled") start = pod.scheduled;
  if (rule.start == "running") start = pod.started;
  ExpectedCost out;
  if (!start.has_value()) return out;
  const int64_t from = Seconds(*start);
  const int64_t to = Seconds(*pod.finished);
  int64_t seconds = to > from ? to - from : 0;
  const int64_t granularity = rule.granularity_seconds < 1 ? 1 : rule.granularity_seconds;
  if (seconds % granularity != 0) seconds += granularity - seconds % granularity;
  if (seconds < rule.minimum_seconds) seconds = rule.minimum_seconds;
  out.billed_seconds = seconds;
  const int64_t memory_bytes = pod.memory_milli / 1000 + (pod.memory_milli % 1000 != 0 ? 1 : 0);
  const __int128 kGiB = __int128{1} << 30;
  const __int128 numerator = static_cast<__int128>(seconds) *
                             (static_cast<__int128>(pod.cpu_milli) * rule.vcpu_nano_hour * kGiB +
                              static_cast<__int128>(memory_bytes) * rule.gib_nano_hour * 1000);
  const __int128 denominator = static_cast<__int128>(3600) * 1000 * kGiB;
  out.cost_nano = static_cast<int64_t>((numerator + denominator - 1) / denominator);
  return out;
}

CostFigures CheckCost(const std::vector<HistoryPod>& history,
                      const std::vector<CostPoolRule>& rules, const v1::GetCostResponse& by_pod,
                      const v1::GetCostResponse& by_team, const v1::GetCostResponse& by_workflow) {
  CostFigures f;
  for (const v1::CostTotal& t : by_pod.totals()) f.total_nano += t.cost_nano();
  absl::flat_hash_map<std::string, const v1::CostAttempt*> rows;
  int64_t attempt_sum = 0;
  for (const v1::CostAttempt& a : by_pod.attempts()) {
    rows.emplace(a.pod_uid(), &a);
    ++f.ledger_attempts;
    attempt_sum += a.cost_nano();
    if (a.end_reason() == "preempted") ++f.preempted;
  }
  absl::flat_hash_map<std::string, const CostPoolRule*> rule_of;
  for (const CostPoolRule& r : rules) rule_of.emplace(r.pool, &r);
  auto mismatch = [&](const HistoryPod& pod, const std::string& why) {
    ++f.mismatches;
    if (f.first_mismatch.empty()) {
      f.first_mismatch =
          absl::StrCat("pod ", pod.namespace_, "/", pod.name, " uid ", pod.uid, ": ", why);
    }
  };
  for (const HistoryPod& pod : history) {
    auto rule = rule_of.find(pod.pool);
    std::optional<ExpectedCost> expected;
    if (rule != rule_of.end()) expected = ExpectedAttemptCost(pod, *rule->second);
    if (!expected.has_value()) {
      ++f.unchecked;
      continue;
    }
    ++f.checked_pods;
    auto row = rows.find(pod.uid);
    if (row == rows.end()) {
      mismatch(pod, "no ledger row");
      continue;
    }
    const v1::CostAttempt& a = *row->second;
    if (a.billed_seconds() != expected->billed_seconds || a.cost_nano() != expected->cost_nano) {
      mismatch(pod, absl::StrCat("ledger ", a.billed_seconds(), " s, ", a.cost_nano(),
                                 " nano; recomputed ", expected->billed_seconds, " s, ",
                                 expected->cost_nano, " nano"));
    }
  }
  for (const v1::CostGroup& g : by_team.groups()) f.by_team.push_back({g.key(), g.cost_nano()});
  for (const v1::CostGroup& g : by_workflow.groups()) {
    f.by_workflow.push_back(
        {g.workflow_name().empty() ? g.key() : g.workflow_name(), g.cost_nano()});
  }
  f.sums_ok = by_pod.totals_size() == 1 && GroupSum(by_team) == f.total_nano &&
              GroupSum(by_workflow) == f.total_nano && attempt_sum == f.total_nano;
  return f;
}

absl::StatusOr<CostFigures> FetchCostFigures(v1::Scheduler::Stub* stub,
                                             const std::vector<HistoryPod>& history,
                                             const std::vector<CostPoolRule>& rules) {
  v1::GetCostRequest request;
  request.set_group_by(v1::COST_GROUP_BY_POD);
  // The ledger is written off the engine thread: wait (a bounded time) until
  // it holds a row for every finished attempt and none is running.
  uint64_t finished = 0;
  for (const HistoryPod& pod : history) finished += pod.finished.has_value() ? 1u : 0u;
  absl::StatusOr<v1::GetCostResponse> by_pod;
  const absl::Time give_up = absl::Now() + absl::Seconds(15);
  while (true) {
    by_pod = GetCost(stub, request);
    if (!by_pod.ok()) return by_pod.status();
    uint64_t running = 0;
    for (const v1::CostTotal& t : by_pod->totals()) running += t.running();
    const bool caught_up =
        running == 0 && static_cast<uint64_t>(by_pod->attempts_size()) >= finished;
    if (caught_up || absl::Now() > give_up) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  request.set_group_by(v1::COST_GROUP_BY_LABEL);
  request.set_label_key("team");
  absl::StatusOr<v1::GetCostResponse> by_team = GetCost(stub, request);
  if (!by_team.ok()) return by_team.status();
  request.set_group_by(v1::COST_GROUP_BY_WORKFLOW);
  request.clear_label_key();
  absl::StatusOr<v1::GetCostResponse> by_workflow = GetCost(stub, request);
  if (!by_workflow.ok()) return by_workflow.status();
  return CheckCost(history, rules, *by_pod, *by_team, *by_workflow);
}

}  // namespace sluice::loadgen
