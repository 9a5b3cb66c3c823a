#ifndef SLUICE_SCHEDULER_ENGINE_ENGINE_H_
#define SLUICE_SCHEDULER_ENGINE_ENGINE_H_

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "scheduler/common/clock.h"
#include "scheduler/engine/adaptive_rate.h"
#include "scheduler/engine/backoff.h"
#include "scheduler/engine/fair_queue.h"
#include "scheduler/engine/fairness_meter.h"
#include "scheduler/engine/intent.h"
#include "scheduler/engine/namespace_state.h"
#include "scheduler/engine/pod_event.h"
#include "scheduler/engine/pod_observation.h"
#include "scheduler/engine/pod_writer.h"
#include "scheduler/engine/pool.h"
#include "scheduler/engine/quota.h"
#include "scheduler/engine/workflow.h"
#include "scheduler/engine/write_budget.h"

namespace sluice {

struct EngineConfig {
  // The mutating budget toward the APIServer.
  WriteBudget::Options budget;
  // Adaptive shaping: when enabled, the budget's rate is learned from the
  // APIServer's answers (AdaptiveRate) between its floor and ceiling, and the
  // token bucket's burst is `adaptive_burst_window` worth of that rate. Short:
  // the server's own burst is unknown, and what Sluice saves up beyond it
  // (while its process stalls) comes back as a clump of 429s.
  AdaptiveRate::Options adaptive;
  absl::Duration adaptive_burst_window = absl::Milliseconds(20);
  // The in-flight window: with a rate limit, at most
  //   ceil(in_flight_gain x rate x latency)
  // writes in flight, where latency is the median round trip of the last 32
  // answers (rate x latency is what the rate needs in flight), never
  // fewer than min_in_flight_window (the window before any answer), never
  // more than budget.max_in_flight.
  // More in flight only queues at the APIServer, which serves its queue in
  // arrival order: a workflow arriving then would wait behind the queue rather
  // than get its fair turn. Intents wait in the fair queue instead, and the
  // order is decided when a write can really start. 0: max_in_flight alone.
  double in_flight_gain = 3;
  uint32_t min_in_flight_window = 4;
  // With adaptive shaping, a 429's Retry-After delays the refused request
  // only; every write pauses only while the throttled share is high
  // (adaptive.pause_share, adaptive.share_window).
  // Intents waiting (queued or backing off) beyond which Submit answers
  // RESOURCE_EXHAUSTED.
  uint64_t queue_cap = 1'000'000;
  // Retries after transient failures (5xx, timeouts, connection errors).
  ExponentialBackoff::Options retry_backoff;
  // Create attempts before an intent fails for good; 0 retries forever.
  uint32_t max_attempts = 0;
  // The pause after a 429 without a usable Retry-After header.
  absl::Duration default_retry_after = absl::Seconds(1);
  // How long a finished intent is remembered (DUPLICATE answers), and at most
  // how many are.
  absl::Duration terminal_retention = absl::Minutes(10);
  uint64_t max_terminal_retained = 1'000'000;
  // Fair-share weights (> 0). Namespaces not listed get the default.
  double default_namespace_weight = 1.0;
  absl::flat_hash_map<std::string, double> namespace_weights;
  double default_workflow_weight = 1.0;
  // Workflow weights by rule, first match wins; others get the default.
  struct WorkflowWeight {
    std::string name_glob;           // '*' matches any run of characters
    std::string workflow_namespace;  // empty: any
    double weight = 1.0;
  };
  std::vector<WorkflowWeight> workflow_weights;
  // The fairness measure (GetStatus, metrics).
  FairnessMeter::Options fairness_meter;

  // Admission against namespace ResourceQuotas.
  struct Quota {
    bool enabled = true;
    // How many intents behind a blocked one of the same workflow are looked at
    // for one that fits (backfill). 0: a workflow waits behind its first.
    uint32_t backfill_scan = 16;
    // Namespaces whose intents go in arrival order, across workflows; the
    // first that does not fit holds up the rest.
    absl::flat_hash_set<std::string> strict_fifo_namespaces;
  } quota;

  // Elastic capacity pools. Without pools, pods are created as submitted.
  struct Capacity {
    std::vector<PoolConfig> pools;
    PoolTimers timers;
    // The policy of intents that do not say, by namespace, else the default.
    CapacityPolicy default_policy = CapacityPolicy::kSpotPreferred;
    absl::flat_hash_map<std::string, CapacityPolicy> namespace_policies;
    // Words in a pending pod's Unschedulable message or status.reason that
    // mean its pool is out of stock, or failed to provision it.
    std::vector<std::string> stockout_reasons = {"NoStock", "StockExhaust", "StockClose"};
    std::vector<std::string> failure_reasons = {"ProviderFailed"};
    // status.reason of a failed pod that means it was reclaimed or preempted.
    std::vector<std::string> preemption_reasons = {"Preempted", "BidFailed", "Expired",
                                                   "SpotToBeReleased"};
  } capacity;
};

// A snapshot for GetStatus and metrics.
struct EngineStatus {
  struct Quota {
    std::string name;
    ResourceList hard;
    ResourceList status_used;  // the quota's status.used
    ResourceList sluice_used;  // Sluice's own non-terminal pods it charges
    ResourceList in_flight;    // Sluice's creates in flight it charges
    ResourceList headroom;     // hard - max(status_used, sluice_used) - in_flight
    bool status_known = false;
    std::vector<std::string> unevaluated_scopes;
  };
  struct Namespace {
    std::string name;
    uint64_t queued = 0;
    uint64_t in_flight = 0;
    uint64_t workflows = 0;
    double weight = 1.0;
    uint64_t blocked = 0;  // queued intents waiting on quota
    bool strict_fifo = false;
    std::vector<Quota> quotas;
  };
  uint64_t queue_depth = 0;  // queued + backing off
  uint64_t queue_cap = 0;
  uint64_t backing_off = 0;
  uint64_t deletes_queued = 0;
  double qps = 0;  // the rate in force (learned, with adaptive shaping)
  uint32_t burst = 0;
  bool adaptive = false;
  bool slow_start = false;  // adaptive: still doubling
  double ceiling_qps = 0;   // adaptive: the rate is never above this
  double floor_qps = 0;
  uint64_t rate_decreases[AdaptiveRate::kCauseCount] = {};
  double tokens = 0;
  uint32_t max_in_flight = 0;
  uint32_t in_flight_window = 0;  // the in-flight cap in force (<= max_in_flight)
  absl::Duration write_latency;   // the median round trip the window is sized from
  double throttled_share = 0;     // adaptive: 429s among the last share_window's answers
  uint32_t in_flight = 0;
  absl::Duration paused_for = absl::ZeroDuration();
  uint64_t state_counts[kIntentStateCount] = {};
  uint64_t active_workflows = 0;
  // The last closed fairness period (see FairnessMeter); jain < 0: none yet.
  double fairness_jain = -1;
  uint64_t fairness_flows = 0;
  absl::Duration fairness_period;
  absl::Duration small_workflow_worst_wait;
  std::vector<Namespace> namespaces;
};

// Cumulative counters for metrics; read on the engine thread.
struct EngineCounters {
  uint64_t accepted = 0;
  uint64_t duplicates = 0;
  uint64_t exhausted = 0;
  uint64_t creates_started = 0;
  uint64_t deletes_started = 0;
  // Answers to writes, by outcome.
  uint64_t write_outcomes[7] = {};
  uint64_t events[kPodEventTypeCount] = {};
  uint64_t adopted = 0;            // intents found already existing by the informer
  uint64_t quota_waits = 0;        // intents that waited on quota (Waiting events)
  uint64_t capacity_waits = 0;     // intents that waited for pool capacity
  uint64_t reschedules = 0;        // pods re-created in another pool
  uint64_t preemptions = 0;        // running pods reclaimed or preempted
  uint64_t quota_corrections = 0;  // 403 exceeded-quota answers used to correct an estimate
  // Adaptive shaping: rate decreases, by cause (AdaptiveRate::Cause).
  uint64_t rate_decreases[AdaptiveRate::kCauseCount] = {};
  // Adaptive shaping: times every write paused because the throttled share
  // was high.
  uint64_t throttle_pauses = 0;
};

// The deterministic core of Sluice: coalescing, fair queueing, shaping and the
// intent state machine. Every input is a method call, every output a command
// to the PodWriter or an event to the EventSink. It never does I/O, never reads
// the real clock and never starts threads.
//
// Thread safety: none. One thread (the engine thread) owns the engine and
// makes every call. The writer and sink are called on that thread.
//
// Example (a test):
//   SimulatedClock clock;
//   FakeWriter writer;
//   CollectingSink events;
//   Engine engine(clock, config, &writer, &events);
//   engine.Submit(...);
//   engine.Pump();                         // dispatches what the budget allows
//   engine.OnCreateResult(writer.last_id(), {WriteOutcome::kSuccess});
class Engine {
 public:
  enum class SubmitCode : uint8_t { kAccepted, kDuplicate, kExhausted };
  struct SubmitOutcome {
    SubmitCode code = SubmitCode::kAccepted;
    IntentState state = IntentState::kQueued;  // for kDuplicate
  };
  struct CancelOutcome {
    uint32_t dropped = 0;
    uint32_t deleting = 0;
    uint32_t already_done = 0;
    uint32_t not_found = 0;
  };

  // `writer` and `events` must outlive the engine.
  Engine(const Clock& clock, const EngineConfig& config, PodWriter* writer, EventSink* events);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Offers intents; outcomes[i] answers intents[i]. An accepted intent is moved
  // out of its slot; others are left in place. Intents are queued in order.
  // REQUIRES: outcomes.size() == intents.size(); every intent has a key and a
  // workflow uid (intake validated it).
  void Submit(absl::Span<std::unique_ptr<Intent>> intents, absl::Span<SubmitOutcome> outcomes);

  // Withdraws every live intent of a workflow, or the given pods ("ns/name").
  CancelOutcome CancelWorkflow(absl::string_view workflow_uid, bool keep_created);
  CancelOutcome CancelPods(absl::Span<const std::string> pod_keys, bool keep_created);

  // Answers to commands sent to the PodWriter. Unknown ids are ignored.
  void OnCreateResult(uint64_t request_id, const WriteResult& result);
  void OnDeleteResult(uint64_t request_id, const WriteResult& result);

  // The informer saw a managed pod change.
  void OnPodObserved(const PodObservation& pod);
  // The informer (re)listed: `pods` is every managed pod that exists now.
  // Intents whose pod is missing from it are reported deleted.
  void OnPodsResynced(absl::Span<const PodObservation> pods);

  // The informer saw a ResourceQuota change (or go: `deleted`).
  void OnQuotaObserved(const QuotaObservation& quota);
  // The informer (re)listed ResourceQuotas: `quotas` is every one that exists.
  void OnQuotasResynced(absl::Span<const QuotaObservation> quotas);

  // Releases retries that are due, forgets old finished intents and sends as
  // many writes as the budget allows.
  void Pump();
  // When Pump next has something to do (Infinite if nothing is pending but
  // answers). A call to any other method may bring it forward.
  MonoTime NextWakeup() const;

  // Sends no more writes (shutdown: let those in flight answer). Irreversible.
  void StopDispatching() { dispatching_ = false; }

  void Reconfigure(const EngineConfig& config);
  const EngineConfig& config() const { return config_; }

  EngineStatus Status(bool include_namespaces) const;

  struct PoolRow {
    const PoolTracker* pool;
    PoolStateKind state;
    absl::Duration remaining;
  };
  struct CapacityStatus {
    std::vector<PoolRow> pools;
    CapacityPolicy default_policy;
    uint64_t waiting = 0;  // intents parked for capacity
  };
  CapacityStatus Capacity();
  const EngineCounters& counters() const { return counters_; }
  // The intent with this key ("ns/name"), or nullptr. For tests and diagnostics.
  const Intent* Find(absl::string_view pod_key) const;
  uint64_t queue_depth() const;

 private:
  // Adaptive shaping: the learned rate into the token bucket; an answer into
  // the learner; a 429's wait (pausing every write when it must).
  void ApplyAdaptiveRate(MonoTime now, bool force);
  // Feeds the fairness meter the backlogged flows and their entitled shares.
  void SampleFairness(MonoTime now);
  double WorkflowWeightFor(const Workflow& workflow) const;
  void OnWriteAnswered(Intent* intent, const WriteResult& result, MonoTime now);
  absl::Duration ThrottleWait(const WriteResult& result, MonoTime now);
  // Sizes the in-flight window from the rate and the latency estimate.
  void UpdateWindow();

  struct RetryEntry {
    MonoTime at;
    std::string key;
    bool is_delete;
    bool operator>(const RetryEntry& other) const { return at > other.at; }
  };
  struct TerminalEntry {
    MonoTime at;
    std::string key;
  };

  class QuotaGate;

  NamespaceState* NamespaceFor(absl::string_view ns);
  Workflow* WorkflowFor(const IntentSpec& spec);
  FlowQueue* FlowFor(Intent* intent);
  void Accept(Intent* intent, MonoTime now);

  void SetState(Intent* intent, IntentState state);
  void Enqueue(Intent* intent, bool at_front);
  void Dispatch(Intent* intent, MonoTime now);
  void DispatchDelete(Intent* intent, MonoTime now);
  void MakeTerminal(Intent* intent, IntentState state, MonoTime now);
  void Advance(Intent* intent, IntentState target, const PodObservation* pod);
  void MarkCreated(Intent* intent, absl::string_view reason, MonoTime now);
  void FinishCancel(Intent* intent, MonoTime now);
  void CancelOne(Intent* intent, bool keep_created, CancelOutcome& outcome);
  void QueueDelete(Intent* intent);
  void ScheduleRetry(Intent* intent, bool is_delete, absl::Duration delay, MonoTime now);
  void ReleaseRetries(MonoTime now);
  void ForgetTerminal(MonoTime now);
  void Forget(Intent* intent);
  void Emit(const Intent& intent, PodEventType type, absl::string_view reason = {},
            absl::string_view message = {});

  // Quota admission and accounting. An intent charges its namespace's quotas
  // as in flight while kDispatching and as Sluice's own while created and
  // not yet terminal.
  const ResourceList& QuotaUsage(Intent* intent);
  bool QuotaAdmits(Intent* intent, std::string* why);
  void OnParked(Intent* head);
  void ChargeInFlight(Intent* intent, bool add);
  void ChargeOurs(Intent* intent, bool add);
  void RecountQuota(NamespaceState* ns, TrackedQuota* quota);
  void ObserveQuota(const QuotaObservation& quota);

  // Capacity pools.
  CapacityPolicy PolicyOf(const Intent& intent) const;
  PoolTracker* ChoosePool(Intent* intent, MonoTime now);
  std::string CapacityExplanation(Intent* intent, MonoTime now);
  void ChargePool(Intent* intent, bool in_flight, bool add);
  void UnparkEverything();
  bool ObservePoolSignals(Intent* intent, const PodObservation& pod);
  void Reschedule(Intent* intent, absl::string_view reason, absl::string_view message);
  void RequeueAfterReschedule(Intent* intent);
  void CheckProvisioning(MonoTime now);
  void RefreshPoolStates(MonoTime now);
  void BuildPools();
  void FlushEvents();

  const Clock& clock_;
  EngineConfig config_;
  PodWriter* const writer_;
  EventSink* const events_;

  WriteBudget budget_;
  ExponentialBackoff backoff_;
  FairQueue queue_;
  std::unique_ptr<QuotaGate> gate_;

  std::vector<std::unique_ptr<PoolTracker>> pools_;
  std::vector<PoolTracker*> pool_order_;  // pools_ as pointers, for CandidatePools
  // Trackers of pools removed by a reconfiguration, kept for intents that
  // still point at them.
  std::vector<std::unique_ptr<PoolTracker>> retired_pools_;
  struct ProvisioningCheck {
    MonoTime at;
    std::string key;
    MonoTime created_at;
    bool operator>(const ProvisioningCheck& other) const { return at > other.at; }
  };
  std::priority_queue<ProvisioningCheck, std::vector<ProvisioningCheck>,
                      std::greater<ProvisioningCheck>>
      provisioning_;
  // The earliest time a pool's state ends (then waiting intents get a look).
  MonoTime next_pool_change_ = MonoTime::Infinite();
  // The clock's reading at the start of the current Pump (the gate's "now").
  MonoTime pump_now_;
  // Adaptive shaping (config_.adaptive.enabled).
  AdaptiveRate adaptive_;
  FairnessMeter fairness_;
  MonoTime next_fairness_sample_;
  // The previous Pump left work waiting for tokens: the rate was the bottleneck.
  bool rate_saturated_ = false;
  // The last answers' round trips (a ring) and their median (the in-flight
  // window's latency; zero and unknown until a write is answered).
  static constexpr size_t kLatencySamples = 32;
  std::array<absl::Duration, kLatencySamples> latency_samples_{};
  uint64_t latency_next_ = 0;
  absl::Duration write_latency_ = absl::ZeroDuration();
  bool write_latency_known_ = false;

  // Every intent Sluice remembers, by "ns/name" (the view points into the intent).
  absl::flat_hash_map<absl::string_view, std::unique_ptr<Intent>> intents_;
  absl::flat_hash_map<std::string, std::unique_ptr<Workflow>> workflows_;
  absl::flat_hash_map<std::string, std::unique_ptr<NamespaceState>> namespaces_;
  // Writes in flight by request id.
  absl::flat_hash_map<uint64_t, Intent*> in_flight_;
  std::deque<Intent*> delete_queue_;
  std::priority_queue<RetryEntry, std::vector<RetryEntry>, std::greater<RetryEntry>> retries_;
  std::deque<TerminalEntry> terminal_;
  // Managed pods the informer reported that match no intent (a previous
  // incarnation created them), by key; valid once the informer has synced.
  absl::flat_hash_map<std::string, PodObservation> unmatched_pods_;
  bool pods_synced_ = false;
  bool dispatching_ = true;

  uint64_t next_intent_id_ = 1;
  uint64_t next_request_id_ = 1;
  uint64_t state_counts_[kIntentStateCount] = {};
  EngineCounters counters_;
  std::vector<PodEvent> pending_events_;

  // Submit's one-entry caches: batches usually hold one workflow's pods.
  Workflow* last_workflow_ = nullptr;
  NamespaceState* last_namespace_ = nullptr;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_ENGINE_ENGINE_H_
