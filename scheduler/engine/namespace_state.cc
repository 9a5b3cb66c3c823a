#include "scheduler/engine/namespace_state.h"

#include <algorithm>

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

FlowQueue* NamespaceState::StrictFlowFor(int32_t priority, double weight) {
  NamespaceQueue* level = QueueFor(priority);
  for (auto& flow : strict_flows_) {
    if (flow->parent() == level) return flow.get();
  }
  strict_flows_.push_back(std::make_unique<FlowQueue>(level, weight));
  strict_flows_.back()->set_backfill(false);
  return strict_flows_.back().get();
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

size_t NamespaceState::blocked() const {
  size_t n = 0;
  for (const auto& level : levels_) n += level->parked_intents();
  return n;
}

void NamespaceState::UnparkAll(FairQueue& queue) {
  for (auto& level : levels_) queue.UnparkAll(level.get());
}

TrackedQuota* NamespaceState::FindQuota(absl::string_view name) {
  for (auto& quota : quotas_) {
    if (quota->name() == name) return quota.get();
  }
  return nullptr;
}

TrackedQuota* NamespaceState::UpsertQuota(const QuotaObservation& observation, bool* recount) {
  TrackedQuota* quota = FindQuota(observation.name);
  if (quota == nullptr) {
    quotas_.push_back(std::make_unique<TrackedQuota>(observation));
    *recount = true;
    return quotas_.back().get();
  }
  const std::string shape_before = quota->Shape();
  quota->Update(observation);
  *recount = quota->Shape() != shape_before;
  return quota;
}

bool NamespaceState::RemoveQuota(absl::string_view name) {
  auto it = std::find_if(quotas_.begin(), quotas_.end(),
                         [name](const auto& quota) { return quota->name() == name; });
  if (it == quotas_.end()) return false;
  quotas_.erase(it);
  return true;
}

}  // namespace sluice
