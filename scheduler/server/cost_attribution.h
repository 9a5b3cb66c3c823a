#ifndef SLUICE_SCHEDULER_SERVER_COST_ATTRIBUTION_H_
#define SLUICE_SCHEDULER_SERVER_COST_ATTRIBUTION_H_

#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "scheduler/common/clock.h"
#include "scheduler/cost/attempt_tracker.h"
#include "scheduler/cost/cost_ledger.h"
#include "scheduler/cost/cost_query.h"
#include "scheduler/server/config.h"
#include "scheduler/server/cost_metrics.h"

namespace sluice {

class EngineLoop;

// Per-workflow cost attribution in sluiced: the tracker that turns pod
// sightings into per-attempt records (engine thread), the SQLite ledger they
// go to (its own writer thread), cost metrics, and GetCost queries (a query
// thread, so that neither gRPC nor the engine thread waits on the database).
//
// Lifecycle: Open, Restore (before the informer starts), then tracker() on the
// engine thread and Query from any thread; destroy after the engine loop and
// the Kubernetes side have stopped.
class CostAttribution {
 public:
  // Opens the ledger at config.cost.ledger. `clock` and `metrics` (may be
  // null) must outlive this.
  static absl::StatusOr<std::unique_ptr<CostAttribution>> Open(const SluicedConfig& config,
                                                               const Clock& clock,
                                                               prometheus::Registry* metrics);
  ~CostAttribution();

  // The tracker's options from the configuration (pool prices, label keys).
  static cost::AttemptTrackerOptions TrackerOptions(const SluicedConfig& config);

  // Loads the attempts open when the ledger was last written into the tracker.
  absl::Status Restore();
  // Engine thread only.
  cost::AttemptTracker& tracker() { return tracker_; }
  cost::CostLedger& ledger() { return *ledger_; }

  // Answers `query` at wall time now: snapshots the tracker's open attempts on
  // the engine thread, then (on the query thread) flushes the ledger, reads
  // the window and aggregates, the live open attempts replacing their stale
  // rows. `done` runs on the query thread.
  using QueryDone = absl::AnyInvocable<void(absl::StatusOr<cost::CostReport>, absl::Time now)>;
  void Query(EngineLoop* loop, cost::CostQuery query, QueryDone done);

  // Copies ledger gauges into the metrics. Engine thread.
  void SnapshotMetrics();

 private:
  class Sink;
  CostAttribution(const SluicedConfig& config, const Clock& clock, prometheus::Registry* registry);
  void RunQueries();
  void Answer(const cost::CostQuery& query, std::vector<cost::CostRecord> open, absl::Time now,
              QueryDone done);

  const Clock& clock_;
  std::unique_ptr<CostMetrics> metrics_;
  std::unique_ptr<cost::CostLedger> ledger_;
  std::unique_ptr<Sink> sink_;
  cost::AttemptTracker tracker_;

  absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread query_thread_;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_SERVER_COST_ATTRIBUTION_H_
