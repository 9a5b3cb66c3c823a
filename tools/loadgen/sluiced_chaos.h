#ifndef SLUICE_TOOLS_LOADGEN_SLUICED_CHAOS_H_
#define SLUICE_TOOLS_LOADGEN_SLUICED_CHAOS_H_

#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "tools/loadgen/local_stack.h"

namespace sluice::loadgen {

// `sluice-loadgen --spawn --chaos-kill-sluiced N` and the crash test: SIGKILLs
// the stack's sluiced N times at random (seeded) moments and starts it again
// at once with the same flags (same ledger, same listen address), from a
// thread of its own.
//
// The moments: after Start, and after each restart, a pause drawn uniformly
// from [min_gap, max_gap]; then the kill, as soon as `busy()` (if set) says
// the run is at a point worth a crash (asked every 50 ms). A kill is not
// sent once Finish was called.
//
// A restarted sluiced dies with the thread that started it
// (PR_SET_PDEATHSIG): that thread stays parked after Finish until the
// destructor. So: Finish, then stop the stack (LocalStack::Stop), then
// destroy the chaos.
class SluicedChaos {
 public:
  struct Options {
    uint32_t kills = 0;
    uint64_t seed = 1;
    absl::Duration min_gap = absl::Seconds(1);
    absl::Duration max_gap = absl::Seconds(4);
    // Called on the chaos thread right before each kill; false postpones it.
    std::function<bool()> busy;
  };
  struct Kill {
    absl::Duration at;    // since Start
    absl::Duration down;  // from the SIGKILL to the restarted sluiced's first line
  };

  // `stack` (with sluiced) must outlive the chaos.
  SluicedChaos(LocalStack* stack, Options options);
  ~SluicedChaos();

  void Start();
  // No more kills; returns once sluiced runs again (a restart under way
  // finished). The error that stopped the chaos early, if any (a kill or a
  // restart that failed).
  absl::Status Finish();
  std::vector<Kill> kills() const;

 private:
  void Run();

  LocalStack* const stack_;
  const Options options_;
  std::thread thread_;
  mutable absl::Mutex mu_;
  bool finishing_ ABSL_GUARDED_BY(mu_) = false;
  bool idle_ ABSL_GUARDED_BY(mu_) = false;  // no more kills or restarts
  bool released_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  std::vector<Kill> kills_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_SLUICED_CHAOS_H_
