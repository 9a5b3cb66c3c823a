#ifndef SLUICE_TOOLS_LOADGEN_WORKLOAD_PLAN_H_
#define SLUICE_TOOLS_LOADGEN_WORKLOAD_PLAN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace sluice::loadgen {

// One Argo-style workflow of the run.
struct WorkflowSpec {
  std::string name;  // e.g. "fanout-x7k2p"
  std::string uid;   // a random UUID, as metadata.uid
  std::string namespace_;
  // When the workflow is submitted, after the run's start (0: at once).
  double arrival_seconds = 0;
  // Pod run time asked of kubesim (annotation sim.sluice.dev/run-ms); 0: none.
  uint32_t run_ms = 0;
  // The main container's memory request, MiB (0: 512).
  uint32_t main_memory_mi = 0;
  // Sent as the intents' cost_labels (PodIntent.cost_labels), e.g. team=a.
  std::vector<std::pair<std::string, std::string>> cost_labels = {};
  // Its pods are pods()[first_pod, first_pod + pod_count).
  uint32_t first_pod = 0;
  uint32_t pod_count = 0;
};

// The shape of one workflow when a scenario sets each one (see Options::shapes).
struct WorkflowShape {
  uint32_t pods = 1;
  std::string namespace_;
  double arrival_seconds = 0;
  uint32_t run_ms = 0;
  uint32_t main_memory_mi = 0;  // see WorkflowSpec
  std::vector<std::pair<std::string, std::string>> cost_labels = {};
};

// One pod of a workflow: the step's index in its workflow and the pod name
// Argo (POD_NAMES=v1) would give it: <workflow>-<fnv32a of the node name>.
struct PodSpec {
  uint32_t workflow = 0;  // index into WorkloadPlan::workflows()
  uint32_t step = 0;
  std::string name;
};

// The workflows and pods of one load run, named deterministically from a seed.
// Pods are stored workflow by workflow (all of workflow 0, then workflow 1,
// ...), the order in which a controller would submit them. Pod indices
// (uint32_t) identify pods everywhere else in loadgen.
//
// Immutable after Make; safe to read from any thread.
class WorkloadPlan {
 public:
  struct Options {
    uint32_t workflows = 10;
    uint32_t pods_per_workflow = 100;
    // Workflows are spread round-robin over `namespaces` namespaces named
    // `namespace_prefix`, `namespace_prefix`-1, ... (one: just the prefix).
    std::string namespace_prefix = "argo";
    uint32_t namespaces = 1;
    // Workflow names start with this (Argo's generateName), then 5 random
    // characters.
    std::string workflow_prefix = "fanout-";
    // Same seed, same names. Also names the run: see run_id().
    uint64_t seed = 1;
    // Non-empty: one workflow per entry, and `workflows`,
    // `pods_per_workflow`, `namespace_prefix` and `namespaces` are ignored.
    std::vector<WorkflowShape> shapes;
  };

  static WorkloadPlan Make(const Options& options);

  const std::vector<WorkflowSpec>& workflows() const { return workflows_; }
  const std::vector<PodSpec>& pods() const { return pods_; }
  size_t pod_count() const { return pods_.size(); }
  const WorkflowSpec& workflow_of(uint32_t pod) const { return workflows_[pods_[pod].workflow]; }

  // "namespace/name", the idempotency key.
  std::string Key(uint32_t pod) const;
  // The pod with this namespace and name, if it belongs to the plan.
  std::optional<uint32_t> FindPod(absl::string_view ns, absl::string_view name) const;
  // The workflow with this uid, if it belongs to the plan.
  std::optional<uint32_t> FindWorkflow(absl::string_view uid) const;

  // A short lowercase word derived from the seed, stamped on every pod as the
  // label `loadgen/run` so that one run's pods can be listed.
  const std::string& run_id() const { return run_id_; }

 private:
  std::vector<WorkflowSpec> workflows_;
  std::vector<PodSpec> pods_;
  absl::flat_hash_map<std::string, uint32_t> pod_by_key_;
  absl::flat_hash_map<std::string, uint32_t> workflow_by_uid_;
  std::string run_id_;
};

// FNV-1a, 32 bits: the hash Argo uses for pod names.
uint32_t Fnv32a(absl::string_view s);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_WORKLOAD_PLAN_H_
