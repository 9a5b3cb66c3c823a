#ifndef SLUICE_SCHEDULER_COST_ATTEMPT_TRACKER_H_
#define SLUICE_SCHEDULER_COST_ATTEMPT_TRACKER_H_

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "scheduler/cost/cost_record.h"
#include "scheduler/cost/cost_stamp.h"
#include "scheduler/engine/pod_observation.h"

namespace sluice::cost {

// A pod as the informer last saw it, with the times billing needs.
struct PodSighting {
  std::string uid;
  std::string pod_namespace;
  std::string pod_name;
  LabelList labels;
  PodPhase phase = PodPhase::kPending;
  PodTimes times;
  absl::Time last_container_finish = absl::InfinitePast();
  // status.reason (or the first terminated container's reason).
  std::string reason;
  bool disruption_target = false;
  // A DELETED watch event (the pod is gone).
  bool deleted = false;
  // Sluice is deleting this pod to re-create it in another pool.
  bool rescheduling = false;
};

// What a pool charges, by pool name (the pod's sluice.dev/pool label).
struct PoolPricing {
  std::string pool_class;
  std::string currency = "USD";
  BillingRule rule;
};

struct AttemptTrackerOptions {
  absl::flat_hash_map<std::string, PoolPricing> pools;
  // Pricing of pods without a pool label, or with an unknown pool.
  PoolPricing unpooled;
  // Pod label keys copied into cost labels (e.g. "team", "cost-center").
  std::vector<std::string> label_keys;
  // status.reason of a failed pod that means it was preempted or reclaimed.
  std::vector<std::string> preemption_reasons = {"Preempted", "BidFailed", "Expired",
                                                 "SpotToBeReleased"};
  // How long an ended attempt's uid is remembered so that later events of the
  // same pod (a DELETED after Succeeded) do not end it twice; at most how many.
  absl::Duration ended_memory = absl::Hours(1);
  size_t max_ended_remembered = 1'000'000;
};

// Turns pod sightings into cost records: one per pod attempt (pod UID). A
// record goes to the sink when the attempt is first seen, when its billing
// starts and when it ends (exactly once with an end reason per tracker
// lifetime; the ledger's upsert makes a repeat after a restart harmless).
//
// End of an attempt and its reason: phase Succeeded -> succeeded; phase
// Failed -> preempted if DisruptionTarget or a preemption reason, else
// failed; gone (DELETED, or missing from a resync) before a terminal phase ->
// rescheduled if Sluice was moving it to another pool, else deleted. The end
// time is the last container's finishedAt when known, else the time of the
// sighting (`now`).
//
// Thread safety: none; one thread (the engine thread) owns it.
class AttemptTracker {
 public:
  // `sink` must outlive the tracker (it may be set later, before the first
  // sighting).
  AttemptTracker(AttemptTrackerOptions options, CostRecordSink* sink);

  void set_sink(CostRecordSink* sink) { sink_ = sink; }
  // New prices and label keys for attempts that begin from now on.
  void set_options(AttemptTrackerOptions options) { options_ = std::move(options); }

  // Attempts that were open when the ledger was last written (after a
  // restart); their pods are expected in the next resync.
  void Restore(std::vector<CostRecord> open);

  void Observe(const PodSighting& pod, absl::Time now);
  // A LIST: every managed pod that exists now. Open attempts whose pod is
  // missing ended (deleted) while nobody watched.
  void Resync(absl::Span<const PodSighting> pods, absl::Time now);

  // The open attempts, priced to `now`.
  std::vector<CostRecord> OpenRecords(absl::Time now) const;
  size_t open_count() const { return open_.size(); }

 private:
  CostRecord Begin(const PodSighting& pod) const;
  // Fills billing times from the sighting; true if anything changed.
  bool Update(CostRecord& record, const PodSighting& pod) const;
  EndReason EndOf(const PodSighting& pod) const;
  void End(CostRecord& record, EndReason reason, absl::Time end, absl::Time now);
  void RememberEnded(const std::string& uid, absl::Time now);

  AttemptTrackerOptions options_;
  CostRecordSink* sink_;
  absl::flat_hash_map<std::string, CostRecord> open_;
  absl::flat_hash_set<std::string> ended_;
  struct EndedEntry {
    absl::Time at;
    std::string uid;
  };
  std::deque<EndedEntry> ended_order_;
};

}  // namespace sluice::cost

#endif  // SLUICE_SCHEDULER_COST_ATTEMPT_TRACKER_H_
