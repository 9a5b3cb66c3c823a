#ifndef SLUICE_TOOLS_KUBESIM_KUBELET_H_
#define SLUICE_TOOLS_KUBESIM_KUBELET_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "scheduler/common/clock.h"
#include "tools/kubesim/object_store.h"

namespace sluice::kubesim {

struct KubeletOptions {
  // false: pods are never scheduled and stay Pending.
  bool enabled = true;
  // Creation -> PodScheduled=True with spec.nodeName.
  absl::Duration schedule_delay = absl::Milliseconds(50);
  // Scheduled -> Running.
  absl::Duration start_delay = absl::Milliseconds(500);
  // Running -> Succeeded/Failed; zero: run until deleted.
  absl::Duration run_duration = absl::Seconds(5);
  // Exit code of every container (non-zero: the pod Fails).
  int64_t exit_code = 0;
  // Deletion requested -> containers stopped (terminal phase, then removal).
  // nullopt: the whole grace period, as for a process that ignores SIGTERM.
  std::optional<absl::Duration> termination_delay;
};

class Pod;

// Decides whether the simulated scheduler may place a pod now (capacity
// pools). Called from the scheduler's read-modify-write of the pod, possibly
// more than once for one attempt: answers must be idempotent per pod uid.
class PlacementGate {
 public:
  struct Decision {
    bool place = true;
    // !place: the pod stays Pending with PodScheduled=False, reason
    // Unschedulable and this message.
    std::string message;
  };
  virtual ~PlacementGate() = default;
  virtual Decision Place(const Pod& pod) = 0;
};

// A fake node the scheduler can place pods on.
struct SimNode {
  std::string name;
  std::string ip;
};

// The simulated kube-scheduler and kubelets: moves every pod through
// Pending -> scheduled (PodScheduled=True, spec.nodeName) -> Running ->
// Succeeded/Failed, each step one MODIFIED event, with per-pod overrides from
// sim.sluice.dev/* annotations. On graceful deletion the containers stop
// (terminal phase, exit 143, or 137 when killed at the end of the grace
// period) and the pod is removed (DELETED), as since Kubernetes 1.27.
//
// Timers live in one priority queue. RunDue() performs what is due at
// clock.MonoNow() — tests call it after advancing a SimulatedClock; Start()
// runs a single thread that calls it at each due time on the real clock.
// Thread-safe. Registered as a StoreObserver (learns of new pods and of
// deletions from commits).
class Kubelet final : public StoreObserver {
 public:
  Kubelet(const Clock& clock, ObjectStore* store, std::vector<SimNode> nodes,
          KubeletOptions options);
  ~Kubelet() override;

  void OnCommit(const ResourceInfo& resource, const StoredEvent& event) override;

  // Performs every action due now (including ones that become due while
  // doing so); returns the time of the next pending action, or Infinite.
  MonoTime RunDue();
  size_t pending_actions() const;

  // Set-up, before any pod is created: pods pass `gate` before binding. Not
  // owned.
  void SetPlacementGate(PlacementGate* gate) { gate_ = gate; }
  // Tries to schedule the pod again now (its gate let it through).
  void ScheduleNow(std::string namespace_name, std::string name, std::string uid);

  // Real-time driver thread; Stop() joins it. Both idempotent.
  void Start();
  void Stop();

 private:
  enum class Action { kSchedule, kStart, kFinish, kTerminate };
  struct Timer {
    MonoTime due;
    uint64_t seq;  // FIFO among equal due times
    Action action;
    std::string namespace_name;
    std::string name;
    std::string uid;
    bool killed_at_grace = false;  // kTerminate: exit 137 rather than 143
    bool operator>(const Timer& o) const { return due != o.due ? due > o.due : seq > o.seq; }
  };

  void AddTimer(Timer timer) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Perform(const Timer& timer);
  void Schedule(const Timer& timer);
  void StartContainers(const Timer& timer);
  void Finish(const Timer& timer);
  void Terminate(const Timer& timer);
  void Loop();
  // The wall time at which `due` was reached: transitions are stamped with
  // their due time, and each step is timed from the previous one's due time,
  // so that running late (or a SimulatedClock jumping ahead) does not shift
  // the schedule.
  absl::Time WallAt(MonoTime due) const;
  std::string NextPodIp();

  const Clock& clock_;
  ObjectStore* const store_;
  const std::vector<SimNode> nodes_;
  const KubeletOptions options_;
  PlacementGate* gate_ = nullptr;  // fixed after set-up
  std::atomic<uint64_t> next_node_{0};
  std::atomic<uint64_t> next_ip_{0};

  // Taken inside the store lock (OnCommit); never held while calling the store.
  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_ ABSL_GUARDED_BY(mu_);
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_KUBELET_H_
