#ifndef SLUICE_TOOLS_LOADGEN_LIMIT_SCRIPT_H_
#define SLUICE_TOOLS_LOADGEN_LIMIT_SCRIPT_H_

#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "scheduler/common/clock.h"
#include "tools/loadgen/scenario.h"

namespace sluice::loadgen {

// Changes kubesim's mutating limit at scripted times after Start (PUT
// /sim/limits {"mutating_qps": Q}), on a thread of its own, so the limit steps
// line up with the run's clock. The first step (at 0 s) is applied by Start
// itself before it returns. Start/Stop from one thread.
class LimitScript {
 public:
  LimitScript(std::string kubesim_url, std::vector<LimitStep> steps, const Clock* clock);
  ~LimitScript();

  absl::Status Start();
  void Stop();
  // The first error of a PUT, OK if none.
  absl::Status status() const;

 private:
  absl::Status Apply(double qps);

  const std::string kubesim_url_;
  const std::vector<LimitStep> steps_;
  const Clock* const clock_;
  absl::Notification stop_;
  std::thread thread_;
  mutable absl::Mutex mu_;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_LIMIT_SCRIPT_H_
