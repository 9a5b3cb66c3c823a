#ifndef SLUICE_SCHEDULER_ENGINE_NAMESPACE_STATE_H_
#define SLUICE_SCHEDULER_ENGINE_NAMESPACE_STATE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/inlined_vector.h"
#include "scheduler/engine/fair_queue.h"

namespace sluice {

// What the engine keeps per Kubernetes namespace: its queue at each priority
// level it uses, its fair-share weight and its writes in flight.
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

  // The namespace's queue at `priority`, created on first use.
  NamespaceQueue* QueueFor(int32_t priority);

  // Intents queued in this namespace across priorities.
  size_t queued() const;
  // Workflows with queued intents here, across priorities.
  size_t active_flows() const;

  uint64_t in_flight = 0;

 private:
  std::string name_;
  double weight_;
  absl::InlinedVector<std::unique_ptr<NamespaceQueue>, 1> levels_;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_ENGINE_NAMESPACE_STATE_H_
