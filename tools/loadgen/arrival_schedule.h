#ifndef SLUICE_TOOLS_LOADGEN_ARRIVAL_SCHEDULE_H_
#define SLUICE_TOOLS_LOADGEN_ARRIVAL_SCHEDULE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "tools/loadgen/workload_plan.h"

namespace sluice::loadgen {

// When each workflow of a plan is submitted: workflows in order of
// WorkflowSpec::arrival_seconds (ties keep plan order), each with all its
// pods. A pure function of elapsed time, so it is tested without a clock.
//
// Example:
//   ArrivalSchedule schedule(plan);
//   while (!schedule.done()) {
//     std::vector<uint32_t> pods = schedule.TakeDue(clock.MonoNow() - start);
//     ... submit pods; sleep until *schedule.next_arrival() ...
//   }
//
// Not thread-safe: one owner.
class ArrivalSchedule {
 public:
  explicit ArrivalSchedule(const WorkloadPlan& plan);

  // The pods of every workflow whose arrival time is <= `elapsed` and that
  // were not taken before, workflow by workflow in arrival order.
  std::vector<uint32_t> TakeDue(absl::Duration elapsed);
  // Arrival time of the next workflow not taken yet; nullopt when done.
  std::optional<absl::Duration> next_arrival() const;
  bool done() const { return next_ >= order_.size(); }

 private:
  const WorkloadPlan& plan_;
  std::vector<uint32_t> order_;  // workflow indices by arrival time
  size_t next_ = 0;
};

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_ARRIVAL_SCHEDULE_H_
