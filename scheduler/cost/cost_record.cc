#include "scheduler/cost/cost_record.h"

#include <algorithm>

namespace sluice::cost {

absl::string_view EndReasonName(EndReason reason) {
  switch (reason) {
    case EndReason::kNone:
      return "";
    case EndReason::kSucceeded:
      return "succeeded";
    case EndReason::kFailed:
      return "failed";
    case EndReason::kPreempted:
      return "preempted";
    case EndReason::kDeleted:
      return "deleted";
    case EndReason::kRescheduled:
      return "rescheduled";
  }
  return "";
}

std::optional<EndReason> ParseEndReason(absl::string_view name) {
  for (EndReason r : {EndReason::kNone, EndReason::kSucceeded, EndReason::kFailed,
                      EndReason::kPreempted, EndReason::kDeleted, EndReason::kRescheduled}) {
    if (EndReasonName(r) == name) return r;
  }
  return std::nullopt;
}

absl::string_view CostRecord::Label(absl::string_view key) const {
  auto it =
      std::lower_bound(labels.begin(), labels.end(), key,
                       [](const auto& entry, absl::string_view k) { return entry.first < k; });
  if (it == labels.end() || it->first != key) return {};
  return it->second;
}

absl::Status Price(CostRecord& record, absl::Time now) {
  if (!record.billing_started()) {
    record.billed_seconds = 0;
    record.cost_nano = 0;
    return absl::OkStatus();
  }
  const absl::Time end = record.ended() ? record.billing_end : now;
  record.billed_seconds = BilledSeconds(record.billing_start, end, record.rule);
  absl::StatusOr<int64_t> cost = CostNano(record.billed, record.rule, record.billed_seconds);
  if (!cost.ok()) {
    record.cost_nano = 0;
    return cost.status();
  }
  record.cost_nano = *cost;
  return absl::OkStatus();
}

}  // namespace sluice::cost
