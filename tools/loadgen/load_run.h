#ifndef SLUICE_TOOLS_LOADGEN_LOAD_RUN_H_
#define SLUICE_TOOLS_LOADGEN_LOAD_RUN_H_

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "scheduler/common/clock.h"
#include "tools/loadgen/load_report.h"
#include "tools/loadgen/loadgen_options.h"
#include "tools/loadgen/pod_ledger.h"
#include "tools/loadgen/scenario.h"

namespace sluice::loadgen {

// Where the run goes: a running sluiced, and optionally the kubesim behind it.
struct RunTarget {
  std::string sluiced;      // gRPC target
  std::string kubesim_url;  // empty: no APIServer figures, no verification
  bool spawned = false;
  // Processes on this machine whose CPU time over the run is reported
  // (loadgen's own is always measured).
  struct Process {
    std::string name;
    pid_t pid = 0;
  };
  std::vector<Process> processes;
};

// Called about twice a second while loadgen waits, with the counts so far and
// the time since the first batch was sent.
using ProgressFn = std::function<void(const LedgerCounts&, absl::Duration elapsed)>;

// One load run: plans the workflows, opens WatchEvents, submits every pod in
// batches, waits until each is settled (options.wait) or options.timeout,
// then reads kubesim's counters and (options.verify) lists the run's pods in
// the cluster. Never fails as a whole: what went wrong is in the report
// (`complete` false, `error`), with the figures measured until then.
LoadReport RunLoad(const LoadgenOptions& options, const RunTarget& target, const Clock& clock,
                   const ProgressFn& progress);

// The same for a scenario (may be null: the plain N x M load): its workflows
// are submitted at their arrival times, kubesim's limit follows its steps,
// the run is sampled (report.chart) and its figures added (report.figures).
// With scenario->baseline (or options.baseline) the pods are created directly
// in kubesim by an ArgoStyleCreator instead of through sluiced.
LoadReport RunLoad(const LoadgenOptions& options, const Scenario* scenario, const RunTarget& target,
                   const Clock& clock, const ProgressFn& progress);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_LOAD_RUN_H_
