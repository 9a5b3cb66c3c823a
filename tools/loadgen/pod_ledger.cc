#include "tools/loadgen/pod_ledger.h"

namespace sluice::loadgen {
namespace {

bool CreatedSettled(const PodRecord& r) {
  return r.created || r.finished || r.last_result == v1::IntentResult::REJECTED;
}
bool FinishedSettled(const PodRecord& r) {
  return r.finished || r.last_result == v1::IntentResult::REJECTED;
}

// Intent states (in DUPLICATE answers) that say the pod exists or existed.
bool StateImpliesCreated(v1::IntentState s) {
  switch (s) {
    case v1::INTENT_STATE_CREATED:
    case v1::INTENT_STATE_SCHEDULED:
    case v1::INTENT_STATE_RUNNING:
    case v1::INTENT_STATE_SUCCEEDED:
    case v1::INTENT_STATE_FAILED:
    case v1::INTENT_STATE_DELETED:
      return true;
    default:
      return false;
  }
}

bool IsTerminalState(v1::IntentState s) {
  switch (s) {
    case v1::INTENT_STATE_SUCCEEDED:
    case v1::INTENT_STATE_FAILED:
    case v1::INTENT_STATE_CREATE_FAILED:
    case v1::INTENT_STATE_CANCELLED:
    case v1::INTENT_STATE_DELETED:
      return true;
    default:
      return false;
  }
}

// Event types that mean the pod exists (a missed CREATED is implied).
bool EventImpliesCreated(v1::EventType t) {
  switch (t) {
    case v1::EVENT_TYPE_CREATED:
    case v1::EVENT_TYPE_SCHEDULED:
    case v1::EVENT_TYPE_RUNNING:
    case v1::EVENT_TYPE_SUCCEEDED:
    case v1::EVENT_TYPE_FAILED:
    case v1::EVENT_TYPE_PREEMPTED:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool IsTerminalEvent(v1::EventType type) {
  switch (type) {
    case v1::EVENT_TYPE_SUCCEEDED:
    case v1::EVENT_TYPE_FAILED:
    case v1::EVENT_TYPE_CREATE_FAILED:
    case v1::EVENT_TYPE_CANCELLED:
    case v1::EVENT_TYPE_DELETED:
    case v1::EVENT_TYPE_PREEMPTED:
      return true;
    default:
      return false;
  }
}

bool IsSettled(const PodRecord& r, WaitFor wait_for) {
  return wait_for == WaitFor::kCreated ? CreatedSettled(r) : FinishedSettled(r);
}

PodLedger::PodLedger(const WorkloadPlan* plan, const Clock* clock)
    : plan_(plan), clock_(clock), records_(plan->pod_count()) {
  backlog_log_.reserve(2 * plan->pod_count());
}

void PodLedger::RecordSent(absl::Span<const uint32_t> pods) {
  const MonoTime now = clock_->MonoNow();
  absl::MutexLock lock(&mu_);
  if (first_sent_ == MonoTime::Zero()) first_sent_ = now;
  counts_.intents_sent += pods.size();
  for (uint32_t pod : pods) {
    PodRecord& r = records_[pod];
    if (r.first_sent == MonoTime::Zero()) {
      r.first_sent = now;
      ++counts_.sent;
    }
  }
}

void PodLedger::Arrive(uint32_t pod, PodRecord& r) {
  if (r.arrived) return;
  r.arrived = true;
  backlog_log_.push_back({plan_->pods()[pod].workflow, BacklogChange::Kind::kArrival});
}

void PodLedger::UpdateSettled(PodRecord& r, bool was_created_settled, bool was_finished_settled) {
  if (!was_created_settled && CreatedSettled(r)) ++counts_.settled_created;
  if (!was_finished_settled && FinishedSettled(r)) ++counts_.settled_finished;
}

void PodLedger::MarkCreated(uint32_t pod, PodRecord& r, MonoTime now) {
  if (r.created) return;
  r.created = true;
  r.created_at = now;
  ++counts_.created;
  if (r.arrived) {
    backlog_log_.push_back({plan_->pods()[pod].workflow, BacklogChange::Kind::kCreated});
  }
}

void PodLedger::MarkFinished(uint32_t pod, PodRecord& r, v1::EventType type, MonoTime now) {
  if (r.finished) return;
  r.finished = true;
  r.finished_at = now;
  r.terminal_event = type;
  ++counts_.finished;
  if (type == v1::EVENT_TYPE_CREATE_FAILED) ++counts_.create_failed;
  if (type == v1::EVENT_TYPE_CANCELLED) {
    ++counts_.cancelled;
    r.cancelled_before_create = !r.created;
  }
  if (!r.created && r.arrived) {
    backlog_log_.push_back({plan_->pods()[pod].workflow, BacklogChange::Kind::kGoneUncreated});
  }
}

void PodLedger::RecordAnswer(uint32_t pod, const v1::IntentResult& result, uint64_t epoch) {
  const MonoTime now = clock_->MonoNow();
  absl::MutexLock lock(&mu_);
  PodRecord& r = records_[pod];
  const bool was_c = CreatedSettled(r), was_f = FinishedSettled(r);
  ++r.answers;
  ++counts_.answers;
  last_answer_ = now;
  r.last_result = result.code();
  switch (result.code()) {
    case v1::IntentResult::ACCEPTED:
      ++counts_.accepted;
      r.accepted = true;
      r.held_epoch = epoch;
      Arrive(pod, r);
      break;
    case v1::IntentResult::DUPLICATE:
      ++counts_.duplicate;
      ++r.duplicate_answers;
      r.held_epoch = epoch;
      if (StateImpliesCreated(result.state())) MarkCreated(pod, r, now);
      if (IsTerminalState(result.state())) {
        // The terminal event itself came before this run's watch: record the
        // state's event equivalent.
        v1::EventType type = v1::EVENT_TYPE_SUCCEEDED;
        switch (result.state()) {
          case v1::INTENT_STATE_FAILED:
            type = v1::EVENT_TYPE_FAILED;
            break;
          case v1::INTENT_STATE_CREATE_FAILED:
            type = v1::EVENT_TYPE_CREATE_FAILED;
            break;
          case v1::INTENT_STATE_CANCELLED:
            type = v1::EVENT_TYPE_CANCELLED;
            break;
          case v1::INTENT_STATE_DELETED:
            type = v1::EVENT_TYPE_DELETED;
            break;
          default:
            break;
        }
        MarkFinished(pod, r, type, now);
      }
      break;
    case v1::IntentResult::REJECTED:
      ++counts_.rejected;
      break;
    case v1::IntentResult::RESOURCE_EXHAUSTED:
      ++counts_.exhausted;
      break;
    default:
      break;
  }
  UpdateSettled(r, was_c, was_f);
}

void PodLedger::RecordEvents(const v1::WatchEventsResponse& response) {
  const MonoTime now = clock_->MonoNow();
  absl::MutexLock lock(&mu_);
  for (const v1::PodEvent& e : response.events()) {
    std::optional<uint32_t> pod = plan_->FindPod(e.pod().namespace_(), e.pod().name());
    if (!pod.has_value()) {
      ++counts_.foreign_events;
      continue;
    }
    ++counts_.events;
    PodRecord& r = records_[*pod];
    const bool was_c = CreatedSettled(r), was_f = FinishedSettled(r);
    if (e.type() == v1::EVENT_TYPE_CREATED) {
      ++r.created_events;
      last_created_ = now;
      if (e.submit_to_create_ms() > 0 && !r.sluiced_submit_to_create_ms.has_value()) {
        r.sluiced_submit_to_create_ms = e.submit_to_create_ms();
      }
    }
    if (EventImpliesCreated(e.type()) || IsTerminalEvent(e.type())) {
      // An event before the Submit answer: the intent was accepted.
      if (r.last_result == v1::IntentResult::CODE_UNSPECIFIED) Arrive(*pod, r);
    }
    if (e.type() == v1::EVENT_TYPE_RESCHEDULED) ++r.rescheduled_events;
    if (EventImpliesCreated(e.type())) MarkCreated(*pod, r, now);
    if (IsTerminalEvent(e.type()) && !r.finished) {
      MarkFinished(*pod, r, e.type(), now);
      r.terminal_reason = e.reason();
    }
    UpdateSettled(r, was_c, was_f);
  }
}

bool PodLedger::AwaitSettled(WaitFor wait_for, MonoTime deadline, absl::Duration period,
                             const std::function<bool(const LedgerCounts&)>& progress) {
  const uint64_t total = plan_->pod_count();
  auto settled = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return (wait_for == WaitFor::kCreated ? counts_.settled_created : counts_.settled_finished) >=
           total;
  };
  while (true) {
    LedgerCounts snapshot;
    {
      absl::MutexLock lock(&mu_);
      const MonoTime now = clock_->MonoNow();
      const absl::Duration left = deadline - now;
      const absl::Duration wait = std::min(period, std::max(left, absl::ZeroDuration()));
      if (mu_.AwaitWithTimeout(absl::Condition(&settled), wait)) return true;
      if (clock_->MonoNow() >= deadline) return false;
      snapshot = counts_;
    }
    if (progress && !progress(snapshot)) return false;
  }
}

LedgerCounts PodLedger::counts() const {
  absl::MutexLock lock(&mu_);
  return counts_;
}

std::vector<PodRecord> PodLedger::Records() const {
  absl::MutexLock lock(&mu_);
  return records_;
}

std::vector<BacklogChange> PodLedger::BacklogLog() const {
  absl::MutexLock lock(&mu_);
  return backlog_log_;
}

MonoTime PodLedger::last_created() const {
  absl::MutexLock lock(&mu_);
  return last_created_;
}

MonoTime PodLedger::first_sent() const {
  absl::MutexLock lock(&mu_);
  return first_sent_;
}

MonoTime PodLedger::last_answer() const {
  absl::MutexLock lock(&mu_);
  return last_answer_;
}

}  // namespace sluice::loadgen
