#ifndef SLUICE_SCHEDULER_ENGINE_NAMESPACE_STATE_H_
#define SLUICE_SCHEDULER_ENGINE_NAMESPACE_STATE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "scheduler/engine/fair_queue.h"
#include "scheduler/engine/quota.h"

namespace sluice {

// What the engine keeps per Kubernetes namespace: its queue at each priority
// level it uses, its fair-share weight, its ResourceQuotas with Sluice's
// accounting, and its writes in flight.
//
// Not thread-safe: owned by the engine thread.
class NamespaceState {
 public:
  NamespaceState(std::string name, double weight) : name_(std::move(name)), weight_(weight) {}
  NamespaceState(const NamespaceState&) = delete;
  NamespaceState& operator=(const NamespaceState&) = delete;

  const std::string& name() const { return name_; }
  double weight() const { return weight_; }
  void set_weight(double weight);

  // Strict FIFO: the namespace's intents go in arrival order whatever their
  // workflow, and one that does not fit its quota holds up those behind it.
  bool strict_fifo() const { return strict_fifo_; }
  void set_strict_fifo(bool strict) { strict_fifo_ = strict; }

  // The namespace's queue at `priority`, created on first use.
  NamespaceQueue* QueueFor(int32_t priority);
  // In strict FIFO mode, the one flow all workflows share at `priority`.
  FlowQueue* StrictFlowFor(int32_t priority, double weight);

  // Intents queued in this namespace across priorities.
  size_t queued() const;
  // Workflows with queued intents here, across priorities (not parked).
  size_t active_flows() const;
  // Queued intents whose flows are parked (waiting on quota).
  size_t blocked() const;
  // Returns every parked flow of the namespace to the fair queue.
  void UnparkAll(FairQueue& queue);

  // ResourceQuotas of the namespace.
  const std::vector<std::unique_ptr<TrackedQuota>>& quotas() const { return quotas_; }
  TrackedQuota* FindQuota(absl::string_view name);
  // Adds or updates; *recount is set when Sluice's accounting must be rebuilt
  // (a new quota, or different keys or scopes).
  TrackedQuota* UpsertQuota(const QuotaObservation& observation, bool* recount);
  bool RemoveQuota(absl::string_view name);

  uint64_t in_flight = 0;

 private:
  std::string name_;
  double weight_;
  bool strict_fifo_ = false;
  absl::InlinedVector<std::unique_ptr<NamespaceQueue>, 1> levels_;
  absl::InlinedVector<std::unique_ptr<FlowQueue>, 1> strict_flows_;
  std::vector<std::unique_ptr<TrackedQuota>> quotas_;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_ENGINE_NAMESPACE_STATE_H_
