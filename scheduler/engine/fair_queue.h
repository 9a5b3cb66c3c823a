#ifndef SLUICE_SCHEDULER_ENGINE_FAIR_QUEUE_H_
#define SLUICE_SCHEDULER_ENGINE_FAIR_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>

#include "scheduler/engine/intent.h"

namespace sluice {

class NamespaceQueue;

// One priority level of the FairQueue: a ring of active namespaces.
struct FairQueueLevel {
  NamespaceQueue* current = nullptr;  // head of the ring of active namespaces
  size_t size = 0;                    // intents queued at this level
};

// The FIFO of intents that share a priority, a namespace and a workflow.
// Owned by the engine's Workflow record; linked into its NamespaceQueue's ring
// by the FairQueue while non-empty.
class FlowQueue {
 public:
  FlowQueue(NamespaceQueue* parent, double weight) : parent_(parent), weight_(weight) {}
  FlowQueue(const FlowQueue&) = delete;
  FlowQueue& operator=(const FlowQueue&) = delete;

  NamespaceQueue* parent() const { return parent_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Intent* front() const { return head_; }
  double weight() const { return weight_; }

 private:
  friend class FairQueue;
  template <typename T>
  friend struct Ring;

  NamespaceQueue* parent_;
  Intent* head_ = nullptr;
  Intent* tail_ = nullptr;
  size_t size_ = 0;
  double weight_;
  double deficit_ = 0;
  bool visit_started_ = false;
  bool in_ring_ = false;
  FlowQueue* ring_prev_ = nullptr;
  FlowQueue* ring_next_ = nullptr;
};

// One namespace within one priority level: a ring of active flows.
// Owned by the engine's namespace record; linked into its level's ring by the
// FairQueue while any of its flows is non-empty.
class NamespaceQueue {
 public:
  NamespaceQueue(int32_t priority, double weight) : priority_(priority), weight_(weight) {}
  NamespaceQueue(const NamespaceQueue&) = delete;
  NamespaceQueue& operator=(const NamespaceQueue&) = delete;

  int32_t priority() const { return priority_; }
  double weight() const { return weight_; }
  // Intents queued in this namespace at this priority.
  size_t size() const { return size_; }
  size_t active_flows() const { return active_flows_; }

 private:
  friend class FairQueue;
  template <typename T>
  friend struct Ring;

  int32_t priority_;
  double weight_;
  double deficit_ = 0;
  bool visit_started_ = false;
  bool in_ring_ = false;
  FlowQueue* current_ = nullptr;  // head of the ring of active flows
  size_t size_ = 0;
  size_t active_flows_ = 0;
  NamespaceQueue* ring_prev_ = nullptr;
  NamespaceQueue* ring_next_ = nullptr;
  // The level this namespace queue belongs to, bound on first push (map
  // nodes are stable).
  FairQueueLevel* level_ = nullptr;
};

// The engine's queue of intents waiting for write budget.
//
// Order: strict priority between levels (higher first); within a level,
// deficit round robin between namespaces by weight, and within a namespace,
// deficit round robin between workflows by weight; FIFO within a workflow.
// Every intent costs one unit, so with equal weights this is plain round
// robin: a workflow that becomes active joins the end of its namespace's ring
// and is served within one round, however long the other workflows are.
//
// Push, remove and pop are O(1) (pop is O(1) amortised with unequal weights);
// no allocation beyond the level map.
//
// Not thread-safe: owned by the engine thread.
class FairQueue {
 public:
  FairQueue() = default;
  FairQueue(const FairQueue&) = delete;
  FairQueue& operator=(const FairQueue&) = delete;

  // REQUIRES: intent is not queued.
  void PushBack(FlowQueue* flow, Intent* intent);
  // Puts the intent at the head of its flow (a retry keeps its place).
  void PushFront(FlowQueue* flow, Intent* intent);
  // REQUIRES: intent is queued.
  void Remove(Intent* intent);

  // The next intent in fair order, removed from the queue; nullptr if empty.
  Intent* Pop();

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Weights are relative shares (> 0); changing one takes effect on the
  // flow's or namespace's next visit.
  static void SetWeight(FlowQueue* flow, double weight);
  static void SetWeight(NamespaceQueue* ns, double weight);

 private:
  using Level = FairQueueLevel;

  Level& LevelOf(NamespaceQueue* ns);
  void LinkAfterPush(FlowQueue* flow);
  void UnlinkIfEmpty(FlowQueue* flow);
  Intent* PopFromLevel(Level& level);
  static Intent* PopFromNamespace(NamespaceQueue* ns);
  static Intent* TakeFront(FlowQueue* flow);

  std::map<int32_t, Level, std::greater<int32_t>> levels_;
  size_t size_ = 0;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_ENGINE_FAIR_QUEUE_H_
