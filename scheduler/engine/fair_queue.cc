#include "scheduler/engine/fair_queue.h"

#include <cassert>

namespace sluice {

// Circular doubly linked ring through T::ring_prev_/ring_next_, with `head`
// the element served next.
template <typename T>
struct Ring {
  // Appends `node` just before `head` (the end of the round).
  static void Append(T*& head, T* node) {
    assert(!node->in_ring_);
    node->in_ring_ = true;
    if (head == nullptr) {
      node->ring_prev_ = node->ring_next_ = node;
      head = node;
      return;
    }
    T* tail = head->ring_prev_;
    node->ring_prev_ = tail;
    node->ring_next_ = head;
    tail->ring_next_ = node;
    head->ring_prev_ = node;
  }

  static void Remove(T*& head, T* node) {
    assert(node->in_ring_);
    node->in_ring_ = false;
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

  static void Advance(T*& head) { head = head->ring_next_; }

  // Deficit round robin over a ring. Each visit of a node adds its weight to
  // its deficit once; the node is served while the deficit covers the unit cost,
  // then the ring moves on. A node that empties leaves the ring (and forgets its
  // deficit, as in DRR).
  template <typename ServeFn>
  static Intent* Serve(T*& head, ServeFn serve) {
    while (true) {
      T* node = head;
      if (!node->visit_started_) {
        node->deficit_ += node->weight_;
        node->visit_started_ = true;
      }
      if (node->deficit_ >= 1.0) {
        node->deficit_ -= 1.0;
        Intent* intent = serve(node);
        if (node->size_ == 0) {
          Remove(head, node);
        } else if (node->deficit_ < 1.0) {
          // Its share for this round is used: the next pop serves the next node.
          node->visit_started_ = false;
          Advance(head);
        }
        return intent;
      }
      node->visit_started_ = false;
      Advance(head);
    }
  }
};

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
  LinkAfterPush(flow);
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
  LinkAfterPush(flow);
}

FairQueue::Level& FairQueue::LevelOf(NamespaceQueue* ns) {
  if (ns->level_ == nullptr) ns->level_ = &levels_[ns->priority_];
  return *ns->level_;
}

void FairQueue::LinkAfterPush(FlowQueue* flow) {
  ++flow->size_;
  NamespaceQueue* ns = flow->parent_;
  ++ns->size_;
  Level& level = LevelOf(ns);
  ++level.size;
  ++size_;
  if (!flow->in_ring_) {
    Ring<FlowQueue>::Append(ns->current_, flow);
    ++ns->active_flows_;
  }
  if (!ns->in_ring_) Ring<NamespaceQueue>::Append(level.current, ns);
}

void FairQueue::UnlinkIfEmpty(FlowQueue* flow) {
  NamespaceQueue* ns = flow->parent_;
  if (flow->size_ == 0 && flow->in_ring_) {
    Ring<FlowQueue>::Remove(ns->current_, flow);
    --ns->active_flows_;
  }
  if (ns->size_ == 0 && ns->in_ring_) {
    Ring<NamespaceQueue>::Remove(LevelOf(ns).current, ns);
  }
}

void FairQueue::Remove(Intent* intent) {
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
  UnlinkIfEmpty(flow);
}

Intent* FairQueue::TakeFront(FlowQueue* flow) {
  Intent* intent = flow->head_;
  flow->head_ = intent->queue_next;
  if (flow->head_ != nullptr) {
    flow->head_->queue_prev = nullptr;
  } else {
    flow->tail_ = nullptr;
  }
  intent->queue_next = nullptr;
  intent->flow = nullptr;
  --flow->size_;
  --flow->parent_->size_;
  return intent;
}

Intent* FairQueue::PopFromNamespace(NamespaceQueue* ns) {
  FlowQueue* served = nullptr;
  Intent* intent = Ring<FlowQueue>::Serve(ns->current_, [&served](FlowQueue* flow) {
    served = flow;
    return TakeFront(flow);
  });
  if (served->size_ == 0) --ns->active_flows_;
  return intent;
}

Intent* FairQueue::PopFromLevel(Level& level) {
  return Ring<NamespaceQueue>::Serve(level.current,
                                     [](NamespaceQueue* ns) { return PopFromNamespace(ns); });
}

Intent* FairQueue::Pop() {
  for (auto& [priority, level] : levels_) {
    if (level.size == 0) continue;
    Intent* intent = PopFromLevel(level);
    --level.size;
    --size_;
    return intent;
  }
  return nullptr;
}

void FairQueue::SetWeight(FlowQueue* flow, double weight) { flow->weight_ = weight; }
void FairQueue::SetWeight(NamespaceQueue* ns, double weight) { ns->weight_ = weight; }

}  // namespace sluice
