#ifndef SLUICE_TOOLS_KUBESIM_CAPACITY_POOLS_H_
#define SLUICE_TOOLS_KUBESIM_CAPACITY_POOLS_H_

#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "scheduler/common/clock.h"
#include "tools/kubesim/due_loop.h"
#include "tools/kubesim/kubelet.h"
#include "tools/kubesim/object_store.h"
#include "tools/kubesim/pool_config.h"

namespace sluice::kubesim {

struct PoolOptions {
  uint64_t seed = 1;  // which running pod a reclaim picks
};

// Elastic capacity pools as serverless platforms offer them (on-demand,
// spot): each pool has a capacity in pods, cpu and memory and can run out of
// stock; spot pools lose running pods at a rate.
//
// - The simulated scheduler asks Place() before binding a pod of a pool
//   (PlacementGate). A pod that does not fit, arrives behind waiting pods, or
//   finds the pool out of stock stays Pending with PodScheduled=False,
//   reason Unschedulable, and a message that starts with the pool's
//   capacity_reason ("StockExhaust") or stockout_reason ("NoStock").
// - Waiting pods are placed first-come first-served as soon as capacity
//   frees (a pod ends or is deleted, capacity is raised, the stock-out ends);
//   the kubelet is asked to schedule them at once.
// - Reclaim: at reclaim_per_minute x running pods per minute, a random
//   running pod gets DisruptionTarget=True (reclaim_condition_reason), then
//   after reclaim_notice phase Failed with status.reason reclaim_reason.
// - Scripted events change stock and capacity at fixed times after start.
//
// Thread-safe. A StoreObserver (learns pods from commits). RunDue() performs
// timed work due at clock.MonoNow(); Start() runs it on the real clock.
// Never calls the store or the kubelet while holding its lock.
class CapacityPools final : public PlacementGate, public StoreObserver {
 public:
  CapacityPools(const Clock& clock, ObjectStore* store, Kubelet* kubelet,
                std::vector<PoolConfig> pools, PoolOptions options);
  ~CapacityPools() override;

  Decision Place(const Pod& pod) override;
  void OnCommit(const ResourceInfo& resource, const StoredEvent& event) override;

  // Scripted events, reclaim notices and failures due now; returns when it
  // wants to run next.
  MonoTime RunDue();
  void Start();
  void Stop();

  // A run-time change (capacity, stock, immediate reclaims). NotFound for an
  // unknown pool.
  absl::Status Apply(const PoolChange& change);

  // GET /sim/pools: {"pools":[{"name","class","capacity":{"pods","cpu",
  // "memory"} (null: unlimited),"stockout","used":{"pods","cpu","memory"},
  // "pending","running","reclaiming","placed","reclaims"}]}.
  std::string Json() const;

  bool empty() const { return pool_count_ == 0; }

 private:
  enum class PodState { kNew, kWaiting, kPlaced, kReclaiming, kDone };
  struct PodEntry {
    std::string namespace_name;
    std::string name;
    size_t pool = 0;
    PodState state = PodState::kNew;
    bool running = false;
    uint64_t placed_seq = 0;
    int64_t cpu_milli = 0;
    int64_t memory_bytes = 0;
  };
  struct Pool {
    PoolConfig config;
    PoolCapacity capacity;
    bool stockout = false;
    int64_t used_pods = 0;
    int64_t used_cpu_milli = 0;
    int64_t used_memory_bytes = 0;
    std::deque<std::string> waiting;                 // uids, FIFO
    absl::btree_map<uint64_t, std::string> running;  // placed_seq -> uid, not reclaiming
    int64_t reclaiming = 0;
    int64_t placed_total = 0;
    int64_t reclaims = 0;
    double reclaim_debt = 0;  // pods owed to the reclaim rate
    MonoTime last_tick;
    size_t next_event = 0;
  };
  struct PodRef {
    std::string namespace_name;
    std::string name;
    std::string uid;
  };
  // A pod update to make, with its reason and message.
  struct Mark {
    PodRef pod;
    std::string reason;
    std::string message;
  };
  struct Notice {
    MonoTime due;
    Mark fail;
  };
  // Work found under the lock, done after it.
  struct Work {
    std::vector<PodRef> schedule;
    std::vector<Mark> disrupt;
    std::vector<Mark> fail;
  };

  // The pool index of `pod`, or -1.
  int PoolOf(const Pod& pod) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  static bool Fits(const Pool& pool, const PodEntry& e);
  static std::string WaitMessage(const Pool& pool);
  void Take(Pool& pool, PodEntry& e, const std::string& uid) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Release(Pool& pool, PodEntry& e, const std::string& uid) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Places waiting pods of `pool` that fit now, in order, into `work`.
  void Drain(Pool& pool, Work* work) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Picks up to `n` running pods of pool `index` to reclaim now.
  void Reclaim(size_t index, int64_t n, MonoTime now, Work* work)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Do(Work work, MonoTime now);

  const Clock& clock_;
  ObjectStore* const store_;
  Kubelet* const kubelet_;
  const MonoTime start_;
  const size_t pool_count_;
  bool uses_node_selector_ = false;  // fixed after construction
  DueLoop loop_;

  mutable absl::Mutex mu_;
  std::vector<Pool> pools_ ABSL_GUARDED_BY(mu_);  // fixed size after construction
  absl::flat_hash_map<std::string, PodEntry> pods_ ABSL_GUARDED_BY(mu_);  // by uid
  std::vector<Notice> notices_ ABSL_GUARDED_BY(mu_);  // reclaims waiting to fail
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_) = 0;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_CAPACITY_POOLS_H_
