#ifndef SLUICE_TOOLS_LOADGEN_LOADGEN_OPTIONS_H_
#define SLUICE_TOOLS_LOADGEN_LOADGEN_OPTIONS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "tools/loadgen/pod_ledger.h"

namespace CLI {
class App;
}

namespace sluice::loadgen {

enum class ReportFormat { kTable, kJson };

// Everything sluice-loadgen is told on its command line.
struct LoadgenOptions {
  // sluiced's gRPC address: unix:///path or HOST:PORT. Required without --spawn.
  std::string target;
  uint32_t workflows = 10;
  uint32_t pods_per_workflow = 100;
  uint32_t batch_size = 1000;
  uint32_t window = 4;  // Submit requests in flight
  WaitFor wait = WaitFor::kCreated;
  double timeout_seconds = 300;
  std::string report_json;  // file; empty: none
  // kubesim's base URL (http://HOST:PORT) for /sim/stats; set by --spawn.
  std::string kubesim_url;
  // With a kubesim URL: LIST the run's pods at the end and compare.
  bool verify = true;
  ReportFormat format = ReportFormat::kTable;
  std::string namespace_prefix = "argo";
  uint32_t namespaces = 1;
  uint64_t seed = 0;  // 0: a random seed

  // --spawn: start kubesim and sluiced from `bin_dir` (default: the directory
  // of this executable).
  bool spawn = false;
  std::string kubesim_args;
  std::string sluiced_args;
  std::string bin_dir;
  bool keep_logs = false;  // keep the children's logs even when the run succeeds
  // --chaos-kill-sluiced N (with --spawn): SIGKILL sluiced N times at random
  // moments (seeded by --seed) while pods are not yet all settled, each
  // after a pause of [min, max] seconds since the last restart, and restart
  // it at once (see SluicedChaos).
  uint32_t chaos_kills = 0;
  double chaos_min_gap_seconds = 1;
  double chaos_max_gap_seconds = 4;

  // --scenario NAME: the workload and the children's flags come from the
  // scenario table (tools/loadgen/scenario.h); --workflows and friends are
  // ignored. --scale multiplies its sizes.
  std::string scenario;
  double scale = 1;
  // Create the pods directly against kubesim as Argo's controller does (no
  // sluiced; needs --spawn or --kubesim).
  bool baseline = false;
  // Timeline sampling period (scenario runs, or any run with --report-json).
  double sample_seconds = 0.25;
};

// Declares every flag on `app`, writing into `options`.
void AddLoadgenFlags(CLI::App& app, LoadgenOptions* options);

// Checks combinations the flag parser cannot (a target or --spawn, bounds).
absl::Status ValidateOptions(const LoadgenOptions& options);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_LOADGEN_OPTIONS_H_
