#ifndef SLUICE_TOOLS_LOADGEN_ARGO_STYLE_CREATOR_H_
#define SLUICE_TOOLS_LOADGEN_ARGO_STYLE_CREATOR_H_

#include <cstdint>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "scheduler/common/clock.h"
#include "tools/loadgen/pod_ledger.h"
#include "tools/loadgen/workload_plan.h"

namespace sluice::loadgen {

// Creates the plan's pods directly against kubesim the way Argo's
// workflow-controller does, for `--baseline`: one client-side token bucket
// (client-go's default for the controller: 20 QPS, burst 30) in front of every
// POST; a pod refused with 403 (exceeded quota), 429 or 5xx, or whose request
// failed, is requeued and tried again `requeue` (10 s) later; 201 and 409
// AlreadyExists count as created; other answers (400, 422) fail the pod.
//
// It records what happens in the ledger as sluiced's events would (a pod is
// "sent" and "accepted" when enqueued, CREATED on its 201), so the report is
// computed the same way. With `follow_finished`, a poller LISTs the run's
// Succeeded and Failed pods every `finished_poll` and records them.
//
// Start, Enqueue, Stop from one thread (Enqueue may also come from others);
// the create thread and the poller are internal. `plan` and `ledger` must
// outlive it.
class ArgoStyleCreator {
 public:
  struct Options {
    double qps = 20;
    double burst = 30;
    absl::Duration requeue = absl::Seconds(10);
    bool follow_finished = false;
    absl::Duration finished_poll = absl::Seconds(1);
  };
  // What the creator did, cumulative.
  struct Counts {
    uint64_t posts = 0;
    uint64_t created = 0;
    uint64_t refused_403 = 0;
    uint64_t throttled_429 = 0;
    uint64_t failed_requests = 0;  // 5xx and transport errors (requeued)
  };

  ArgoStyleCreator(std::string kubesim_url, const WorkloadPlan* plan, PodLedger* ledger,
                   const Clock* clock, Options options);
  ~ArgoStyleCreator();

  void Start();
  // New pods to create (their workflow arrived).
  void Enqueue(absl::Span<const uint32_t> pods);
  void Stop();
  Counts counts() const;

 private:
  struct Item {
    MonoTime not_before;
    uint64_t order = 0;
    uint32_t pod = 0;
    bool operator>(const Item& o) const {
      return not_before != o.not_before ? not_before > o.not_before : order > o.order;
    }
  };
  void CreateLoop();
  void PollFinished();
  void RecordEvent(uint32_t pod, v1::EventType type);

  const std::string kubesim_url_;
  const WorkloadPlan* const plan_;
  PodLedger* const ledger_;
  const Clock* const clock_;
  const Options options_;
  absl::Notification stop_;
  std::thread creator_;
  std::thread poller_;

  mutable absl::Mutex mu_;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> queue_ ABSL_GUARDED_BY(mu_);
  uint64_t next_order_ ABSL_GUARDED_BY(mu_) = 0;
  Counts counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_ARGO_STYLE_CREATOR_H_
