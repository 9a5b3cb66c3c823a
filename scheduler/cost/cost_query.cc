#include "scheduler/cost/cost_query.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sluice::cost {

absl::StatusOr<GroupBy> ParseGroupBy(absl::string_view text, std::string* label_key) {
  if (text == "workflow") return GroupBy::kWorkflow;
  if (text == "namespace") return GroupBy::kNamespace;
  if (text == "pool") return GroupBy::kPool;
  if (text == "class") return GroupBy::kClass;
  if (text == "pod") return GroupBy::kPod;
  if (absl::StartsWith(text, "label=") && text.size() > 6) {
    *label_key = std::string(text.substr(6));
    return GroupBy::kLabel;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("\"", text, "\": group by workflow, namespace, pool, class, pod or label=KEY"));
}

bool InWindow(const CostRecord& record, const CostQuery& query, absl::Time now) {
  if (!query.workflow_uid.empty() && record.workflow_uid != query.workflow_uid) return false;
  if (!query.currency.empty() && record.currency != query.currency) return false;
  const absl::Time at = record.ended() ? record.billing_end : now;
  return at >= query.since && at < query.until;
}

std::string GroupKey(const CostRecord& record, const CostQuery& query) {
  switch (query.group_by) {
    case GroupBy::kWorkflow:
      return record.workflow_uid;
    case GroupBy::kNamespace:
      return record.pod_namespace;
    case GroupBy::kPool:
      return record.pool;
    case GroupBy::kClass:
      return record.pool_class;
    case GroupBy::kLabel:
      return std::string(record.Label(query.label_key));
    case GroupBy::kPod:
      return record.pod_uid;
  }
  return {};
}

CostReport Aggregate(absl::Span<const CostRecord> records, const CostQuery& query, absl::Time now) {
  CostReport report;
  std::map<std::pair<std::string, std::string>, CostGroup> groups;  // (currency, key)
  std::map<std::string, CostTotal> totals;
  const bool list_attempts = query.group_by == GroupBy::kPod || !query.workflow_uid.empty();
  for (const CostRecord& r : records) {
    if (!InWindow(r, query, now)) continue;
    std::string key = GroupKey(r, query);
    CostGroup& g = groups[{r.currency, key}];
    if (g.attempts == 0) {
      g.key = std::move(key);
      g.currency = r.currency;
      if (query.group_by == GroupBy::kWorkflow) {
        g.workflow_name = r.workflow_name;
        g.workflow_namespace = r.workflow_namespace;
      }
    }
    g.cost_nano += r.cost_nano;
    g.billed_seconds += r.billed_seconds;
    ++g.attempts;
    CostTotal& t = totals[r.currency];
    t.currency = r.currency;
    t.cost_nano += r.cost_nano;
    ++t.attempts;
    if (!r.ended()) {
      ++g.running;
      ++t.running;
    }
    if (list_attempts) report.attempts.push_back(r);
  }
  for (auto& [key, group] : groups) report.groups.push_back(std::move(group));
  std::sort(report.groups.begin(), report.groups.end(), [](const CostGroup& a, const CostGroup& b) {
    if (a.cost_nano != b.cost_nano) return a.cost_nano > b.cost_nano;
    if (a.currency != b.currency) return a.currency < b.currency;
    return a.key < b.key;
  });
  if (query.top > 0 && report.groups.size() > query.top) {
    // Fold the tail into one "(other)" group per currency.
    std::map<std::string, CostGroup> other;
    for (size_t i = query.top; i < report.groups.size(); ++i) {
      const CostGroup& g = report.groups[i];
      CostGroup& o = other[g.currency];
      o.key = "(other)";
      o.currency = g.currency;
      o.cost_nano += g.cost_nano;
      o.attempts += g.attempts;
      o.running += g.running;
      o.billed_seconds += g.billed_seconds;
    }
    report.groups.resize(query.top);
    for (auto& [currency, group] : other) report.groups.push_back(std::move(group));
  }
  for (auto& [currency, total] : totals) report.totals.push_back(std::move(total));
  std::sort(report.attempts.begin(), report.attempts.end(),
            [](const CostRecord& a, const CostRecord& b) {
              if (a.created != b.created) return a.created < b.created;
              return a.pod_uid < b.pod_uid;
            });
  return report;
}

}  // namespace sluice::cost
