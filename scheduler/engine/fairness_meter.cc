#include "scheduler/engine/fairness_meter.h"

#include <algorithm>

namespace sluice {

void FairnessMeter::Open(MonoTime now, const std::vector<FlowSample>& flows) {
  open_ = true;
  start_ = now;
  start_dispatched_.clear();
  start_dispatched_.reserve(flows.size());
  for (const FlowSample& flow : flows) start_dispatched_[flow.id] = flow.dispatched;
}

std::optional<FairnessMeter::Period> FairnessMeter::Observe(MonoTime now,
                                                            const std::vector<FlowSample>& flows) {
  if (!open_) {
    Open(now, flows);
    return std::nullopt;
  }
  // A period needs two flows to compare; one that began with fewer restarts
  // as soon as there are two.
  if (start_dispatched_.size() < 2 && flows.size() >= 2) {
    Open(now, flows);
    return std::nullopt;
  }
  const absl::Duration length = now - start_;
  if (length < options_.min_period) return std::nullopt;

  size_t n = 0;
  uint64_t total = 0;
  double share_sum = 0;
  for (const FlowSample& flow : flows) {
    auto it = start_dispatched_.find(flow.id);
    if (it == start_dispatched_.end()) continue;
    ++n;
    total += flow.dispatched - it->second;
    share_sum += flow.share;
  }
  const bool enough =
      n >= 2 && static_cast<double>(total) >= options_.rounds * static_cast<double>(n);
  if (!enough && length < options_.max_period) return std::nullopt;

  std::optional<Period> result;
  if (n >= 2 && total > 0 && share_sum > 0) {
    double sum = 0;
    double sum_squares = 0;
    for (const FlowSample& flow : flows) {
      auto it = start_dispatched_.find(flow.id);
      if (it == start_dispatched_.end()) continue;
      const double share = flow.share / share_sum;
      const double x = static_cast<double>(flow.dispatched - it->second) / share;
      sum += x;
      sum_squares += x * x;
    }
    Period period;
    period.jain = sum * sum / (static_cast<double>(n) * sum_squares);
    period.flows = n;
    period.dispatched = total;
    period.length = length;
    result = period;
    last_ = period;
  }
  Open(now, flows);
  return result;
}

void FairnessMeter::RecordFirstDispatch(MonoTime now, absl::Duration wait, uint64_t accepted) {
  if (accepted > options_.small_workflow_pods) return;
  if (now - window_start_ >= options_.small_wait_window) {
    // Roll: the current window becomes the previous one (or both empty out
    // after a quiet spell longer than a window).
    worst_previous_ = now - window_start_ < 2 * options_.small_wait_window ? worst_current_
                                                                           : absl::ZeroDuration();
    worst_current_ = absl::ZeroDuration();
    window_start_ = now;
  }
  worst_current_ = std::max(worst_current_, wait);
}

absl::Duration FairnessMeter::SmallWorkflowWorstWait(MonoTime now) const {
  const absl::Duration age = now - window_start_;
  if (age >= 2 * options_.small_wait_window) return absl::ZeroDuration();
  if (age >= options_.small_wait_window) return worst_current_;
  return std::max(worst_current_, worst_previous_);
}

}  // namespace sluice
