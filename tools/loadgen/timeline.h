#ifndef SLUICE_TOOLS_LOADGEN_TIMELINE_H_
#define SLUICE_TOOLS_LOADGEN_TIMELINE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "scheduler/common/clock.h"
#include "sluice/v1/scheduler.grpc.pb.h"
#include "tools/loadgen/pod_ledger.h"
#include "tools/loadgen/workload_plan.h"

namespace sluice::loadgen {

// What the run looked like at one moment. Counters are cumulative since the
// sampler started; -1 (or nullopt) where the source is not available.
struct TimelineSample {
  double t_seconds = 0;  // since the sampler's start
  uint64_t created = 0;  // pods of the run created (loadgen's ledger)
  uint64_t finished = 0;
  // kubesim's /sim/stats, minus its values at the start.
  int64_t kube_creates = -1;  // creates answered 201
  int64_t kube_429 = -1;
  int64_t kube_403 = -1;
  int64_t kube_mutating = -1;  // mutating requests, answered or refused
  // sluiced's GetStatus.
  int64_t queue_depth = -1;
  std::optional<double> jain;  // fairness.jain_index when measured with >= 2 flows
  uint64_t backlogged_flows = 0;
  // See QuotaUtilization; only when quota sampling is on.
  std::optional<double> quota_utilization;
  int namespaces_over_quota = 0;
};

// Samples the run every `period` on a thread of its own: the ledger's counts,
// kubesim's counters and (optionally) quota books, sluiced's queue depth and
// fairness. A source that fails is left at its "unknown" value for that sample.
//
// Start once, Stop once (from the same thread); samples() after Stop. `plan`,
// `ledger` and `stub` (may be null: no sluiced) must outlive the sampler.
class TimelineSampler {
 public:
  struct Sources {
    const WorkloadPlan* plan = nullptr;
    const PodLedger* ledger = nullptr;
    v1::Scheduler::Stub* stub = nullptr;  // null: no sluiced figures
    std::string kubesim_url;              // empty: no kubesim figures
    bool quotas = false;                  // read /sim/quotas too
  };

  TimelineSampler(Sources sources, const Clock* clock, absl::Duration period);
  ~TimelineSampler();

  void Start();
  void Stop();
  std::vector<TimelineSample> samples() const;

 private:
  void Run();
  TimelineSample Take(MonoTime start);

  const Sources sources_;
  const Clock* const clock_;
  const absl::Duration period_;
  absl::Notification stop_;
  std::thread thread_;
  mutable absl::Mutex mu_;
  std::vector<TimelineSample> samples_ ABSL_GUARDED_BY(mu_);
  // kubesim's counters when the sampler started.
  int64_t base_creates_ = 0, base_429_ = 0, base_403_ = 0, base_mutating_ = 0;
  bool have_base_ = false;
};

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_TIMELINE_H_
