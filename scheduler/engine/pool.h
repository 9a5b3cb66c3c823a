#ifndef SLUICE_SCHEDULER_ENGINE_POOL_H_
#define SLUICE_SCHEDULER_ENGINE_POOL_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "scheduler/common/clock.h"
#include "scheduler/common/resource_list.h"

namespace sluice {

enum class PoolClass : uint8_t { kOnDemand, kSpot };
absl::string_view PoolClassName(PoolClass c);

// How an intent may be placed.
enum class CapacityPolicy : uint8_t {
  kDefault,        // the namespace's configured default
  kOnDemand,       // on-demand pools only
  kSpotPreferred,  // spot pools first, on-demand when none can take the pod
  kSpotOnly,       // spot pools only (waits when none can take the pod)
};
absl::string_view CapacityPolicyName(CapacityPolicy policy);

// A pod toleration injected into pods placed in a pool.
struct PoolToleration {
  std::string key;
  std::string op = "Equal";
  std::string value;
  std::string effect;
};

// When billing of a pod starts (serverless pools differ).
enum class BillingStart : uint8_t { kCreation, kScheduled, kRunning };
absl::string_view BillingStartName(BillingStart start);

// A capacity pool from the configuration.
struct PoolConfig {
  std::string name;
  PoolClass pool_class = PoolClass::kOnDemand;
  // Lower goes first within a class.
  int32_t order = 0;
  // Written onto every pod placed in the pool.
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<std::pair<std::string, std::string>> annotations;
  std::vector<std::pair<std::string, std::string>> node_selector;
  std::vector<PoolToleration> tolerations;
  // Limits; absent means unlimited.
  std::optional<Quantity> max_vcpu;
  std::optional<Quantity> max_memory;
  std::optional<Quantity> max_gpu;
  std::optional<int64_t> max_pods;
  // Prices per hour in `currency`: per vCPU, per GiB of memory, per GPU.
  std::string currency = "USD";
  double price_vcpu_hour = 0;
  double price_gib_hour = 0;
  double price_gpu_hour = 0;
  // The same prices exactly, in nano-units of `currency` per hour, parsed from
  // the configuration's decimal text (the cost ledger uses these).
  int64_t price_vcpu_nano_hour = 0;
  int64_t price_gib_nano_hour = 0;
  int64_t price_gpu_nano_hour = 0;
  int64_t billing_granularity_seconds = 1;
  int64_t billing_minimum_seconds = 0;
  BillingStart billing_start = BillingStart::kCreation;
  // A pod still Pending and unschedulable this long after creation cannot
  // start in this pool.
  absl::Duration provisioning_timeout = absl::Minutes(5);
};

// The timers of pool states.
struct PoolTimers {
  // How long a pool stays Unavailable after a stock-out (re-marking resets it).
  absl::Duration unavailable_ttl = absl::Minutes(3);
  // BackedOff after other provisioning failures: initial, doubling to max.
  absl::Duration backoff_initial = absl::Minutes(5);
  absl::Duration backoff_max = absl::Minutes(30);
  // A backoff sequence starts over after this long without failures.
  absl::Duration backoff_reset_after = absl::Hours(3);
  // How long a pool is Draining after interruption notices.
  absl::Duration draining_ttl = absl::Minutes(3);
  // A pool starts Draining when the interruption notices of the last
  // `draining_window` reach this share of its pods in use (at least one
  // notice): spot capacity loses a few pods a minute as a matter of course,
  // which is no reason to stop using it; a wave of notices is. 0: every
  // notice drains the pool.
  double draining_threshold = 0.05;
  absl::Duration draining_window = absl::Minutes(1);
};

enum class PoolStateKind : uint8_t { kAvailable, kUnavailable, kBackedOff, kDraining };
absl::string_view PoolStateName(PoolStateKind kind);

// What a pod takes of a pool: the requests serverless pools bill for.
struct PoolUsage {
  Quantity vcpu;
  Quantity memory;
  Quantity gpu;
  int64_t pods = 0;

  static PoolUsage Of(const ResourceList& requests);
  void Add(const PoolUsage& other);
  void Sub(const PoolUsage& other);
};

// One pool's state machine and usage.
//
//   Available --stock-out--> Unavailable (TTL; re-marking resets the TTL)
//   Available --other failure--> BackedOff (initial, doubling to max; a
//        failure while a backoff is active does not escalate; the sequence
//        starts over after backoff_reset_after without failures)
//   Available --interruption notices (a share of its pods within a window;
//        see PoolTimers::draining_threshold)--> Draining (TTL)
//   any --timer runs out--> Available
//
// A pool that is not Available takes no new pods. Not thread-safe: the engine
// thread owns it.
class PoolTracker {
 public:
  struct Failure {
    absl::Time at;
    std::string reason;
    std::string message;
  };

  PoolTracker(PoolConfig config, const PoolTimers* timers);

  const PoolConfig& config() const { return config_; }
  // New settings from a reconfiguration; state, usage and history stay.
  void set_config(PoolConfig config) { config_ = std::move(config); }
  const std::string& name() const { return config_.name; }

  // The state at `now` (timers that ran out are applied).
  PoolStateKind State(MonoTime now);
  // When the current state ends (Infinite when Available).
  MonoTime StateEnds() const { return state_ends_; }

  void MarkStockOut(MonoTime now, absl::Time wall, absl::string_view reason,
                    absl::string_view message);
  void MarkFailure(MonoTime now, absl::Time wall, absl::string_view reason,
                   absl::string_view message);
  void MarkInterruption(MonoTime now, absl::Time wall, absl::string_view reason,
                        absl::string_view message);

  // Whether a pod with `usage` fits under the limits now.
  bool Fits(const PoolUsage& usage) const;

  const PoolUsage& in_flight() const { return in_flight_; }
  const PoolUsage& used() const { return used_; }
  void AddInFlight(const PoolUsage& u) { in_flight_.Add(u); }
  void RemoveInFlight(const PoolUsage& u) { in_flight_.Sub(u); }
  void AddUsed(const PoolUsage& u) { used_.Add(u); }
  void RemoveUsed(const PoolUsage& u) { used_.Sub(u); }

  // The last few failures, newest last.
  const std::deque<Failure>& recent_failures() const { return failures_; }
  uint64_t stockouts() const { return stockouts_; }
  uint64_t backoffs() const { return backoffs_; }
  uint64_t interruptions() const { return interruptions_; }
  // The backoff the next failure would start.
  absl::Duration next_backoff() const { return next_backoff_; }

 private:
  void Enter(PoolStateKind kind, MonoTime until);
  void Record(absl::Time wall, absl::string_view reason, absl::string_view message);

  PoolConfig config_;
  const PoolTimers* timers_;
  PoolStateKind kind_ = PoolStateKind::kAvailable;
  MonoTime state_ends_ = MonoTime::Infinite();
  absl::Duration next_backoff_;
  MonoTime last_failure_ = MonoTime::Infinite();
  PoolUsage in_flight_;
  PoolUsage used_;
  std::deque<Failure> failures_;
  uint64_t stockouts_ = 0;
  uint64_t backoffs_ = 0;
  uint64_t interruptions_ = 0;
  // Interruption notices within the draining window, oldest first.
  std::deque<MonoTime> recent_notices_;
};

// The pools to try for a pod, in order: by policy (spot first for
// kSpotPreferred), then by `order`, then by name; restricted to `allowed`
// when it is not empty, and never the ones in `excluded`.
std::vector<PoolTracker*> CandidatePools(std::vector<PoolTracker*> pools, CapacityPolicy policy,
                                         const std::vector<std::string>& allowed,
                                         const std::vector<std::string>& excluded);

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_ENGINE_POOL_H_
