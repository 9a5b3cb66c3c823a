#include "scheduler/cost/attempt_tracker.h"

#include <algorithm>
#include <utility>

#include "scheduler/common/log.h"

namespace sluice::cost {
namespace {

constexpr absl::string_view kPoolLabel = "sluice.dev/pool";

absl::string_view LabelOf(const LabelList& labels, absl::string_view key) {
  for (const auto& [k, v] : labels) {
    if (k == key) return v;
  }
  return {};
}

}  // namespace

AttemptTracker::AttemptTracker(AttemptTrackerOptions options, CostRecordSink* sink)
    : options_(std::move(options)), sink_(sink) {}

void AttemptTracker::Restore(std::vector<CostRecord> open) {
  for (CostRecord& r : open) {
    if (r.ended()) continue;
    std::string uid = r.pod_uid;
    open_.insert_or_assign(std::move(uid), std::move(r));
  }
}

CostRecord AttemptTracker::Begin(const PodSighting& pod) const {
  CostRecord r;
  r.pod_uid = pod.uid;
  r.pod_namespace = pod.pod_namespace;
  r.pod_name = pod.pod_name;
  StampedFacts facts = ReadCostStamp(pod.labels, options_.label_keys);
  r.workflow_uid = std::move(facts.workflow_uid);
  r.workflow_name = std::move(facts.workflow_name);
  r.workflow_namespace = std::move(facts.workflow_namespace);
  r.labels = std::move(facts.cost_labels);
  r.billed = facts.billed;
  r.pool = std::string(LabelOf(pod.labels, kPoolLabel));
  auto it = options_.pools.find(r.pool);
  const PoolPricing& pricing = it != options_.pools.end() ? it->second : options_.unpooled;
  r.pool_class = pricing.pool_class;
  r.currency = pricing.currency;
  r.rule = pricing.rule;
  r.created = pod.times.created;
  return r;
}

bool AttemptTracker::Update(CostRecord& record, const PodSighting& pod) const {
  bool changed = false;
  if (record.created == absl::InfinitePast() && pod.times.created != absl::InfinitePast()) {
    record.created = pod.times.created;
    changed = true;
  }
  if (!record.billing_started()) {
    if (std::optional<absl::Time> start = BillingStartTime(record.rule.start, pod.times)) {
      record.billing_start = *start;
      changed = true;
    }
  }
  return changed;
}

EndReason AttemptTracker::EndOf(const PodSighting& pod) const {
  if (pod.phase == PodPhase::kSucceeded) return EndReason::kSucceeded;
  if (pod.phase == PodPhase::kFailed) {
    const bool preempted =
        pod.disruption_target ||
        std::find(options_.preemption_reasons.begin(), options_.preemption_reasons.end(),
                  pod.reason) != options_.preemption_reasons.end();
    return preempted ? EndReason::kPreempted : EndReason::kFailed;
  }
  if (pod.deleted) return pod.rescheduling ? EndReason::kRescheduled : EndReason::kDeleted;
  return EndReason::kNone;
}

void AttemptTracker::End(CostRecord& record, EndReason reason, absl::Time end, absl::Time now) {
  record.end_reason = reason;
  if (record.billing_started() && end < record.billing_start) end = record.billing_start;
  record.billing_end = end;
  if (absl::Status priced = Price(record, now); !priced.ok()) {
    SLUICE_LOG(kWarn, "cost of a pod attempt cannot be computed", {"pod_uid", record.pod_uid},
               {"error", priced.ToString()});
  }
  sink_->Write(record);
  RememberEnded(record.pod_uid, now);
}

void AttemptTracker::RememberEnded(const std::string& uid, absl::Time now) {
  ended_.insert(uid);
  ended_order_.push_back({now, uid});
  while (!ended_order_.empty() && (ended_order_.size() > options_.max_ended_remembered ||
                                   ended_order_.front().at + options_.ended_memory < now)) {
    ended_.erase(ended_order_.front().uid);
    ended_order_.pop_front();
  }
}

void AttemptTracker::Observe(const PodSighting& pod, absl::Time now) {
  if (pod.uid.empty() || ended_.contains(pod.uid)) return;
  auto it = open_.find(pod.uid);
  bool changed = false;
  if (it == open_.end()) {
    it = open_.emplace(pod.uid, Begin(pod)).first;
    changed = true;
  }
  CostRecord& record = it->second;
  if (Update(record, pod)) changed = true;
  const EndReason reason = EndOf(pod);
  if (reason != EndReason::kNone) {
    const absl::Time end =
        pod.last_container_finish != absl::InfinitePast() ? pod.last_container_finish : now;
    CostRecord ended = std::move(record);
    open_.erase(it);
    End(ended, reason, end, now);
    return;
  }
  if (changed) {
    if (absl::Status priced = Price(record, now); !priced.ok()) {
      SLUICE_LOG(kWarn, "cost of a pod attempt cannot be computed", {"pod_uid", record.pod_uid},
                 {"error", priced.ToString()});
    }
    sink_->Write(record);
  }
}

void AttemptTracker::Resync(absl::Span<const PodSighting> pods, absl::Time now) {
  absl::flat_hash_set<absl::string_view> present;
  present.reserve(pods.size());
  for (const PodSighting& pod : pods) {
    present.insert(pod.uid);
    Observe(pod, now);
  }
  std::vector<std::string> vanished;
  for (const auto& [uid, record] : open_) {
    if (!present.contains(uid)) vanished.push_back(uid);
  }
  for (const std::string& uid : vanished) {
    auto it = open_.find(uid);
    CostRecord ended = std::move(it->second);
    open_.erase(it);
    End(ended, EndReason::kDeleted, now, now);
  }
}

std::vector<CostRecord> AttemptTracker::OpenRecords(absl::Time now) const {
  std::vector<CostRecord> out;
  out.reserve(open_.size());
  for (const auto& [uid, record] : open_) {
    out.push_back(record);
    (void)Price(out.back(), now);
  }
  return out;
}

}  // namespace sluice::cost
