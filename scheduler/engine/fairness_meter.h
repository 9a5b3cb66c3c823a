#ifndef SLUICE_SCHEDULER_ENGINE_FAIRNESS_METER_H_
#define SLUICE_SCHEDULER_ENGINE_FAIRNESS_METER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "scheduler/common/clock.h"

namespace sluice {

// Measures how fairly the write budget is shared, as operators read it:
//
// Jain's index over backlogged flows. A measurement period opens with the
// flows that are backlogged (queued, not waiting on quota) at the top
// priority level; it closes once those still backlogged have been served ten
// dispatches each on average (enough rounds that round-robin granularity does
// not read as unfairness), or after max_period. For the flows backlogged at
// both ends, x_i = dispatches in the period / entitled share, the share being
// what the configured weights give it (namespace weight / sum over backlogged
// namespaces, times workflow weight / sum over the namespace's backlogged
// workflows), renormalised over those flows; the index is
// (sum x)^2 / (n * sum x^2): 1 when every flow got exactly its share, 1/n
// when one got everything. A flow that emptied and refilled within the period
// still counts; the measure is of service while backlogged, not of arrivals.
//
// The worst wait of a small workflow: from a workflow's first accepted intent
// to its first dispatch, for workflows with at most `small_workflow_pods`
// intents accepted by then; the maximum over the last one to two minutes.
//
// Not thread-safe: owned by the engine thread.
class FairnessMeter {
 public:
  struct Options {
    double rounds = 10;  // dispatches per flow, on average, that close a period
    absl::Duration min_period = absl::Seconds(1);
    absl::Duration max_period = absl::Seconds(60);
    uint64_t small_workflow_pods = 10;
    absl::Duration small_wait_window = absl::Minutes(1);
  };

  // One backlogged flow: a stable id, its dispatches so far (monotonic), and
  // its entitled share of the level's service (> 0; need not sum to 1).
  struct FlowSample {
    uint64_t id = 0;
    uint64_t dispatched = 0;
    double share = 1;
  };

  struct Period {
    double jain = 1;
    size_t flows = 0;         // backlogged at both ends
    uint64_t dispatched = 0;  // by those flows during the period
    absl::Duration length;
  };

  FairnessMeter() : FairnessMeter(Options()) {}
  explicit FairnessMeter(Options options) : options_(options) {}

  // Feeds the flows backlogged now. Returns the period that closed, if one
  // did (a period with fewer than two flows backlogged throughout closes
  // without a result).
  std::optional<Period> Observe(MonoTime now, const std::vector<FlowSample>& flows);
  // The last period that closed with a result.
  const std::optional<Period>& last() const { return last_; }

  // A workflow's first dispatch, `wait` after its first intent was accepted,
  // with `accepted` intents by then.
  void RecordFirstDispatch(MonoTime now, absl::Duration wait, uint64_t accepted);
  // The worst such wait of a small workflow over the last one to two windows.
  absl::Duration SmallWorkflowWorstWait(MonoTime now) const;

  const Options& options() const { return options_; }

 private:
  void Open(MonoTime now, const std::vector<FlowSample>& flows);

  Options options_;
  bool open_ = false;
  MonoTime start_;
  absl::flat_hash_map<uint64_t, uint64_t> start_dispatched_;
  std::optional<Period> last_;
  // Two adjacent windows of the small-workflow worst wait.
  MonoTime window_start_;
  absl::Duration worst_current_;
  absl::Duration worst_previous_;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_ENGINE_FAIRNESS_METER_H_
