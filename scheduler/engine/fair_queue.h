#ifndef SLUICE_SCHEDULER_ENGINE_FAIR_QUEUE_H_
#define SLUICE_SCHEDULER_ENGINE_FAIR_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>

#include "absl/functional/function_ref.h"
#include "scheduler/engine/intent.h"

namespace sluice {

class NamespaceQueue;

// One priority level of the FairQueue: a ring of active namespaces.
struct FairQueueLevel {
  NamespaceQueue* current = nullptr;   // head of the ring of active namespaces
  NamespaceQueue* last_new = nullptr;  // the last newcomer not yet served
  size_t size = 0;                     // intents queued at this level, parked or not
};

// The FIFO of intents that share a priority, a namespace and a workflow (or,
// for a namespace in strict FIFO mode, every workflow of the namespace).
// Owned by the engine; linked into its NamespaceQueue's ring by the FairQueue
// while it has intents and is not parked.
class FlowQueue {
 public:
  FlowQueue(NamespaceQueue* parent, double weight);
  FlowQueue(const FlowQueue&) = delete;
  FlowQueue& operator=(const FlowQueue&) = delete;

  NamespaceQueue* parent() const { return parent_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Intent* front() const { return head_; }
  double weight() const { return weight_; }
  // Set aside by an AdmissionGate: its first intents cannot be dispatched now.
  bool parked() const { return parked_; }
  // Whether intents behind a refused head may go first (false: strict FIFO).
  bool backfill() const { return backfill_; }
  void set_backfill(bool backfill) { backfill_ = backfill; }
  // Unique among the flows of the process, never reused.
  uint64_t id() const { return id_; }
  // Intents popped from this flow so far (retries count again).
  uint64_t dispatched() const { return dispatched_; }

 private:
  friend class FairQueue;
  friend class NamespaceQueue;
  template <typename T>
  friend struct Ring;

  NamespaceQueue* parent_;
  uint64_t id_;
  uint64_t dispatched_ = 0;
  Intent* head_ = nullptr;
  Intent* tail_ = nullptr;
  size_t size_ = 0;
  double weight_;
  double deficit_ = 0;
  bool visit_started_ = false;
  bool in_ring_ = false;
  bool parked_ = false;
  bool backfill_ = true;
  FlowQueue* ring_prev_ = nullptr;
  FlowQueue* ring_next_ = nullptr;
  // The namespace queue's list of parked flows.
  FlowQueue* parked_prev_ = nullptr;
  FlowQueue* parked_next_ = nullptr;
};

// One namespace within one priority level: a ring of active flows.
// Owned by the engine's namespace record; linked into its level's ring by the
// FairQueue while any of its flows is active (non-empty and not parked).
class NamespaceQueue {
 public:
  NamespaceQueue(int32_t priority, double weight) : priority_(priority), weight_(weight) {}
  NamespaceQueue(const NamespaceQueue&) = delete;
  NamespaceQueue& operator=(const NamespaceQueue&) = delete;

  int32_t priority() const { return priority_; }
  double weight() const { return weight_; }
  // Intents queued in this namespace at this priority, parked ones included.
  size_t size() const { return size_; }
  // Flows in the ring: non-empty and not parked.
  size_t active_flows() const { return active_flows_; }
  // Flows set aside by an AdmissionGate, and the intents they hold.
  size_t parked_flows() const { return parked_flows_; }
  size_t parked_intents() const;

 private:
  friend class FairQueue;
  template <typename T>
  friend struct Ring;

  int32_t priority_;
  double weight_;
  double deficit_ = 0;
  bool visit_started_ = false;
  bool in_ring_ = false;
  FlowQueue* current_ = nullptr;   // head of the ring of active flows
  FlowQueue* last_new_ = nullptr;  // the last newcomer not yet served
  size_t size_ = 0;
  size_t active_flows_ = 0;
  FlowQueue* parked_head_ = nullptr;
  size_t parked_flows_ = 0;
  NamespaceQueue* ring_prev_ = nullptr;
  NamespaceQueue* ring_next_ = nullptr;
  // The level this namespace queue belongs to, bound on first push (map
  // nodes are stable).
  FairQueueLevel* level_ = nullptr;
};

// Decides, at dispatch time, whether an intent may go now (quota headroom,
// pool capacity). Called on the engine thread from FairQueue::Pop.
class AdmissionGate {
 public:
  virtual ~AdmissionGate() = default;
  // True if `intent` may be dispatched now.
  virtual bool Admit(Intent* intent) = 0;
  // None of the first intents of `flow` may be dispatched: the flow is set
  // aside until FairQueue::Unpark. `head` is the intent at its head.
  virtual void Parked(FlowQueue* flow, Intent* head) = 0;
};

// The engine's queue of intents waiting for write budget.
//
// Order: strict priority between levels (higher first); within a level,
// deficit round robin between namespaces by weight, and within a namespace,
// deficit round robin between workflows by weight; FIFO within a workflow.
// Every intent costs one unit, so with equal weights this is plain round
// robin. A workflow that becomes active (its first intent, or its first after
// it had emptied) is a newcomer: it goes ahead of the workflows already in
// its namespace's ring, behind the newcomers not yet served, and is served
// next, however long the other workflows are; after its first visit it takes
// its turn in the round like the others. This is fq_codel's list of new
// flows (RFC 8290, 4.1): a sparse workflow, one that never builds a backlog,
// is not made to wait a round behind backlogged ones, and a backlogged one
// gets no more than its share. A namespace that becomes active is a newcomer
// among namespaces the same way. Flows returning from parking, or re-queued
// by a retry, rejoin at the end of the round.
//
// With an AdmissionGate, an intent the gate refuses does not hold up others:
// Pop looks up to `backfill_scan` intents further into the same flow for one
// the gate admits (a smaller pod may fit where a larger one does not), and if
// none is admitted, parks the flow (out of the rings, intents kept in place)
// and moves on to the next flow. The gate's owner unparks flows when what
// blocked them may have changed.
//
// Push, remove, park and unpark are O(1); pop is O(1) amortised plus the
// backfill scan.
//
// Not thread-safe: owned by the engine thread.
class FairQueue {
 public:
  explicit FairQueue(size_t backfill_scan = 16) : backfill_scan_(backfill_scan) {}
  FairQueue(const FairQueue&) = delete;
  FairQueue& operator=(const FairQueue&) = delete;

  // REQUIRES: intent is not queued.
  void PushBack(FlowQueue* flow, Intent* intent);
  // Puts the intent at the head of its flow (a retry keeps its place). A
  // parked flow is unparked: its head changed.
  void PushFront(FlowQueue* flow, Intent* intent);
  // REQUIRES: intent is queued. A flow emptied this way is no longer parked.
  void Remove(Intent* intent);

  // The next intent in fair order that `gate` admits (every intent if null),
  // removed from the queue; nullptr if none.
  Intent* Pop(AdmissionGate* gate = nullptr);

  // Returns a parked flow to its namespace's ring (at the end of the round).
  // No-op if it is not parked.
  void Unpark(FlowQueue* flow);
  // Unparks every parked flow of `ns` (what blocked them may have changed).
  void UnparkAll(NamespaceQueue* ns);

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Whether some flow is active (non-empty and not parked): whether Pop may
  // find an intent without an Unpark first. O(priority levels).
  bool has_active() const;
  void set_backfill_scan(size_t n) { backfill_scan_ = n; }

  // Calls fn for every active flow (non-empty, not parked) of the highest
  // priority level that has one, with its namespace queue. O(active flows).
  void ForEachTopLevelActiveFlow(
      absl::FunctionRef<void(const NamespaceQueue&, const FlowQueue&)> fn) const;

  // Weights are relative shares (> 0); changing one takes effect on the
  // flow's or namespace's next visit.
  static void SetWeight(FlowQueue* flow, double weight);
  static void SetWeight(NamespaceQueue* ns, double weight);

 private:
  using Level = FairQueueLevel;

  Level& LevelOf(NamespaceQueue* ns);
  // `fresh`: the flow just went from empty to non-empty (a newcomer).
  void Activate(FlowQueue* flow, bool fresh);
  void Deactivate(FlowQueue* flow);
  void Park(FlowQueue* flow);
  void LeaveParked(FlowQueue* flow);
  void Unlink(Intent* intent);
  Intent* TakeAdmitted(FlowQueue* flow, AdmissionGate* gate);
  Intent* PopFromNamespace(NamespaceQueue* ns, AdmissionGate* gate);

  std::map<int32_t, Level, std::greater<int32_t>> levels_;
  size_t size_ = 0;
  size_t backfill_scan_;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_ENGINE_FAIR_QUEUE_H_
