#ifndef SLUICE_TOOLS_KUBESIM_SERVER_STATS_H_
#define SLUICE_TOOLS_KUBESIM_SERVER_STATS_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/synchronization/mutex.h"
#include "scheduler/common/clock.h"

namespace sluice::kubesim {

class JsonWriter;

// Request counters of the simulated APIServer (GET /sim/stats). Thread-safe.
class ServerStats {
 public:
  explicit ServerStats(const Clock& clock);

  // One answered API request: Kubernetes verb ("create", "get", "list",
  // "watch", "delete", "update", "patch", "deletecollection") and HTTP code.
  void RecordRequest(std::string_view verb, int code);
  // One mutating request that reached the throttle, admitted or not.
  void RecordMutating(bool admitted);
  void RecordDroppedConnection() { dropped_connections_.fetch_add(1); }
  void RecordWatchEvents(int64_t n) { watch_events_.fetch_add(n); }
  void WatcherStarted() { watchers_.fetch_add(1); }
  void WatcherEnded() { watchers_.fetch_sub(1); }

  // Writes the counters as members of the object the caller has begun:
  // requests (verb -> code -> count), creates_accepted, duplicates_refused,
  // rejected_429, forbidden_403, conflict_409, server_error_5xx,
  // mutating_requests, max_mutating_per_second (over any sliding one-second
  // window, rejected ones included), max_admitted_mutating_per_second,
  // dropped_connections, watchers, watch_events_sent, since.
  void WriteJson(JsonWriter& w) const;
  // Zeroes the counters (not the live gauges: watchers).
  void Reset();

 private:
  // Max count of timestamps within any window of one second, kept with a
  // deque of the last second's timestamps.
  struct SlidingMax {
    std::deque<MonoTime> window;
    int64_t max = 0;
    void Add(MonoTime now);
  };

  const Clock& clock_;
  mutable absl::Mutex mu_;
  absl::btree_map<std::string, absl::btree_map<int, int64_t>> requests_ ABSL_GUARDED_BY(mu_);
  SlidingMax all_mutating_ ABSL_GUARDED_BY(mu_);
  SlidingMax admitted_mutating_ ABSL_GUARDED_BY(mu_);
  int64_t mutating_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time since_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> dropped_connections_{0};
  std::atomic<int64_t> watch_events_{0};
  std::atomic<int64_t> watchers_{0};
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_SERVER_STATS_H_
