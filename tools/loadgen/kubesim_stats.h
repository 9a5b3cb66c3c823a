#ifndef SLUICE_TOOLS_LOADGEN_KUBESIM_STATS_H_
#define SLUICE_TOOLS_LOADGEN_KUBESIM_STATS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sluice::loadgen {

// kubesim's request counters (GET /sim/stats, counted since kubesim started
// or its last /sim/reset-stats), as loadgen reports them.
struct ApiServerCounts {
  int64_t requests = 0;    // every answered API request (requests_total)
  int64_t creates = 0;     // pod creates answered 201 (creates_accepted)
  int64_t status_409 = 0;  // conflict_409 (AlreadyExists and uid preconditions)
  int64_t status_429 = 0;  // rejected_429: throttled
  int64_t status_403 = 0;  // forbidden_403
  int64_t status_5xx = 0;  // server_error_5xx
  int64_t mutating_requests = 0;
  // The most mutating requests in any one-second window since the counters
  // started (admitted ones only, and all); not differences.
  int64_t max_admitted_mutating_per_second = 0;
  int64_t max_mutating_per_second = 0;
};

// Parses the JSON body of /sim/stats.
absl::StatusOr<ApiServerCounts> ParseKubesimStats(absl::string_view json);

// GET `base_url`/sim/stats (base_url: http://HOST:PORT).
absl::StatusOr<ApiServerCounts> FetchKubesimStats(const std::string& base_url);

// The counters of `end` minus those of `start`, the window maxima of `end`:
// what happened between two fetches.
ApiServerCounts CountsBetween(const ApiServerCounts& start, const ApiServerCounts& end);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_KUBESIM_STATS_H_
