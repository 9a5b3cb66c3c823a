#ifndef SLUICE_TOOLS_LOADGEN_SCENARIO_FIGURES_H_
#define SLUICE_TOOLS_LOADGEN_SCENARIO_FIGURES_H_

#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "scheduler/common/clock.h"
#include "tools/loadgen/fairness.h"
#include "tools/loadgen/pod_ledger.h"
#include "tools/loadgen/scenario.h"
#include "tools/loadgen/timeline.h"
#include "tools/loadgen/workload_plan.h"

namespace sluice::loadgen {

// How well the creates followed kubesim's changing limit (unknown-limit).
struct LimitFigures {
  // Per limit step: seconds from the step to the start of the first 1-s
  // window wholly after it in which kubesim answered >= 90% of the limit with
  // 201s; the step's whole length when that never happened.
  std::vector<double> convergence_seconds;
  bool converged_everywhere = true;
  // Creates / (limit x time) over the converged part of every step (from
  // convergence to the step's end or the last create, whichever is first).
  std::optional<double> limit_utilization;
};

// From the timeline's kubesim create counts (samples every <= 1 s). Steps end
// at the next step, the last at the last sample.
LimitFigures ComputeLimitFigures(const std::vector<TimelineSample>& samples,
                                 const std::vector<LimitStep>& steps);

// Mean (and minimum) of sluiced's Jain index over samples that had one.
struct SampledJain {
  std::optional<double> mean;
  std::optional<double> min;
  int samples = 0;
};
SampledJain MeanSampledJain(const std::vector<TimelineSample>& samples);

// Mean over samples of QuotaUtilization (samples without a figure skipped).
std::optional<double> MeanQuotaUtilization(const std::vector<TimelineSample>& samples);

// One small workflow's first create against its bound (see below).
struct SmallFirstCreate {
  uint32_t workflow = 0;
  double delay_seconds = 0;
  double bound_seconds = 0;   // 2 x active / rate
  int active = 0;             // workflows active at its arrival, itself included
  int64_t arrival_nanos = 0;  // loadgen's first send of one of its pods
  double ratio() const { return delay_seconds / bound_seconds; }
};

// Every small workflow's first create, in workflow order (the computation of
// SmallFirstCreateWorstRatio, without taking the worst).
std::vector<SmallFirstCreate> SmallFirstCreates(const WorkloadPlan& plan,
                                                const std::vector<PodRecord>& records,
                                                double rate_qps, uint32_t small_pods,
                                                bool use_sluiced_clock);

// For each workflow with at most `small_pods` pods: (first create - arrival)
// / (2 x active workflows at its arrival / rate_qps), where arrival is when
// loadgen sent its first pod and a workflow is active from its arrival until
// its last pod was created. The worst over those workflows; nullopt without
// any. `use_sluiced_clock`: the delay is instead the smallest
// PodRecord::sluiced_submit_to_create_ms of the workflow (acceptance by sluiced
// to the APIServer's answer, without loadgen's stream and event latency).
std::optional<double> SmallFirstCreateWorstRatio(const WorkloadPlan& plan,
                                                 const std::vector<PodRecord>& records,
                                                 double rate_qps, uint32_t small_pods,
                                                 bool use_sluiced_clock);

// The fairness log rebuilt on the APIServer's clock: each pod arrives when
// sluiced accepted it (kubesim's commit minus the CREATED event's
// submit_to_create_ms) or, without those, when loadgen first sent it
// (`first_sent`, converted to wall time by `wall_at_mono_zero`: wall =
// wall_at_mono_zero + mono), never before the send; it departs when
// kubesim committed its create (`kube_created`); pods never created do not
// depart. Ordered by time, ties arrivals first. Input of SegmentedJain.
std::vector<BacklogChange> ApiServerBacklogLog(
    const WorkloadPlan& plan, const std::vector<PodRecord>& records,
    const std::vector<std::optional<absl::Time>>& kube_created, absl::Time wall_at_mono_zero);

// As SmallFirstCreateWorstRatio with the delay from loadgen's send (wall
// time as above) to kubesim's commit of the workflow's first pod.
std::optional<double> SmallFirstCreateWorstRatioApiServer(
    const WorkloadPlan& plan, const std::vector<PodRecord>& records,
    const std::vector<std::optional<absl::Time>>& kube_created, absl::Time wall_at_mono_zero,
    double rate_qps, uint32_t small_pods);

// Per workflow: seconds after `start` when its last pod was created (or
// finished, `finished`); negative when some pod never got there.
std::vector<double> WorkflowCompletionSeconds(const WorkloadPlan& plan,
                                              const std::vector<PodRecord>& records, MonoTime start,
                                              bool finished);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_SCENARIO_FIGURES_H_
