#ifndef SLUICE_TOOLS_KUBESIM_POOL_CONFIG_H_
#define SLUICE_TOOLS_KUBESIM_POOL_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/kubesim/labels.h"

namespace sluice::kubesim {

// The label Sluice stamps on every pod it places in a pool; a pool's pods
// are those carrying it with the pool's name unless the pool says otherwise.
inline constexpr char kPoolLabel[] = "sluice.dev/pool";

// A limit of a pool; nullopt: unlimited.
struct PoolCapacity {
  std::optional<int64_t> pods;
  std::optional<int64_t> cpu_milli;
  std::optional<int64_t> memory_bytes;
};

// A scripted change of a pool, `at` after kubesim started.
struct PoolEvent {
  absl::Duration at;
  std::optional<bool> stockout;
  // Each set member replaces that limit (nullopt inside: unlimited).
  std::optional<std::optional<int64_t>> pods;
  std::optional<std::optional<int64_t>> cpu_milli;
  std::optional<std::optional<int64_t>> memory_bytes;
};

// One simulated capacity pool (a class of serverless capacity: on-demand,
// spot, ...), from --pools FILE or --pool.
struct PoolConfig {
  std::string name;
  std::string pool_class = "on-demand";  // "on-demand" or "spot" (informative)
  // A pod belongs to the first pool whose labels and nodeSelector entries it
  // all carries. Both empty: the label sluice.dev/pool=NAME.
  StringMap match_labels;
  StringMap match_node_selector;
  PoolCapacity capacity;
  bool stockout = false;          // out of stock from the start
  std::vector<PoolEvent> events;  // in time order
  // Spot reclaim: this fraction of the pool's running pods per minute gets a
  // DisruptionTarget condition, then after `reclaim_notice` phase Failed.
  double reclaim_per_minute = 0;
  absl::Duration reclaim_notice = absl::Seconds(2);
  // The words the Unschedulable message starts with (empty: none), as
  // serverless providers report them, and the reclaim reasons.
  std::string stockout_reason = "NoStock";
  std::string capacity_reason = "StockExhaust";
  std::string reclaim_condition_reason = "PreemptionByScheduler";
  std::string reclaim_reason = "Preempted";
};

// Parses a pools file, YAML or JSON: a list of pools, or {pools: [...]}.
// Each pool: name (required), class, selector (labels; alias labels),
// nodeSelector, capacity {pods, cpu, memory} (or pods/cpu/memory at the top;
// absent or null: unlimited), stockout, events [{at: 20s, stockout: true,
// pods: 10, cpu: "8", memory: 16Gi}], reclaim_per_minute, reclaim_notice,
// stockout_reason, capacity_reason, reclaim_condition_reason, reclaim_reason.
// Unknown keys are errors. Durations: "20s", "1.5m", "500ms", or seconds.
absl::StatusOr<std::vector<PoolConfig>> ParsePoolsText(std::string_view text);

// The --pool shorthand: `NAME=PODS` (PODS a count or "unlimited"), then
// optional `,key=value` of class, cpu, memory, reclaim_per_minute,
// reclaim_notice, stockout. Example: "spot=50,class=spot,reclaim_per_minute=0.02".
absl::StatusOr<PoolConfig> ParsePoolFlag(std::string_view text);

// A run-time change of a pool (PUT /sim/pools, POST /sim/pools/NAME).
struct PoolChange {
  std::string name;
  std::optional<bool> stockout;
  std::optional<std::optional<int64_t>> pods;
  std::optional<std::optional<int64_t>> cpu_milli;
  std::optional<std::optional<int64_t>> memory_bytes;
  int64_t reclaim = 0;  // reclaim this many running pods now
};

// Parses one JSON object or an array of them: {"name": "spot", "pods": 10,
// "cpu": "8", "memory": "16Gi", "stockout": true, "reclaim": 2}; null for a
// limit means unlimited. `path_name` (from /sim/pools/NAME) names the pool
// of objects without "name".
absl::StatusOr<std::vector<PoolChange>> ParsePoolChanges(std::string_view body,
                                                         std::string_view path_name);

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_POOL_CONFIG_H_
