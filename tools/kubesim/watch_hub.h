#ifndef SLUICE_TOOLS_KUBESIM_WATCH_HUB_H_
#define SLUICE_TOOLS_KUBESIM_WATCH_HUB_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "tools/kubesim/api_object.h"

namespace sluice::kubesim {

enum class EventType { kAdded, kModified, kDeleted };

// One committed change of one resource.
struct StoredEvent {
  EventType type;
  uint64_t rv;
  // The new version; for kDeleted the last state, stamped with the deletion RV.
  std::shared_ptr<const ApiObject> object;
  // The version before the change (kModified, kDeleted), else null. Lets a
  // filtered watch turn a change into ADDED or DELETED when the object starts
  // or stops matching, as the apiserver's watch cache does.
  std::shared_ptr<const ApiObject> prev;
};

// The bounded event history of one resource (the watch cache), shared by all
// watchers of that resource. Writers publish under the store lock in RV order;
// each watcher keeps its own cursor (a sequence number) and reads in batches,
// so publishing costs O(1) whatever the number of watchers. A watcher whose
// cursor falls out of the ring is told so and must end (the client resumes
// from its last RV, or relists on 410). Thread-safe.
class WatchHub {
 public:
  // `start_rv`: the RV at which history begins (a watch from start_rv or
  // later can be served).
  WatchHub(size_t capacity, uint64_t start_rv);

  // REQUIRES: event.rv greater than that of every event published before.
  void Publish(StoredEvent event);

  // The cursor of the first event with rv > after_rv, or nullopt when some of
  // those events are no longer kept (the watch is too old).
  std::optional<uint64_t> SeekAfter(uint64_t after_rv) const;
  // The cursor after the newest event.
  uint64_t end_seq() const;
  // The oldest RV a watch can resume from (reported as M in `too old
  // resource version: N (M)`), like the watch cache's `oldest-1`.
  uint64_t MinResumableRv() const;

  enum class ReadStatus { kOk, kFellBehind, kClosed };
  // Appends to `out` up to `max_events` events from `*seq` on and advances
  // `*seq`. When none is available waits up to `max_wait` (real time) for one.
  // kFellBehind: events at *seq were dropped. kClosed: the hub is closed.
  ReadStatus Read(uint64_t* seq, size_t max_events, absl::Duration max_wait,
                  std::vector<StoredEvent>* out);

  // Forgets all history, like an etcd compaction at `current_rv`: watches
  // from an older RV are then too old.
  void Compact(uint64_t current_rv);
  // Ends every Read (kClosed) now and from now on.
  void Close();
  // Wakes blocked readers without ending them (used to stop a single watcher).
  void WakeAll();

 private:
  uint64_t MinResumableRvLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t capacity_;
  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  std::vector<StoredEvent> ring_ ABSL_GUARDED_BY(mu_);
  uint64_t first_seq_ ABSL_GUARDED_BY(mu_) = 0;  // oldest kept event
  uint64_t end_seq_ ABSL_GUARDED_BY(mu_) = 0;    // one past the newest
  // Valid while nothing was evicted since construction or the last Compact().
  uint64_t horizon_rv_ ABSL_GUARDED_BY(mu_);
  bool evicted_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_WATCH_HUB_H_
