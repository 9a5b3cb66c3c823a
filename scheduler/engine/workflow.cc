#include "scheduler/engine/workflow.h"

namespace sluice {

FlowQueue* Workflow::FlowFor(NamespaceQueue* ns_queue, double weight) {
  for (auto& flow : flows_) {
    if (flow->parent() == ns_queue) return flow.get();
  }
  flows_.push_back(std::make_unique<FlowQueue>(ns_queue, weight));
  return flows_.back().get();
}

void Workflow::AddLive(Intent* intent) {
  intent->live_next = nullptr;
  intent->live_prev = live_tail_;
  if (live_tail_ != nullptr) {
    live_tail_->live_next = intent;
  } else {
    live_head_ = intent;
  }
  live_tail_ = intent;
  ++live_count_;
}

void Workflow::RemoveLive(Intent* intent) {
  if (intent->live_prev != nullptr) {
    intent->live_prev->live_next = intent->live_next;
  } else {
    live_head_ = intent->live_next;
  }
  if (intent->live_next != nullptr) {
    intent->live_next->live_prev = intent->live_prev;
  } else {
    live_tail_ = intent->live_prev;
  }
  intent->live_prev = intent->live_next = nullptr;
  --live_count_;
}

}  // namespace sluice
