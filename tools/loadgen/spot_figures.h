#ifndef SLUICE_TOOLS_LOADGEN_SPOT_FIGURES_H_
#define SLUICE_TOOLS_LOADGEN_SPOT_FIGURES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tools/loadgen/pod_ledger.h"

namespace sluice::loadgen {

// One pod attempt (one uid) as kubesim recorded it in GET /sim/history.
struct HistoryPod {
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string pool;                              // label sluice.dev/pool; empty: none
  std::optional<absl::Time> created;             // kubesim's commit
  std::optional<absl::Time> creation_timestamp;  // the object's (whole seconds)
  std::optional<absl::Time> scheduled;
  std::optional<absl::Time> started;
  std::optional<absl::Time> finished;
  std::optional<absl::Time> deleted;
  std::string reason;  // status.reason when it finished (e.g. Preempted)
  // Effective requests (requestsMilli): milli-cores, milli-bytes; 0 if absent.
  int64_t cpu_milli = 0;
  int64_t memory_milli = 0;
};

// The attempts in a /sim/history body whose label loadgen/run is `run_id`.
absl::StatusOr<std::vector<HistoryPod>> ParseSimHistory(absl::string_view json,
                                                        absl::string_view run_id);
absl::StatusOr<std::vector<HistoryPod>> FetchSimHistory(const std::string& base_url,
                                                        absl::string_view run_id);

// What the spot scenario reports (see tools/loadgen/README.md).
struct SpotFigures {
  // Pod-seconds (container start to finish or deletion, else `end`) of
  // attempts in `spot_pool`, over those of all attempts; nullopt if none ran.
  std::optional<double> spot_share;
  double spot_pod_seconds = 0;
  double pod_seconds = 0;
  // RESCHEDULED events received: pods moved to another pool because they
  // could not start in theirs.
  uint64_t fallbacks = 0;
  // Attempts in the cluster, and pods with more than one.
  uint64_t attempts = 0;
  uint64_t pods_recreated = 0;
  // Pods that ended Preempted (the controller was told; it may retry).
  uint64_t preempted = 0;
  uint64_t succeeded = 0;
  // Pods that did not end Succeeded, nor Failed/Preempted/CreateFailed with a
  // reason the controller was told: never settled, or settled silently.
  uint64_t pods_lost = 0;
};

SpotFigures ComputeSpotFigures(const std::vector<HistoryPod>& history,
                               const std::vector<PodRecord>& records, const std::string& spot_pool,
                               absl::Time end);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_SPOT_FIGURES_H_
