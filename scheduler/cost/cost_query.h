#ifndef SLUICE_SCHEDULER_COST_COST_QUERY_H_
#define SLUICE_SCHEDULER_COST_COST_QUERY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "scheduler/cost/cost_record.h"

namespace sluice::cost {

enum class GroupBy : uint8_t { kWorkflow, kNamespace, kPool, kClass, kLabel, kPod };

// Parses "workflow", "namespace", "pool", "class", "pod" or "label=KEY".
absl::StatusOr<GroupBy> ParseGroupBy(absl::string_view text, std::string* label_key);

// A cost question.
//
// Window rule: an attempt belongs to [since, until) when the moment it is
// costed to falls in it: its billing end if it ended, else `now` (running
// attempts are costed live to now). Each attempt counts wholly in exactly one
// window, so the windows of a partition add up, and a grouping's sum is the
// total to the nano-unit.
struct CostQuery {
  GroupBy group_by = GroupBy::kWorkflow;
  std::string label_key;  // for kLabel
  absl::Time since = absl::InfinitePast();
  absl::Time until = absl::InfiniteFuture();
  // Only attempts of this workflow (empty: all).
  std::string workflow_uid;
  // Only this currency (empty: all; groups and totals are per currency).
  std::string currency;
  // The N costliest groups; the rest are summed into one group with key
  // "(other)". 0: every group.
  uint32_t top = 0;
};

struct CostGroup {
  std::string key;  // "" for attempts without the label (kLabel)
  std::string currency;
  int64_t cost_nano = 0;
  uint64_t attempts = 0;
  uint64_t running = 0;
  int64_t billed_seconds = 0;
  // For kWorkflow: the workflow's name and namespace.
  std::string workflow_name;
  std::string workflow_namespace;
};

struct CostTotal {
  std::string currency;
  int64_t cost_nano = 0;
  uint64_t attempts = 0;
  uint64_t running = 0;
};

struct CostReport {
  // Costliest first (ties by key).
  std::vector<CostGroup> groups;
  std::vector<CostTotal> totals;  // by currency
  // For kPod and for a workflow query: every attempt, by billing start.
  std::vector<CostRecord> attempts;
};

// True when `record` is in the query's window and filters at `now`.
bool InWindow(const CostRecord& record, const CostQuery& query, absl::Time now);

// Groups `records` (already priced to `now`; the caller merges the ledger's
// rows with the live open attempts, one record per uid).
CostReport Aggregate(absl::Span<const CostRecord> records, const CostQuery& query, absl::Time now);

// The group key of a record.
std::string GroupKey(const CostRecord& record, const CostQuery& query);

}  // namespace sluice::cost

#endif  // SLUICE_SCHEDULER_COST_COST_QUERY_H_
