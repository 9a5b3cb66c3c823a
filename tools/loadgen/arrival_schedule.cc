#include "tools/loadgen/arrival_schedule.h"

#include <algorithm>
#include <numeric>

namespace sluice::loadgen {

ArrivalSchedule::ArrivalSchedule(const WorkloadPlan& plan) : plan_(plan) {
  order_.resize(plan.workflows().size());
  std::iota(order_.begin(), order_.end(), 0u);
  std::stable_sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) {
    return plan.workflows()[a].arrival_seconds < plan.workflows()[b].arrival_seconds;
  });
}

std::vector<uint32_t> ArrivalSchedule::TakeDue(absl::Duration elapsed) {
  std::vector<uint32_t> pods;
  const double now = absl::ToDoubleSeconds(elapsed);
  while (next_ < order_.size()) {
    const WorkflowSpec& wf = plan_.workflows()[order_[next_]];
    if (wf.arrival_seconds > now) break;
    for (uint32_t i = 0; i < wf.pod_count; ++i) pods.push_back(wf.first_pod + i);
    ++next_;
  }
  return pods;
}

std::optional<absl::Duration> ArrivalSchedule::next_arrival() const {
  if (done()) return std::nullopt;
  return absl::Seconds(plan_.workflows()[order_[next_]].arrival_seconds);
}

}  // namespace sluice::loadgen
