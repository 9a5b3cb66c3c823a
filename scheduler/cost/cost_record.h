#ifndef SLUICE_SCHEDULER_COST_COST_RECORD_H_
#define SLUICE_SCHEDULER_COST_COST_RECORD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "scheduler/cost/billing.h"

namespace sluice::cost {

// Why an attempt ended. kNone: it has not (it is running or pending).
enum class EndReason : uint8_t { kNone, kSucceeded, kFailed, kPreempted, kDeleted, kRescheduled };
// "", "succeeded", "failed", "preempted", "deleted", "rescheduled".
absl::string_view EndReasonName(EndReason reason);
std::optional<EndReason> ParseEndReason(absl::string_view name);

// One pod attempt: a row of the cost ledger, keyed by pod UID (a pod
// re-created under the same name is a new attempt and a new row).
struct CostRecord {
  std::string pod_uid;
  std::string pod_namespace;
  std::string pod_name;
  std::string workflow_uid;
  std::string workflow_name;
  std::string workflow_namespace;
  // Cost labels (the intent's and the configured pod label keys), sorted by
  // key, keys unique.
  std::vector<std::pair<std::string, std::string>> labels;
  std::string pool;        // empty without pools
  std::string pool_class;  // "on-demand", "spot" or empty
  std::string currency;
  BilledResources billed;
  BillingRule rule;  // the pool's rule and unit prices when the attempt began
  absl::Time created = absl::InfinitePast();
  // InfinitePast until billing starts (per rule.start).
  absl::Time billing_start = absl::InfinitePast();
  // InfiniteFuture while the attempt has not ended.
  absl::Time billing_end = absl::InfiniteFuture();
  int64_t billed_seconds = 0;
  int64_t cost_nano = 0;
  EndReason end_reason = EndReason::kNone;

  bool ended() const { return end_reason != EndReason::kNone; }
  bool billing_started() const { return billing_start != absl::InfinitePast(); }
  // The value of cost label `key`, or empty.
  absl::string_view Label(absl::string_view key) const;

  bool operator==(const CostRecord&) const = default;
};

// Sets billed_seconds and cost_nano from billing_start, billing_end (or `now`
// while the attempt has not ended), the billed resources and the rule. An
// attempt whose billing never started costs 0.
absl::Status Price(CostRecord& record, absl::Time now);

// Receives records as attempts begin, change and end. Implementations say
// which thread may call them.
class CostRecordSink {
 public:
  virtual ~CostRecordSink() = default;
  virtual void Write(const CostRecord& record) = 0;
};

}  // namespace sluice::cost

#endif  // SLUICE_SCHEDULER_COST_COST_RECORD_H_
