#include "scheduler/server/cost_metrics.h"

namespace sluice {

CostMetrics::CostMetrics(prometheus::Registry& registry)
    : cost_(prometheus::BuildCounter()
                .Name("sluice_cost_nano_total")
                .Help("Cost of ended pod attempts in nano-units of the currency, by namespace, "
                      "pool, class and currency")
                .Register(registry)),
      pod_seconds_(prometheus::BuildCounter()
                       .Name("sluice_pod_seconds_total")
                       .Help("Billed seconds of ended pod attempts, by pool class")
                       .Register(registry)),
      attempts_(prometheus::BuildCounter()
                    .Name("sluice_cost_attempts_total")
                    .Help("Ended pod attempts in the cost ledger, by class and end reason")
                    .Register(registry)),
      write_errors_(prometheus::BuildCounter()
                        .Name("sluice_ledger_write_errors_total")
                        .Help("Cost ledger rows that failed to commit or were dropped")
                        .Register(registry)
                        .Add({})),
      queue_depth_(prometheus::BuildGauge()
                       .Name("sluice_ledger_queue_depth")
                       .Help("Cost ledger rows queued for the writer thread")
                       .Register(registry)
                       .Add({})),
      open_attempts_(prometheus::BuildGauge()
                         .Name("sluice_ledger_open_attempts")
                         .Help("Pod attempts being costed live (not ended)")
                         .Register(registry)
                         .Add({})) {}

void CostMetrics::RecordEnded(const cost::CostRecord& r) {
  absl::MutexLock lock(&mu_);
  auto key = std::make_tuple(r.pod_namespace, r.pool, r.pool_class, r.currency);
  auto it = cost_series_.find(key);
  if (it == cost_series_.end()) {
    it = cost_series_
             .emplace(key, &cost_.Add({{"namespace", r.pod_namespace},
                                       {"pool", r.pool},
                                       {"class", r.pool_class},
                                       {"currency", r.currency}}))
             .first;
  }
  it->second->Increment(static_cast<double>(r.cost_nano));
  auto s = seconds_series_.find(r.pool_class);
  if (s == seconds_series_.end()) {
    s = seconds_series_.emplace(r.pool_class, &pod_seconds_.Add({{"class", r.pool_class}})).first;
  }
  s->second->Increment(static_cast<double>(r.billed_seconds));
  const std::string reason(cost::EndReasonName(r.end_reason));
  auto a = attempt_series_.find({r.pool_class, reason});
  if (a == attempt_series_.end()) {
    a = attempt_series_
            .emplace(std::make_pair(r.pool_class, reason),
                     &attempts_.Add({{"class", r.pool_class}, {"reason", reason}}))
            .first;
  }
  a->second->Increment();
}

void CostMetrics::SetLedgerState(uint64_t queue_depth, uint64_t write_errors,
                                 uint64_t open_attempts) {
  absl::MutexLock lock(&mu_);
  queue_depth_.Set(static_cast<double>(queue_depth));
  open_attempts_.Set(static_cast<double>(open_attempts));
  if (write_errors > write_errors_seen_) {
    write_errors_.Increment(static_cast<double>(write_errors - write_errors_seen_));
    write_errors_seen_ = write_errors;
  }
}

}  // namespace sluice
