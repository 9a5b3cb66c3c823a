#ifndef SLUICE_TOOLS_LOADGEN_LOAD_REPORT_H_
#define SLUICE_TOOLS_LOADGEN_LOAD_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scheduler/common/clock.h"
#include "tools/loadgen/fairness.h"
#include "tools/loadgen/kubesim_stats.h"
#include "tools/loadgen/latency_summary.h"
#include "tools/loadgen/pod_ledger.h"
#include "tools/loadgen/timeline_svg.h"

namespace sluice::loadgen {

// The figures of one load run: what `--report-json` writes and `--format`
// prints. Times in seconds or milliseconds as named.
struct LoadReport {
  // The scenario.
  std::string target;
  bool spawned = false;
  uint32_t workflows = 0;
  uint32_t pods_per_workflow = 0;
  uint64_t pods = 0;
  uint32_t batch_size = 0;
  std::string wait;  // "created" or "finished"

  // How it ended. `complete`: every pod settled before the timeout and no
  // error; `error` says what went wrong otherwise.
  bool complete = false;
  std::string error;

  // Intake (from Submit answers).
  uint64_t submitted = 0;  // intents sent (a pod resent after RESOURCE_EXHAUSTED counts again)
  uint64_t accepted = 0;
  uint64_t duplicate = 0;
  uint64_t rejected = 0;
  uint64_t exhausted = 0;  // RESOURCE_EXHAUSTED answers (those intents were resent)
  // Lifecycle (from WatchEvents).
  uint64_t created = 0;  // pods created (CREATED event, or a DUPLICATE answer saying so)
  uint64_t finished = 0;
  uint64_t create_failed = 0;
  uint64_t cancelled = 0;
  uint64_t unsettled = 0;  // pods still waiting at the end (0 when complete)

  // The restart protocol (tools/loadgen/controller.h): distinct sluiced
  // epochs seen minus one, and intents sent again after a restart or a
  // broken stream.
  uint64_t sluiced_restarts_seen = 0;
  uint64_t resubmitted = 0;
  // --chaos-kill-sluiced: the SIGKILLs actually sent (unset without it).
  std::optional<uint64_t> sluiced_kills;

  // From the first batch sent to the moment every pod was settled (or the
  // timeout).
  double elapsed_seconds = 0;
  // Creates seen as CREATED events during the run, divided by the time from
  // the first batch sent to the last CREATED event.
  double creates_per_second = 0;
  // Submit answers divided by the time from the first batch sent to the
  // last answer.
  double intake_intents_per_second = 0;
  // Per pod created in this run: from the moment its batch was written to
  // the stream to the moment its CREATED event arrived (loadgen's clock; so
  // it includes queueing in sluiced and the APIServer's answer).
  LatencySummary submit_to_create_ms;
  // See BackloggedJain.
  FairnessResult fairness;
  // kubesim's counters over the run (the difference of two /sim/stats reads),
  // when a kubesim URL is known.
  std::optional<ApiServerCounts> apiserver;
  // Pods of this run found in the cluster by LIST (label loadgen/run), when
  // verified; `verify_error` says what did not match.
  std::optional<uint64_t> cluster_pods;
  std::string verify_error;
  // CPU seconds (user + system) each measured process used from the first
  // batch sent to the end of the wait: "loadgen", and with --spawn "sluiced"
  // and "kubesim".
  struct ProcessCpu {
    std::string name;
    double seconds = 0;
  };
  std::vector<ProcessCpu> cpu;

  // --scenario runs: its name and scale, whether pods were created the
  // baseline (Argo controller) way, and its figures, written as top-level
  // JSON keys in this order (null when not measured). A figure named
  // `fairness_jain` replaces loadgen's own (which moves to
  // `fairness_jain_loadgen`).
  std::string scenario;
  double scale = 1;
  bool baseline = false;
  struct Figure {
    std::string key;
    std::optional<double> value;
  };
  std::vector<Figure> figures;
  // The timeline and per-workflow completion: the SVG beside the JSON.
  TimelineChart chart;
};

// Fills the figures that come from the ledger (counts, rates, latencies,
// fairness). `settled_at` is when AwaitSettled returned.
void FillFromLedger(const PodLedger& ledger, MonoTime settled_at, LoadReport* report);

// The report as a JSON object (pretty-printed, ends with a newline). Fields
// that are unknown are null (fairness_jain without a window, apiserver
// without kubesim).
std::string ReportJson(const LoadReport& report);

// The report as a table for people.
std::string ReportTable(const LoadReport& report);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_LOAD_REPORT_H_
