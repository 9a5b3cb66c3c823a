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

}  // namespace

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

void SluiceMetrics::SnapshotEngine(const Engine& engine) {
  const EngineStatus status = engine.Status(/*include_namespaces=*/false);
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
  for (size_t i = 0; i < state_gauges_.size(); ++i) {
    state_gauges_[i]->Set(static_cast<double>(status.state_counts[i]));
  }
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
  last_ = now;
}

}  // namespace sluice
