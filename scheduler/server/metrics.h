#ifndef SLUICE_SCHEDULER_SERVER_METRICS_H_
#define SLUICE_SCHEDULER_SERVER_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "scheduler/engine/engine.h"

namespace sluice {

// A gauge family whose series come and go with the engine's namespaces, quotas
// and pools. Engine thread only (through SluiceMetrics::SnapshotEngine).
class LabelledGauges {
 public:
  LabelledGauges(prometheus::Registry& registry, const std::string& name, const std::string& help);
  // Starts a snapshot: series not Set before Finish() are removed.
  void Begin() { ++generation_; }
  void Set(const std::map<std::string, std::string>& labels, double value);
  void Finish();

 private:
  struct Series {
    prometheus::Gauge* gauge;
    uint64_t generation;
  };
  prometheus::Family<prometheus::Gauge>& family_;
  std::map<std::map<std::string, std::string>, Series> series_;
  uint64_t generation_ = 0;
};

// Sluice's Prometheus metrics. Series are bounded: labels are results,
// outcomes, verbs, codes and states, never workflows or pods.
//
// Thread-safe: Record* from any thread; SnapshotEngine on the engine thread.
class SluiceMetrics {
 public:
  SluiceMetrics();
  SluiceMetrics(const SluiceMetrics&) = delete;
  SluiceMetrics& operator=(const SluiceMetrics&) = delete;

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  // Intake results of one batch.
  void RecordSubmit(uint32_t accepted, uint32_t duplicates, uint32_t rejected, uint32_t exhausted);
  // One APIServer request: verb ("create", "delete", "list", "watch", ...), HTTP
  // code (0 when no answer arrived) and latency.
  void RecordApiRequest(absl::string_view verb, int code, absl::Duration latency);
  // Copies the engine's counters and gauges, per-namespace quota figures and
  // per-pool capacity figures. Engine thread.
  void SnapshotEngine(Engine& engine);

 private:
  void SnapshotNamespaces(const EngineStatus& status);
  void SnapshotPools(const Engine::CapacityStatus& capacity);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& intents_;
  prometheus::Counter& accepted_;
  prometheus::Counter& duplicates_;
  prometheus::Counter& rejected_;
  prometheus::Counter& exhausted_;
  prometheus::Family<prometheus::Counter>& writes_;
  std::array<prometheus::Counter*, 7> write_outcomes_{};
  prometheus::Counter& creates_started_;
  prometheus::Counter& deletes_started_;
  prometheus::Family<prometheus::Counter>& events_;
  std::array<prometheus::Counter*, kPodEventTypeCount> event_counters_{};
  prometheus::Counter& adopted_;
  prometheus::Family<prometheus::Gauge>& intent_states_;
  std::array<prometheus::Gauge*, kIntentStateCount> state_gauges_{};
  prometheus::Gauge& queue_depth_;
  prometheus::Gauge& queue_cap_;
  prometheus::Gauge& backing_off_;
  prometheus::Gauge& deletes_queued_;
  prometheus::Gauge& active_workflows_;
  prometheus::Gauge& budget_qps_;
  prometheus::Gauge& budget_burst_;
  prometheus::Gauge& budget_tokens_;
  prometheus::Gauge& in_flight_;
  prometheus::Gauge& max_in_flight_;
  prometheus::Gauge& paused_seconds_;
  prometheus::Gauge& in_flight_window_;
  prometheus::Gauge& throttled_share_;
  prometheus::Counter& throttle_pauses_;
  prometheus::Family<prometheus::Counter>& rate_decreases_;
  std::array<prometheus::Counter*, AdaptiveRate::kCauseCount> rate_decrease_counters_{};
  prometheus::Gauge& adaptive_;
  prometheus::Gauge& fairness_jain_;
  prometheus::Gauge& fairness_flows_;
  prometheus::Gauge& small_workflow_wait_;
  prometheus::Counter& quota_waits_;
  prometheus::Counter& quota_corrections_;
  prometheus::Counter& capacity_waits_;
  prometheus::Counter& reschedules_;
  prometheus::Counter& preemptions_;
  prometheus::Gauge& capacity_waiting_;
  // Labelled by namespace (and quota, resource) or by pool: bounded by what the
  // operator configures, never by workflows. Series of a namespace, quota or pool
  // that went away are removed.
  LabelledGauges ns_queued_;
  LabelledGauges ns_blocked_;
  LabelledGauges quota_hard_;
  LabelledGauges quota_used_;
  LabelledGauges quota_headroom_;
  LabelledGauges pool_state_;
  LabelledGauges pool_used_;
  LabelledGauges pool_limit_;
  LabelledGauges pool_events_;
  prometheus::Family<prometheus::Counter>& api_requests_;
  prometheus::Family<prometheus::Histogram>& api_latency_;

  absl::Mutex mu_;
  EngineCounters last_ ABSL_GUARDED_BY(mu_);
  // Series looked up once: Family::Add builds a label map on every call.
  absl::flat_hash_map<std::pair<std::string, int>, prometheus::Counter*> api_counters_
      ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, prometheus::Histogram*> api_histograms_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_SERVER_METRICS_H_
