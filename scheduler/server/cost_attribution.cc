#include "scheduler/server/cost_attribution.h"

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "scheduler/server/engine_loop.h"

namespace sluice {

// Sends records to the ledger. Engine thread. (Metrics count attempts as the
// ledger ends them, so that a restart never counts one twice.)
class CostAttribution::Sink : public cost::CostRecordSink {
 public:
  explicit Sink(cost::CostLedger* ledger) : ledger_(ledger) {}
  void Write(const cost::CostRecord& record) override { ledger_->Write(record); }

 private:
  cost::CostLedger* const ledger_;
};

cost::AttemptTrackerOptions CostAttribution::TrackerOptions(const SluicedConfig& config) {
  cost::AttemptTrackerOptions options;
  for (const PoolConfig& pool : config.engine.capacity.pools) {
    cost::PoolPricing p;
    p.pool_class = std::string(PoolClassName(pool.pool_class));
    p.currency = pool.currency;
    p.rule.start = pool.billing_start;
    p.rule.granularity_seconds = pool.billing_granularity_seconds;
    p.rule.minimum_seconds = pool.billing_minimum_seconds;
    p.rule.price_vcpu_nano_hour = pool.price_vcpu_nano_hour;
    p.rule.price_gib_nano_hour = pool.price_gib_nano_hour;
    p.rule.price_gpu_nano_hour = pool.price_gpu_nano_hour;
    options.pools[pool.name] = std::move(p);
  }
  options.label_keys = config.cost.label_keys;
  options.preemption_reasons = config.engine.capacity.preemption_reasons;
  return options;
}

CostAttribution::CostAttribution(const SluicedConfig& config, const Clock& clock,
                                 prometheus::Registry* registry)
    : clock_(clock),
      metrics_(registry != nullptr ? std::make_unique<CostMetrics>(*registry) : nullptr),
      tracker_(TrackerOptions(config), nullptr) {}

absl::StatusOr<std::unique_ptr<CostAttribution>> CostAttribution::Open(
    const SluicedConfig& config, const Clock& clock, prometheus::Registry* registry) {
  std::unique_ptr<CostAttribution> c(new CostAttribution(config, clock, registry));
  cost::CostLedger::Options options;
  options.path = config.cost.ledger;
  options.retention = config.cost.retention;
  if (c->metrics_ != nullptr) {
    options.on_ended = [metrics = c->metrics_.get()](const cost::CostRecord& record) {
      metrics->RecordEnded(record);
    };
  }
  absl::StatusOr<std::unique_ptr<cost::CostLedger>> ledger =
      cost::CostLedger::Open(std::move(options), clock);
  if (!ledger.ok()) return ledger.status();
  c->ledger_ = std::move(*ledger);
  c->sink_ = std::make_unique<Sink>(c->ledger_.get());
  c->tracker_.set_sink(c->sink_.get());
  c->query_thread_ = std::thread([raw = c.get()] { raw->RunQueries(); });
  return c;
}

CostAttribution::~CostAttribution() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (query_thread_.joinable()) query_thread_.join();
}

absl::Status CostAttribution::Restore() {
  absl::StatusOr<std::vector<cost::CostRecord>> open = ledger_->LoadOpen();
  if (!open.ok()) return open.status();
  tracker_.Restore(std::move(*open));
  return absl::OkStatus();
}

void CostAttribution::RunQueries() {
  while (true) {
    absl::AnyInvocable<void()> task;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_SHARED_LOCKS_REQUIRED(mu_) { return !tasks_.empty() || stopping_; };
      mu_.Await(absl::Condition(&ready));
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

void CostAttribution::Query(EngineLoop* loop, cost::CostQuery query, QueryDone done) {
  loop->Post([this, query = std::move(query), done = std::move(done)](Engine&) mutable {
    const absl::Time now = clock_.WallNow();
    std::vector<cost::CostRecord> open = tracker_.OpenRecords(now);
    absl::MutexLock lock(&mu_);
    tasks_.push_back([this, query = std::move(query), open = std::move(open), now,
                      done = std::move(done)]() mutable {
      Answer(query, std::move(open), now, std::move(done));
    });
  });
}

void CostAttribution::Answer(const cost::CostQuery& query, std::vector<cost::CostRecord> open,
                             absl::Time now, QueryDone done) {
  // Everything the tracker sent before the snapshot is committed after this.
  ledger_->Flush();
  absl::StatusOr<std::vector<cost::CostRecord>> rows =
      ledger_->Load(query.since, query.until, query.workflow_uid);
  if (!rows.ok()) {
    done(rows.status(), now);
    return;
  }
  // One record per uid: an ended row is final; otherwise the live snapshot.
  absl::flat_hash_map<std::string, size_t> index;
  index.reserve(rows->size());
  for (size_t i = 0; i < rows->size(); ++i) index[(*rows)[i].pod_uid] = i;
  for (cost::CostRecord& live : open) {
    auto it = index.find(live.pod_uid);
    if (it == index.end()) {
      index[live.pod_uid] = rows->size();
      rows->push_back(std::move(live));
    } else if (!(*rows)[it->second].ended()) {
      (*rows)[it->second] = std::move(live);
    }
  }
  // Open rows the tracker no longer holds (not yet resynced): price to now.
  for (cost::CostRecord& r : *rows) {
    if (!r.ended()) (void)cost::Price(r, now);
  }
  done(cost::Aggregate(*rows, query, now), now);
}

void CostAttribution::SnapshotMetrics() {
  if (metrics_ == nullptr) return;
  metrics_->SetLedgerState(ledger_->queue_depth(), ledger_->write_errors(), tracker_.open_count());
}

}  // namespace sluice
