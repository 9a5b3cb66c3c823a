#ifndef SLUICE_SCHEDULER_ENGINE_WORKFLOW_H_
#define SLUICE_SCHEDULER_ENGINE_WORKFLOW_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/inlined_vector.h"
#include "scheduler/common/clock.h"
#include "scheduler/engine/fair_queue.h"
#include "scheduler/engine/intent.h"

namespace sluice {

// What the engine knows of one workflow: its live intents (for Cancel) and its
// queues (one per priority and namespace its pods use, usually exactly one).
// Lives while any intent refers to it, live or retained after its end.
//
// Not thread-safe: owned by the engine thread.
class Workflow {
 public:
  Workflow(std::string uid, std::string name, std::string ns)
      : uid_(std::move(uid)), name_(std::move(name)), namespace_(std::move(ns)) {}
  Workflow(const Workflow&) = delete;
  Workflow& operator=(const Workflow&) = delete;

  const std::string& uid() const { return uid_; }
  const std::string& name() const { return name_; }
  const std::string& workflow_namespace() const { return namespace_; }

  // The flow for intents of this workflow queued under `ns_queue` (one
  // namespace at one priority), created on first use.
  FlowQueue* FlowFor(NamespaceQueue* ns_queue, double weight);

  // Live intents: not yet terminal. O(1).
  void AddLive(Intent* intent);
  void RemoveLive(Intent* intent);
  size_t live_count() const { return live_count_; }
  // Calls fn(intent) for every live intent, oldest first; fn may remove the
  // one it is given.
  template <typename Fn>
  void ForEachLive(Fn fn) {
    for (Intent* it = live_head_; it != nullptr;) {
      Intent* next = it->live_next;
      fn(it);
      it = next;
    }
  }

  // Its flows, for weight changes.
  template <typename Fn>
  void ForEachFlow(Fn fn) {
    for (auto& flow : flows_) fn(flow.get());
  }
  // The weight its flows get (fairness.workflows rules), set when it is first seen.
  double weight() const { return weight_; }
  void set_weight(double weight) { weight_ = weight; }

  // Arrival bookkeeping for the fairness measure: when its first intent was
  // accepted, how many have been, and whether one was dispatched yet.
  void NoteAccepted(MonoTime now) {
    if (accepted_ == 0) first_accepted_ = now;
    ++accepted_;
  }
  uint64_t accepted() const { return accepted_; }
  MonoTime first_accepted() const { return first_accepted_; }
  // True the first time only.
  bool NoteFirstDispatch() {
    if (dispatched_once_) return false;
    dispatched_once_ = true;
    return true;
  }

  // Intents that refer to this workflow (live or retained terminal ones).
  void Ref() { ++refs_; }
  // Returns true when the last reference is gone.
  bool Unref() { return --refs_ == 0; }
  // Intents that refer to it: live ones plus finished ones still remembered.
  size_t refs() const { return refs_; }

 private:
  std::string uid_;
  std::string name_;
  std::string namespace_;
  absl::InlinedVector<std::unique_ptr<FlowQueue>, 1> flows_;
  Intent* live_head_ = nullptr;  // oldest first
  Intent* live_tail_ = nullptr;
  size_t live_count_ = 0;
  size_t refs_ = 0;
  double weight_ = 1.0;
  MonoTime first_accepted_;
  uint64_t accepted_ = 0;
  bool dispatched_once_ = false;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_ENGINE_WORKFLOW_H_
