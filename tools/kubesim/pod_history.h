#ifndef SLUICE_TOOLS_KUBESIM_POD_HISTORY_H_
#define SLUICE_TOOLS_KUBESIM_POD_HISTORY_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "scheduler/common/clock.h"
#include "tools/kubesim/object_store.h"
#include "tools/kubesim/pod.h"

namespace sluice::kubesim {

// The life of one pod (one uid), as the simulator saw it commit.
struct PodRecord {
  std::string namespace_name;
  std::string name;
  std::string uid;
  StringMap labels;
  ResourceAmounts requests;  // effective pod requests, milli-units
  std::string node;
  PodPhase phase = PodPhase::kPending;
  absl::Time created;             // the commit
  absl::Time creation_timestamp;  // metadata.creationTimestamp (whole seconds)
  std::optional<absl::Time> scheduled;
  std::optional<absl::Time> started;
  std::optional<absl::Time> finished;
  std::optional<absl::Time> deletion_requested;
  std::optional<absl::Time> deleted;
  int64_t exit_code = 0;
  // First PodScheduled=False (e.g. a capacity pool had no room) and its
  // message; first DisruptionTarget=True (e.g. a spot reclaim notice);
  // status.reason when it finished (e.g. Preempted).
  std::optional<absl::Time> unschedulable;
  std::string unschedulable_message;
  std::optional<absl::Time> disrupted;
  std::string reason;
};

// Every pod ever created, including deleted ones (GET /sim/history), so that
// tests can check Sluice's cost accounting against an independent record.
// Times are the wall clock at commit, nanosecond precision. Thread-safe;
// registered as a StoreObserver.
class PodHistory final : public StoreObserver {
 public:
  explicit PodHistory(const Clock& clock) : clock_(clock) {}

  void OnCommit(const ResourceInfo& resource, const StoredEvent& event) override;

  std::vector<PodRecord> Records() const;
  // JSON array of records (see README: namespace, name, uid, created,
  // creationTimestamp,
  // scheduled, started, finished, deletionRequested, deleted (RFC 3339 with
  // nanoseconds, null when it did not happen), phase, node, exitCode, labels,
  // requestsMilli, unschedulable, unschedulableMessage, disrupted, reason).
  std::string Json() const;
  void Clear();

 private:
  const Clock& clock_;
  mutable absl::Mutex mu_;
  // A deque: records never move once added. A vector's doubling moved every
  // record inside the store's commit, under this lock, and stalled the
  // simulated APIServer (78 ms as the 32,768th pod was created). The index
  // keys are views of the records' own uids, so a rehash moves 24-byte slots.
  std::deque<PodRecord> records_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string_view, size_t> by_uid_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_POD_HISTORY_H_
