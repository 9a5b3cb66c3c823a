#include "scheduler/server/metrics.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "scheduler/engine/pod_writer.h"

namespace sluice {
namespace {

prometheus::Family<prometheus::Counter>& CounterFamily(prometheus::Registry& registry,
                                                       const std::string& name,
                                                       const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
}

prometheus::Family<prometheus::Gauge>& GaugeFamily(prometheus::Registry& registry,
                                                   const std::string& name,
                                                   const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry);
}

prometheus::Gauge& Gauge(prometheus::Registry& registry, const std::string& name,
                         const std::string& help) {
  return GaugeFamily(registry, name, help).Add({});
}

prometheus::Counter& Counter(prometheus::Registry& registry, const std::string& name,
                             const std::string& help) {
  return CounterFamily(registry, name, help).Add({});
}

void AddDelta(prometheus::Counter& counter, uint64_t now, uint64_t before) {
  if (now > before) counter.Increment(static_cast<double>(now - before));
}

double ToGauge(const Quantity& q) { return static_cast<double>(q.MilliValue()) / 1000.0; }

}  // namespace

LabelledGauges::LabelledGauges(prometheus::Registry& registry, const std::string& name,
                               const std::string& help)
    : family_(GaugeFamily(registry, name, help)) {}

void LabelledGauges::Set(const std::map<std::string, std::string>& labels, double value) {
  auto it = series_.find(labels);
  if (it == series_.end()) it = series_.emplace(labels, Series{&family_.Add(labels), 0}).first;
  it->second.gauge->Set(value);
  it->second.generation = generation_;
}

void LabelledGauges::Finish() {
  for (auto it = series_.begin(); it != series_.end();) {
    if (it->second.generation != generation_) {
      family_.Remove(it->second.gauge);
      it = series_.erase(it);
    } else {
      ++it;
    }
  }
}

SluiceMetrics::SluiceMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      intents_(
          CounterFamily(*registry_, "sluice_intents_total", "Intents received, by intake result.")),
      accepted_(intents_.Add({{"result", "accepted"}})),
      duplicates_(intents_.Add({{"result", "duplicate"}})),
      rejected_(intents_.Add({{"result", "rejected"}})),
      exhausted_(intents_.Add({{"result", "resource_exhausted"}})),
      writes_(CounterFamily(*registry_, "sluice_dispatches_total",
                            "Answers to pod creates and deletes, by outcome.")),
      creates_started_(Counter(*registry_, "sluice_creates_started_total",
                               "Pod create requests sent to the APIServer.")),
      deletes_started_(Counter(*registry_, "sluice_deletes_started_total",
                               "Pod delete requests sent to the APIServer.")),
      events_(CounterFamily(*registry_, "sluice_pod_events_total",
                            "Pod lifecycle events published to controllers, by type.")),
      adopted_(Counter(*registry_, "sluice_adopted_pods_total",
                       "Intents found already created (by an earlier incarnation or a lost "
                       "answer) without a create.")),
      intent_states_(
          GaugeFamily(*registry_, "sluice_intents", "Intents Sluice remembers, by state.")),
      queue_depth_(Gauge(*registry_, "sluice_queue_depth",
                         "Intents waiting for write budget (including retries).")),
      queue_cap_(Gauge(*registry_, "sluice_queue_cap", "The queue cap.")),
      backing_off_(Gauge(*registry_, "sluice_backing_off",
                         "Intents waiting to retry after a transient failure.")),
      deletes_queued_(Gauge(*registry_, "sluice_deletes_queued", "Pod deletions waiting.")),
      active_workflows_(
          Gauge(*registry_, "sluice_active_workflows", "Workflows with intents Sluice remembers.")),
      budget_qps_(Gauge(*registry_, "sluice_shaper_rate_qps",
                        "The mutating write rate Sluice allows itself (0 = unlimited).")),
      budget_burst_(Gauge(*registry_, "sluice_shaper_burst", "The token bucket's burst.")),
      budget_tokens_(Gauge(*registry_, "sluice_shaper_tokens", "Tokens available now.")),
      in_flight_(Gauge(*registry_, "sluice_in_flight", "Writes in flight to the APIServer.")),
      max_in_flight_(Gauge(*registry_, "sluice_max_in_flight", "The in-flight cap.")),
      paused_seconds_(Gauge(*registry_, "sluice_shaper_paused_seconds",
                            "Seconds left of a Retry-After pause (0 when not paused).")),
      in_flight_window_(Gauge(*registry_, "sluice_in_flight_window",
                              "The in-flight cap in force: sized from the rate and the "
                              "writes' latency, at most sluice_max_in_flight.")),
      throttled_share_(Gauge(*registry_, "sluice_shaper_throttled_share",
                             "Adaptive shaping: 429s among the answers of the last share window.")),
      throttle_pauses_(Counter(*registry_, "sluice_shaper_pauses_total",
                               "Adaptive shaping: pauses of every write because the throttled "
                               "share reached budget.adaptive.pause_share.")),
      rate_decreases_(CounterFamily(*registry_, "sluice_shaper_rate_decreases_total",
                                    "Adaptive shaping: multiplicative decreases of the write "
                                    "rate, by cause (throttled: a 429; latency: a slow answer).")),
      adaptive_(Gauge(*registry_, "sluice_shaper_adaptive",
                      "1 when the write rate is learned from the APIServer's answers (2 while "
                      "in slow start), 0 when it is configured.")),
      fairness_jain_(Gauge(*registry_, "sluice_fairness_jain_index",
                           "Jain's index of the service backlogged workflows got against their "
                           "weighted shares over the last measurement period (1: exactly fair; "
                           "1 until a period has been measured).")),
      fairness_flows_(Gauge(*registry_, "sluice_fairness_backlogged_flows",
                            "Workflows (per namespace and priority) backlogged through the last "
                            "fairness measurement period.")),
      small_workflow_wait_(Gauge(*registry_, "sluice_fairness_small_workflow_wait_seconds",
                                 "The longest a workflow of at most 10 intents waited from its "
                                 "first accepted intent to its first create, over the last one "
                                 "to two minutes.")),
      quota_waits_(Counter(*registry_, "sluice_quota_waits_total",
                           "Intents that waited in their namespace because a ResourceQuota had "
                           "no headroom for them.")),
      quota_corrections_(Counter(*registry_, "sluice_quota_corrections_total",
                                 "403 exceeded-quota answers that corrected Sluice's estimate "
                                 "(another writer used the quota).")),
      capacity_waits_(Counter(*registry_, "sluice_capacity_waits_total",
                              "Intents that waited because no allowed pool had capacity.")),
      reschedules_(Counter(*registry_, "sluice_reschedules_total",
                           "Pods deleted and re-created in another pool (stock-out, provider "
                           "failure, provisioning timeout).")),
      preemptions_(Counter(*registry_, "sluice_preemptions_total",
                           "Running pods reclaimed by their pool (spot) and reported Preempted.")),
      capacity_waiting_(Gauge(*registry_, "sluice_capacity_waiting",
                              "Intents parked until an allowed pool has capacity.")),
      ns_queued_(*registry_, "sluice_namespace_queued",
                 "Intents waiting in a namespace (write budget or quota)."),
      ns_blocked_(*registry_, "sluice_namespace_quota_blocked",
                  "Queued intents of a namespace that do not fit its ResourceQuota headroom."),
      quota_hard_(*registry_, "sluice_quota_hard",
                  "A ResourceQuota's hard limit, by namespace, quota and resource (cpu in "
                  "cores, memory in bytes)."),
      quota_used_(*registry_, "sluice_quota_used",
                  "What Sluice charges against a ResourceQuota: max(status.used, Sluice's "
                  "non-terminal pods) plus creates in flight."),
      quota_headroom_(*registry_, "sluice_quota_headroom",
                      "hard - max(status.used, Sluice's non-terminal pods) - in-flight creates."),
      pool_state_(*registry_, "sluice_pool_state",
                  "1 for a capacity pool's current state (Available, Unavailable, BackedOff, "
                  "Draining), 0 for the others."),
      pool_used_(*registry_, "sluice_pool_used",
                 "What Sluice's pods take of a pool, by resource (vcpu, memory bytes, gpu, "
                 "pods), including creates in flight."),
      pool_limit_(*registry_, "sluice_pool_limit",
                  "A pool's configured limit, by resource (absent: unlimited)."),
      pool_events_(*registry_, "sluice_pool_failures",
                   "Stock-outs, other provisioning failures (backoffs) and interruptions "
                   "seen in a pool since start, by kind."),
      api_requests_(CounterFamily(*registry_, "sluice_apiserver_requests_total",
                                  "Requests to the APIServer, by verb and HTTP code (0: no "
                                  "answer).")),
      api_latency_(prometheus::BuildHistogram()
                       .Name("sluice_apiserver_request_duration_seconds")
                       .Help("APIServer request latency, by verb.")
                       .Register(*registry_)) {
  for (int i = 0; i < 7; ++i) {
    write_outcomes_[static_cast<size_t>(i)] =
        &writes_.Add({{"outcome", std::string(WriteOutcomeName(static_cast<WriteOutcome>(i)))}});
  }
  for (int i = 0; i < kPodEventTypeCount; ++i) {
    event_counters_[static_cast<size_t>(i)] =
        &events_.Add({{"type", std::string(PodEventTypeName(static_cast<PodEventType>(i)))}});
  }
  rate_decrease_counters_[0] = &rate_decreases_.Add({{"cause", "throttled"}});
  rate_decrease_counters_[1] = &rate_decreases_.Add({{"cause", "latency"}});
  for (int i = 0; i < kIntentStateCount; ++i) {
    state_gauges_[static_cast<size_t>(i)] =
        &intent_states_.Add({{"state", std::string(IntentStateName(static_cast<IntentState>(i)))}});
  }
}

void SluiceMetrics::RecordSubmit(uint32_t accepted, uint32_t duplicates, uint32_t rejected,
                                 uint32_t exhausted) {
  if (accepted) accepted_.Increment(accepted);
  if (duplicates) duplicates_.Increment(duplicates);
  if (rejected) rejected_.Increment(rejected);
  if (exhausted) exhausted_.Increment(exhausted);
}

void SluiceMetrics::RecordApiRequest(absl::string_view verb, int code, absl::Duration latency) {
  prometheus::Counter* counter;
  prometheus::Histogram* histogram;
  {
    absl::MutexLock lock(&mu_);
    auto key = std::make_pair(std::string(verb), code);
    auto it = api_counters_.find(key);
    if (it == api_counters_.end()) {
      it = api_counters_
               .emplace(key, &api_requests_.Add(
                                 {{"verb", std::string(verb)}, {"code", absl::StrCat(code)}}))
               .first;
    }
    counter = it->second;
    auto hit = api_histograms_.find(verb);
    if (hit == api_histograms_.end()) {
      static const prometheus::Histogram::BucketBoundaries kBuckets = {
          0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
      hit = api_histograms_
                .emplace(std::string(verb),
                         &api_latency_.Add({{"verb", std::string(verb)}}, kBuckets))
                .first;
    }
    histogram = hit->second;
  }
  counter->Increment();
  histogram->Observe(absl::ToDoubleSeconds(latency));
}

void SluiceMetrics::SnapshotEngine(Engine& engine) {
  const EngineStatus status = engine.Status(/*include_namespaces=*/true);
  queue_depth_.Set(static_cast<double>(status.queue_depth));
  queue_cap_.Set(static_cast<double>(status.queue_cap));
  backing_off_.Set(static_cast<double>(status.backing_off));
  deletes_queued_.Set(static_cast<double>(status.deletes_queued));
  active_workflows_.Set(static_cast<double>(status.active_workflows));
  budget_qps_.Set(status.qps);
  budget_burst_.Set(status.burst);
  budget_tokens_.Set(status.tokens);
  in_flight_.Set(status.in_flight);
  max_in_flight_.Set(status.max_in_flight);
  paused_seconds_.Set(absl::ToDoubleSeconds(status.paused_for));
  in_flight_window_.Set(status.in_flight_window);
  throttled_share_.Set(status.throttled_share);
  adaptive_.Set(status.adaptive ? (status.slow_start ? 2 : 1) : 0);
  fairness_jain_.Set(status.fairness_jain >= 0 ? status.fairness_jain : 1);
  fairness_flows_.Set(static_cast<double>(status.fairness_flows));
  small_workflow_wait_.Set(absl::ToDoubleSeconds(status.small_workflow_worst_wait));
  for (size_t i = 0; i < state_gauges_.size(); ++i) {
    state_gauges_[i]->Set(static_cast<double>(status.state_counts[i]));
  }
  SnapshotNamespaces(status);
  SnapshotPools(engine.Capacity());
  const EngineCounters& now = engine.counters();
  absl::MutexLock lock(&mu_);
  for (size_t i = 0; i < write_outcomes_.size(); ++i) {
    AddDelta(*write_outcomes_[i], now.write_outcomes[i], last_.write_outcomes[i]);
  }
  for (size_t i = 0; i < event_counters_.size(); ++i) {
    AddDelta(*event_counters_[i], now.events[i], last_.events[i]);
  }
  AddDelta(creates_started_, now.creates_started, last_.creates_started);
  AddDelta(deletes_started_, now.deletes_started, last_.deletes_started);
  AddDelta(adopted_, now.adopted, last_.adopted);
  AddDelta(quota_waits_, now.quota_waits, last_.quota_waits);
  for (size_t i = 0; i < rate_decrease_counters_.size(); ++i) {
    AddDelta(*rate_decrease_counters_[i], now.rate_decreases[i], last_.rate_decreases[i]);
  }
  AddDelta(quota_corrections_, now.quota_corrections, last_.quota_corrections);
  AddDelta(throttle_pauses_, now.throttle_pauses, last_.throttle_pauses);
  AddDelta(capacity_waits_, now.capacity_waits, last_.capacity_waits);
  AddDelta(reschedules_, now.reschedules, last_.reschedules);
  AddDelta(preemptions_, now.preemptions, last_.preemptions);
  last_ = now;
}

void SluiceMetrics::SnapshotNamespaces(const EngineStatus& status) {
  for (LabelledGauges* g :
       {&ns_queued_, &ns_blocked_, &quota_hard_, &quota_used_, &quota_headroom_}) {
    g->Begin();
  }
  for (const EngineStatus::Namespace& ns : status.namespaces) {
    ns_queued_.Set({{"namespace", ns.name}}, static_cast<double>(ns.queued));
    ns_blocked_.Set({{"namespace", ns.name}}, static_cast<double>(ns.blocked));
    for (const EngineStatus::Quota& quota : ns.quotas) {
      for (const ResourceList::Entry& hard : quota.hard) {
        const std::map<std::string, std::string> labels = {
            {"namespace", ns.name}, {"quota", quota.name}, {"resource", hard.name}};
        Quantity used = quota.status_used.Get(hard.name);
        const Quantity ours = quota.sluice_used.Get(hard.name);
        if (used < ours) used = ours;
        used.Add(quota.in_flight.Get(hard.name));
        quota_hard_.Set(labels, ToGauge(hard.quantity));
        quota_used_.Set(labels, ToGauge(used));
        quota_headroom_.Set(labels, ToGauge(quota.headroom.Get(hard.name)));
      }
    }
  }
  for (LabelledGauges* g :
       {&ns_queued_, &ns_blocked_, &quota_hard_, &quota_used_, &quota_headroom_}) {
    g->Finish();
  }
}

void SluiceMetrics::SnapshotPools(const Engine::CapacityStatus& capacity) {
  capacity_waiting_.Set(static_cast<double>(capacity.waiting));
  for (LabelledGauges* g : {&pool_state_, &pool_used_, &pool_limit_, &pool_events_}) g->Begin();
  for (const Engine::PoolRow& row : capacity.pools) {
    const PoolTracker& pool = *row.pool;
    const PoolConfig& c = pool.config();
    const std::string cls(PoolClassName(c.pool_class));
    for (PoolStateKind kind : {PoolStateKind::kAvailable, PoolStateKind::kUnavailable,
                               PoolStateKind::kBackedOff, PoolStateKind::kDraining}) {
      pool_state_.Set(
          {{"pool", c.name}, {"class", cls}, {"state", std::string(PoolStateName(kind))}},
          row.state == kind ? 1.0 : 0.0);
    }
    PoolUsage used = pool.used();
    used.Add(pool.in_flight());
    pool_used_.Set({{"pool", c.name}, {"resource", "vcpu"}}, ToGauge(used.vcpu));
    pool_used_.Set({{"pool", c.name}, {"resource", "memory"}}, ToGauge(used.memory));
    pool_used_.Set({{"pool", c.name}, {"resource", "gpu"}}, ToGauge(used.gpu));
    pool_used_.Set({{"pool", c.name}, {"resource", "pods"}}, static_cast<double>(used.pods));
    if (c.max_vcpu) pool_limit_.Set({{"pool", c.name}, {"resource", "vcpu"}}, ToGauge(*c.max_vcpu));
    if (c.max_memory) {
      pool_limit_.Set({{"pool", c.name}, {"resource", "memory"}}, ToGauge(*c.max_memory));
    }
    if (c.max_gpu) pool_limit_.Set({{"pool", c.name}, {"resource", "gpu"}}, ToGauge(*c.max_gpu));
    if (c.max_pods) {
      pool_limit_.Set({{"pool", c.name}, {"resource", "pods"}}, static_cast<double>(*c.max_pods));
    }
    pool_events_.Set({{"pool", c.name}, {"kind", "stockout"}},
                     static_cast<double>(pool.stockouts()));
    pool_events_.Set({{"pool", c.name}, {"kind", "backoff"}}, static_cast<double>(pool.backoffs()));
    pool_events_.Set({{"pool", c.name}, {"kind", "interruption"}},
                     static_cast<double>(pool.interruptions()));
  }
  for (LabelledGauges* g : {&pool_state_, &pool_used_, &pool_limit_, &pool_events_}) g->Finish();
}

}  // namespace sluice
