#ifndef SLUICE_SCHEDULER_SERVER_COST_METRICS_H_
#define SLUICE_SCHEDULER_SERVER_COST_METRICS_H_

#include <map>
#include <string>
#include <tuple>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "scheduler/cost/cost_record.h"

namespace sluice {

// The cost ledger's Prometheus metrics. Bounded cardinality: series by
// namespace, pool, class and currency, never by workflow or pod.
//   sluice_cost_nano_total{namespace,pool,class,currency}  cost of ended attempts
//   sluice_pod_seconds_total{class}                         billed seconds of ended attempts
//   sluice_cost_attempts_total{class,reason}                ended attempts
//   sluice_ledger_write_errors_total                        rows that failed to commit
//   sluice_ledger_queue_depth                               rows waiting for the writer
//   sluice_ledger_open_attempts                             attempts running now
//
// Thread-safe.
class CostMetrics {
 public:
  explicit CostMetrics(prometheus::Registry& registry);

  // An attempt ended (called once per attempt, by the ledger's writer thread).
  void RecordEnded(const cost::CostRecord& record);
  void SetLedgerState(uint64_t queue_depth, uint64_t write_errors, uint64_t open_attempts);

 private:
  prometheus::Family<prometheus::Counter>& cost_;
  prometheus::Family<prometheus::Counter>& pod_seconds_;
  prometheus::Family<prometheus::Counter>& attempts_;
  prometheus::Counter& write_errors_;
  prometheus::Gauge& queue_depth_;
  prometheus::Gauge& open_attempts_;
  absl::Mutex mu_;
  std::map<std::tuple<std::string, std::string, std::string, std::string>, prometheus::Counter*>
      cost_series_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, prometheus::Counter*> seconds_series_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, prometheus::Counter*> attempt_series_
      ABSL_GUARDED_BY(mu_);
  uint64_t write_errors_seen_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_SERVER_COST_METRICS_H_
