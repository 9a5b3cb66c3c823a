#ifndef SLUICE_TOOLS_LOADGEN_POOL_SCRIPT_H_
#define SLUICE_TOOLS_LOADGEN_POOL_SCRIPT_H_

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "scheduler/common/clock.h"
#include "sluice/v1/scheduler.grpc.pb.h"
#include "tools/loadgen/scenario.h"

namespace sluice::loadgen {

// Changes kubesim's capacity pools at scripted times after Start (PUT
// /sim/pools), on a thread of its own. After a step that takes a pool out of
// stock it polls sluiced's GetCapacity (every `poll`) until sluiced reports
// that pool Unavailable, or a new stock-out of it, and records how long that
// took: the stock-out detection delay. Start/Stop from one thread.
class PoolScript {
 public:
  // `stub` may be null (the baseline has no sluiced): no detection then.
  PoolScript(std::string kubesim_url, std::vector<PoolStep> steps, v1::Scheduler::Stub* stub,
             const Clock* clock, absl::Duration poll = absl::Milliseconds(100));
  ~PoolScript();

  // Starts the thread that applies each step at its time.
  absl::Status Start();
  void Stop();
  // The first error of a PUT, OK if none.
  absl::Status status() const;
  // One entry per stock-out step applied: the seconds until sluiced noticed,
  // nullopt if it had not by the next step or Stop.
  std::vector<std::optional<double>> detection_seconds() const;

 private:
  absl::Status Apply(const PoolStep& step);
  // Polls GetCapacity until `pool` is marked, the next step is due or Stop.
  std::optional<double> AwaitDetection(const std::string& pool, MonoTime applied, MonoTime give_up);

  const std::string kubesim_url_;
  const std::vector<PoolStep> steps_;
  v1::Scheduler::Stub* const stub_;
  const Clock* const clock_;
  const absl::Duration poll_;
  absl::Notification stop_;
  std::thread thread_;
  mutable absl::Mutex mu_;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  std::vector<std::optional<double>> detections_ ABSL_GUARDED_BY(mu_);
};

// Whether `capacity` shows `pool` marked after a stock-out: state
// Unavailable, or more stock-outs counted than `stockouts_before`.
bool StockoutNoticed(const v1::GetCapacityResponse& capacity, const std::string& pool,
                     uint64_t stockouts_before);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_POOL_SCRIPT_H_
