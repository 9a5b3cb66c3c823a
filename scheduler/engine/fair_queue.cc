#include "scheduler/engine/fair_queue.h"

#include <atomic>
#include <cassert>

namespace sluice {

namespace {
std::atomic<uint64_t> g_next_flow_id{1};
}  // namespace

FlowQueue::FlowQueue(NamespaceQueue* parent, double weight)
    : parent_(parent),
      id_(g_next_flow_id.fetch_add(1, std::memory_order_relaxed)),
      weight_(weight) {}

// Circular doubly linked ring through T::ring_prev_/ring_next_, with `head`
// the element served next. `last_new` is the last of the newcomers not yet
// served (they run from `head` to it), or nullptr when there are none.
template <typename T>
struct Ring {
  static void Link(T* node, T* prev, T* next) {
    node->ring_prev_ = prev;
    node->ring_next_ = next;
    prev->ring_next_ = node;
    next->ring_prev_ = node;
  }

  // Appends `node` just before `head` (the end of the round).
  static void Append(T*& head, T* node) {
    assert(!node->in_ring_);
    node->in_ring_ = true;
    if (head == nullptr) {
      node->ring_prev_ = node->ring_next_ = node;
      head = node;
      return;
    }
    Link(node, head->ring_prev_, head);
  }

  // Adds a newly active `node` ahead of the members that were in the ring
  // before it, behind the newcomers not yet served (first come, first served
  // among them): it is served next unless other newcomers wait, as in
  // fq_codel's list of new flows (RFC 8290, 4.1). A member in the middle of
  // its visit (weight above 1) finishes it after the newcomers.
  static void AppendNew(T*& head, T*& last_new, T* node) {
    if (head == nullptr) {
      Append(head, node);
      last_new = node;
      return;
    }
    assert(!node->in_ring_);
    node->in_ring_ = true;
    if (last_new != nullptr) {
      Link(node, last_new, last_new->ring_next_);
    } else {
      Link(node, head->ring_prev_, head);
      head = node;
    }
    last_new = node;
  }

  // Removes `node`; it forgets its deficit, as in DRR.
  static void Remove(T*& head, T*& last_new, T* node) {
    assert(node->in_ring_);
    node->in_ring_ = false;
    if (node == last_new) last_new = node == head ? nullptr : node->ring_prev_;
    if (node->ring_next_ == node) {
      head = nullptr;
    } else {
      node->ring_prev_->ring_next_ = node->ring_next_;
      node->ring_next_->ring_prev_ = node->ring_prev_;
      if (head == node) head = node->ring_next_;
    }
    node->ring_prev_ = node->ring_next_ = nullptr;
    node->deficit_ = 0;
    node->visit_started_ = false;
  }

  // Ends the visit of `head`: the next member is served next. Past the last
  // newcomer, every member is an old one again.
  static void Advance(T*& head, T*& last_new) {
    if (head == last_new) last_new = nullptr;
    head = head->ring_next_;
  }

  // Deficit round robin over the ring. Each visit of a node adds its weight
  // to its deficit once; the node is served while the deficit covers the
  // unit cost, then the ring moves on. `serve(node)` returns an intent, or
  // nullptr after taking the node out of the ring (nothing it holds may go
  // now); in that case the next node is tried at no cost.
  template <typename ServeFn>
  static Intent* Serve(T*& head, T*& last_new, ServeFn serve) {
    while (head != nullptr) {
      T* node = head;
      if (!node->visit_started_) {
        node->deficit_ += node->weight_;
        node->visit_started_ = true;
      }
      if (node->deficit_ < 1.0) {
        node->visit_started_ = false;
        Advance(head, last_new);
        continue;
      }
      node->deficit_ -= 1.0;
      Intent* intent = serve(node);
      if (intent == nullptr) {
        assert(!node->in_ring_);
        continue;
      }
      if (node->in_ring_ && node->deficit_ < 1.0) {
        // Its share for this round is used: the next pop serves the next node.
        node->visit_started_ = false;
        Advance(head, last_new);
      }
      return intent;
    }
    return nullptr;
  }
};

FairQueue::Level& FairQueue::LevelOf(NamespaceQueue* ns) {
  if (ns->level_ == nullptr) ns->level_ = &levels_[ns->priority_];
  return *ns->level_;
}

void FairQueue::Activate(FlowQueue* flow, bool fresh) {
  if (flow->in_ring_ || flow->parked_ || flow->size_ == 0) return;
  NamespaceQueue* ns = flow->parent_;
  if (fresh) {
    Ring<FlowQueue>::AppendNew(ns->current_, ns->last_new_, flow);
  } else {
    Ring<FlowQueue>::Append(ns->current_, flow);
  }
  ++ns->active_flows_;
  if (ns->in_ring_) return;
  Level& level = LevelOf(ns);
  if (fresh) {
    Ring<NamespaceQueue>::AppendNew(level.current, level.last_new, ns);
  } else {
    Ring<NamespaceQueue>::Append(level.current, ns);
  }
}

void FairQueue::Deactivate(FlowQueue* flow) {
  if (!flow->in_ring_) return;
  NamespaceQueue* ns = flow->parent_;
  Ring<FlowQueue>::Remove(ns->current_, ns->last_new_, flow);
  --ns->active_flows_;
  if (ns->active_flows_ == 0 && ns->in_ring_) {
    Level& level = LevelOf(ns);
    Ring<NamespaceQueue>::Remove(level.current, level.last_new, ns);
  }
}

void FairQueue::Park(FlowQueue* flow) {
  assert(!flow->parked_);
  flow->parked_ = true;
  Deactivate(flow);
  NamespaceQueue* ns = flow->parent_;
  flow->parked_prev_ = nullptr;
  flow->parked_next_ = ns->parked_head_;
  if (ns->parked_head_ != nullptr) ns->parked_head_->parked_prev_ = flow;
  ns->parked_head_ = flow;
  ++ns->parked_flows_;
}

// Takes `flow` off its namespace's parked list (it stays out of the ring).
void FairQueue::LeaveParked(FlowQueue* flow) {
  if (!flow->parked_) return;
  NamespaceQueue* ns = flow->parent_;
  if (flow->parked_prev_ != nullptr) {
    flow->parked_prev_->parked_next_ = flow->parked_next_;
  } else {
    ns->parked_head_ = flow->parked_next_;
  }
  if (flow->parked_next_ != nullptr) flow->parked_next_->parked_prev_ = flow->parked_prev_;
  flow->parked_prev_ = flow->parked_next_ = nullptr;
  flow->parked_ = false;
  --ns->parked_flows_;
}

size_t NamespaceQueue::parked_intents() const {
  size_t n = 0;
  for (const FlowQueue* flow = parked_head_; flow != nullptr; flow = flow->parked_next_) {
    n += flow->size();
  }
  return n;
}

void FairQueue::PushBack(FlowQueue* flow, Intent* intent) {
  assert(intent->flow == nullptr);
  intent->flow = flow;
  intent->queue_next = nullptr;
  intent->queue_prev = flow->tail_;
  if (flow->tail_ != nullptr) {
    flow->tail_->queue_next = intent;
  } else {
    flow->head_ = intent;
  }
  flow->tail_ = intent;
  ++flow->size_;
  ++flow->parent_->size_;
  ++LevelOf(flow->parent_).size;
  ++size_;
  Activate(flow, /*fresh=*/true);
}

void FairQueue::PushFront(FlowQueue* flow, Intent* intent) {
  assert(intent->flow == nullptr);
  intent->flow = flow;
  intent->queue_prev = nullptr;
  intent->queue_next = flow->head_;
  if (flow->head_ != nullptr) {
    flow->head_->queue_prev = intent;
  } else {
    flow->tail_ = intent;
  }
  flow->head_ = intent;
  ++flow->size_;
  ++flow->parent_->size_;
  ++LevelOf(flow->parent_).size;
  ++size_;
  LeaveParked(flow);  // a new head: look at it again
  Activate(flow, /*fresh=*/false);
}

void FairQueue::Unlink(Intent* intent) {
  FlowQueue* flow = intent->flow;
  assert(flow != nullptr);
  if (intent->queue_prev != nullptr) {
    intent->queue_prev->queue_next = intent->queue_next;
  } else {
    flow->head_ = intent->queue_next;
  }
  if (intent->queue_next != nullptr) {
    intent->queue_next->queue_prev = intent->queue_prev;
  } else {
    flow->tail_ = intent->queue_prev;
  }
  intent->queue_prev = intent->queue_next = nullptr;
  intent->flow = nullptr;
  --flow->size_;
  --flow->parent_->size_;
  --LevelOf(flow->parent_).size;
  --size_;
}

void FairQueue::Remove(Intent* intent) {
  FlowQueue* flow = intent->flow;
  Unlink(intent);
  if (flow->size_ == 0) {
    LeaveParked(flow);
    Deactivate(flow);
  }
}

void FairQueue::Unpark(FlowQueue* flow) {
  if (!flow->parked_) return;
  LeaveParked(flow);
  Activate(flow, /*fresh=*/false);
}

void FairQueue::UnparkAll(NamespaceQueue* ns) {
  while (ns->parked_head_ != nullptr) Unpark(ns->parked_head_);
}

// The flow's head if the gate admits it; otherwise the first admitted intent
// among the next `backfill_scan_`; otherwise parks the flow.
Intent* FairQueue::TakeAdmitted(FlowQueue* flow, AdmissionGate* gate) {
  Intent* head = flow->head_;
  if (gate == nullptr || gate->Admit(head)) {
    ++flow->dispatched_;
    Unlink(head);
    if (flow->size_ == 0) Deactivate(flow);
    return head;
  }
  const size_t scan = flow->backfill_ ? backfill_scan_ : 0;
  size_t scanned = 0;
  for (Intent* it = head->queue_next; it != nullptr && scanned < scan;
       it = it->queue_next, ++scanned) {
    if (gate->Admit(it)) {
      ++flow->dispatched_;
      Unlink(it);  // the head stays: the flow is not empty
      return it;
    }
  }
  Park(flow);
  gate->Parked(flow, head);
  return nullptr;
}

Intent* FairQueue::PopFromNamespace(NamespaceQueue* ns, AdmissionGate* gate) {
  return Ring<FlowQueue>::Serve(ns->current_, ns->last_new_,
                                [this, gate](FlowQueue* flow) { return TakeAdmitted(flow, gate); });
}

bool FairQueue::has_active() const {
  for (const auto& [priority, level] : levels_) {
    if (level.current != nullptr) return true;
  }
  return false;
}

Intent* FairQueue::Pop(AdmissionGate* gate) {
  for (auto& [priority, level] : levels_) {
    if (level.current == nullptr) continue;
    Intent* intent = Ring<NamespaceQueue>::Serve(
        level.current, level.last_new,
        [this, gate](NamespaceQueue* ns) { return PopFromNamespace(ns, gate); });
    if (intent != nullptr) return intent;
  }
  return nullptr;
}

void FairQueue::ForEachTopLevelActiveFlow(
    absl::FunctionRef<void(const NamespaceQueue&, const FlowQueue&)> fn) const {
  for (const auto& [priority, level] : levels_) {
    if (level.current == nullptr) continue;
    const NamespaceQueue* ns = level.current;
    do {
      const FlowQueue* flow = ns->current_;
      if (flow != nullptr) {
        do {
          fn(*ns, *flow);
          flow = flow->ring_next_;
        } while (flow != ns->current_);
      }
      ns = ns->ring_next_;
    } while (ns != level.current);
    return;
  }
}

void FairQueue::SetWeight(FlowQueue* flow, double weight) { flow->weight_ = weight; }
void FairQueue::SetWeight(NamespaceQueue* ns, double weight) { ns->weight_ = weight; }

}  // namespace sluice
