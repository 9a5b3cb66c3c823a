#include "scheduler/engine/namespace_state.h"

namespace sluice {

void NamespaceState::set_weight(double weight) {
  weight_ = weight;
  for (auto& level : levels_) FairQueue::SetWeight(level.get(), weight);
}

NamespaceQueue* NamespaceState::QueueFor(int32_t priority) {
  for (auto& level : levels_) {
    if (level->priority() == priority) return level.get();
  }
  levels_.push_back(std::make_unique<NamespaceQueue>(priority, weight_));
  return levels_.back().get();
}

size_t NamespaceState::queued() const {
  size_t n = 0;
  for (const auto& level : levels_) n += level->size();
  return n;
}

size_t NamespaceState::active_flows() const {
  size_t n = 0;
  for (const auto& level : levels_) n += level->active_flows();
  return n;
}

}  // namespace sluice
