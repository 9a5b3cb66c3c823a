#ifndef SLUICE_SCHEDULER_SIM_SIM_CLUSTER_H_
#define SLUICE_SCHEDULER_SIM_SIM_CLUSTER_H_

#include <cstdint>
#include <functional>
#include <queue>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "scheduler/common/clock.h"
#include "scheduler/engine/engine.h"
#include "scheduler/engine/pod_writer.h"
#include "scheduler/engine/token_bucket.h"

namespace sluice {

// An in-process simulated cluster in virtual time: an APIServer with latency,
// a server-side write limit (429 + Retry-After), injected transient failures
// (some of which lose the answer of a create that did happen), and kubelets
// that schedule, start and finish pods. It answers the engine's writes and
// reports pod changes as the informer would, by events on a virtual time line.
//
// Use with Simulation below. Not thread-safe: everything runs on one thread.
class SimCluster : public PodWriter {
 public:
  struct Options {
    absl::Duration api_latency = absl::Milliseconds(5);
    // Server-side mutating limit; 0 = unlimited.
    double server_qps = 0;
    uint32_t server_burst = 1;
    absl::Duration retry_after = absl::Seconds(1);
    // If set, the Retry-After of each 429 (called once per refusal, at its
    // time), in place of the fixed `retry_after`: kube-apiserver's grows
    // under repeated rejection.
    std::function<absl::Duration(MonoTime now)> retry_after_for;
    // Fraction of creates answered 5xx without creating the pod.
    double transient_failure_rate = 0;
    // Fraction of creates that create the pod but whose answer is lost (504).
    double lost_answer_rate = 0;
    // Kubelet timings after creation.
    absl::Duration informer_delay = absl::Milliseconds(2);
    absl::Duration schedule_after = absl::Milliseconds(100);
    absl::Duration start_after = absl::Milliseconds(500);
    absl::Duration run_for = absl::Seconds(2);
    uint64_t seed = 1;
  };

  struct Stats {
    uint64_t create_requests = 0;
    uint64_t created = 0;         // 201
    uint64_t already_exists = 0;  // 409
    uint64_t throttled = 0;       // 429
    uint64_t transient = 0;       // 5xx (including lost answers)
    uint64_t deletes = 0;
    uint64_t max_writes_in_one_second = 0;
  };

  SimCluster(SimulatedClock* clock, const Options& options);

  // The engine receives answers and observations. Must be set before writes.
  void Attach(Engine* engine) { engine_ = engine; }

  void Create(const CreatePodCommand& command) override;
  void Delete(const DeletePodCommand& command) override;

  // The time of the next scheduled event (Infinite if none).
  MonoTime NextEventTime() const;
  // Runs every event due at or before the clock's now.
  void RunDue();

  const Stats& stats() const { return stats_; }
  // Writes accepted (not throttled) and 429s, by second of virtual time since zero.
  const std::vector<uint64_t>& accepted_by_second() const { return accepted_by_second_; }
  const std::vector<uint64_t>& throttled_by_second() const { return throttled_by_second_; }
  // Changes the server-side limit from now on (the client is not told).
  void SetServerLimit(double qps, uint32_t burst);
  // How many times each pod key was created (201) over the run.
  const absl::flat_hash_map<std::string, uint32_t>& creations() const { return creations_; }

 private:
  struct Pod {
    std::string uid;
    bool exists = false;
  };
  struct Event {
    MonoTime at;
    uint64_t seq;
    std::function<void()> run;
    bool operator>(const Event& other) const {
      return at != other.at ? at > other.at : seq > other.seq;
    }
  };

  void At(MonoTime when, std::function<void()> run);
  double NextUniform();
  void CountWrite(MonoTime now);
  void StartKubelet(const std::string& key, const std::string& uid, MonoTime created);
  void Observe(const std::string& key, const std::string& uid, PodPhase phase, bool scheduled,
               bool deleted);

  SimulatedClock* const clock_;
  const Options options_;
  Engine* engine_ = nullptr;
  TokenBucket server_bucket_;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
  uint64_t next_seq_ = 0;
  uint64_t next_uid_ = 1;
  uint64_t rng_;
  absl::flat_hash_map<std::string, Pod> pods_;
  absl::flat_hash_map<std::string, uint32_t> creations_;
  Stats stats_;
  std::vector<uint64_t> accepted_by_second_;
  std::vector<uint64_t> throttled_by_second_;
  int64_t window_second_ = -1;
  uint64_t window_writes_ = 0;
};

// Runs an engine against a SimCluster in virtual time.
class Simulation {
 public:
  Simulation(SimulatedClock* clock, Engine* engine, SimCluster* cluster)
      : clock_(clock), engine_(engine), cluster_(cluster) {}

  // Advances virtual time event by event until nothing is pending or
  // `deadline` is reached. Returns the virtual time at the end.
  MonoTime RunUntilIdle(MonoTime deadline = MonoTime::Infinite());

  // The engine's process stalls for `length` every `every` (from `every` on):
  // neither it nor the answers meant for it run meanwhile, while the server
  // (whose token bucket refills up to its burst) does. What a loaded machine
  // does to sluiced. Zero `length`: no stalls.
  void SetStalls(absl::Duration every, absl::Duration length) {
    stall_every_ = every;
    stall_length_ = length;
  }

 private:
  // The end of the stall `t` falls in, or `t` if none.
  MonoTime AfterStall(MonoTime t) const;

  SimulatedClock* const clock_;
  Engine* const engine_;
  SimCluster* const cluster_;
  absl::Duration stall_every_ = absl::ZeroDuration();
  absl::Duration stall_length_ = absl::ZeroDuration();
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_SIM_SIM_CLUSTER_H_
