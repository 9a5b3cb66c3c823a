#include "scheduler/server/proto_convert.h"

#include "absl/time/time.h"

namespace sluice {

v1::IntentState ToProto(IntentState state) {
  switch (state) {
    case IntentState::kQueued:
    case IntentState::kBackoff:
      return v1::INTENT_STATE_QUEUED;
    case IntentState::kDispatching:
      return v1::INTENT_STATE_DISPATCHING;
    case IntentState::kCreated:
      return v1::INTENT_STATE_CREATED;
    case IntentState::kScheduled:
      return v1::INTENT_STATE_SCHEDULED;
    case IntentState::kRunning:
      return v1::INTENT_STATE_RUNNING;
    case IntentState::kRescheduling:
      return v1::INTENT_STATE_RESCHEDULING;
    case IntentState::kSucceeded:
      return v1::INTENT_STATE_SUCCEEDED;
    case IntentState::kFailed:
      return v1::INTENT_STATE_FAILED;
    case IntentState::kCreateFailed:
      return v1::INTENT_STATE_CREATE_FAILED;
    case IntentState::kCancelled:
      return v1::INTENT_STATE_CANCELLED;
    case IntentState::kDeleted:
      return v1::INTENT_STATE_DELETED;
  }
  return v1::INTENT_STATE_UNSPECIFIED;
}

v1::EventType ToProto(PodEventType type) {
  switch (type) {
    case PodEventType::kCreated:
      return v1::EVENT_TYPE_CREATED;
    case PodEventType::kCreateFailed:
      return v1::EVENT_TYPE_CREATE_FAILED;
    case PodEventType::kScheduled:
      return v1::EVENT_TYPE_SCHEDULED;
    case PodEventType::kRunning:
      return v1::EVENT_TYPE_RUNNING;
    case PodEventType::kSucceeded:
      return v1::EVENT_TYPE_SUCCEEDED;
    case PodEventType::kFailed:
      return v1::EVENT_TYPE_FAILED;
    case PodEventType::kCancelled:
      return v1::EVENT_TYPE_CANCELLED;
    case PodEventType::kDeleted:
      return v1::EVENT_TYPE_DELETED;
    case PodEventType::kRetrying:
      return v1::EVENT_TYPE_RETRYING;
    case PodEventType::kWaiting:
      return v1::EVENT_TYPE_WAITING;
    case PodEventType::kRescheduled:
      return v1::EVENT_TYPE_RESCHEDULED;
    case PodEventType::kPreempted:
      return v1::EVENT_TYPE_PREEMPTED;
  }
  return v1::EVENT_TYPE_UNSPECIFIED;
}

void ToProto(const SequencedEvent& sequenced, uint64_t epoch, v1::PodEvent* out) {
  const PodEvent& e = sequenced.event;
  out->set_sequence(sequenced.sequence);
  out->set_epoch(epoch);
  out->set_type(ToProto(e.type));
  out->mutable_pod()->set_namespace_(e.pod_key.substr(0, e.namespace_length));
  out->mutable_pod()->set_name(e.pod_key.substr(e.namespace_length + 1));
  out->set_workflow_uid(e.workflow_uid);
  out->set_state(ToProto(e.state));
  const int64_t nanos = absl::ToUnixNanos(e.time);
  out->mutable_time()->set_seconds(nanos / 1'000'000'000);
  out->mutable_time()->set_nanos(static_cast<int32_t>(nanos % 1'000'000'000));
  if (!e.pod_uid.empty()) out->set_pod_uid(e.pod_uid);
  if (!e.reason.empty()) out->set_reason(e.reason);
  if (!e.message.empty()) out->set_message(e.message);
  out->set_attempt(e.attempt);
  if (e.submit_to_create_ms >= 0) {
    out->set_submit_to_create_ms(static_cast<uint64_t>(e.submit_to_create_ms));
  }
}

void ToProto(const EngineStatus& status, v1::GetStatusResponse* out) {
  out->set_queue_depth(status.queue_depth);
  out->set_queue_cap(status.queue_cap);
  out->set_backing_off(status.backing_off);
  out->set_deletes_queued(status.deletes_queued);
  v1::BudgetStatus* budget = out->mutable_budget();
  budget->set_qps(status.qps);
  budget->set_burst(status.burst);
  budget->set_tokens(status.tokens);
  budget->set_max_in_flight(status.max_in_flight);
  budget->set_in_flight(status.in_flight);
  budget->set_paused_ms(static_cast<uint64_t>(absl::ToInt64Milliseconds(status.paused_for)));
  budget->set_adaptive(status.adaptive);
  budget->set_slow_start(status.slow_start);
  budget->set_floor_qps(status.floor_qps);
  budget->set_ceiling_qps(status.ceiling_qps);
  budget->set_decreases_throttled(status.rate_decreases[0]);
  budget->set_decreases_latency(status.rate_decreases[1]);
  auto count = [&](IntentState s) { return status.state_counts[static_cast<int>(s)]; };
  v1::StateCounts* states = out->mutable_states();
  states->set_queued(count(IntentState::kQueued) + count(IntentState::kBackoff));
  states->set_dispatching(count(IntentState::kDispatching));
  states->set_created(count(IntentState::kCreated));
  states->set_scheduled(count(IntentState::kScheduled));
  states->set_running(count(IntentState::kRunning));
  states->set_succeeded(count(IntentState::kSucceeded));
  states->set_failed(count(IntentState::kFailed));
  states->set_create_failed(count(IntentState::kCreateFailed));
  states->set_cancelled(count(IntentState::kCancelled));
  states->set_deleted(count(IntentState::kDeleted));
  out->set_active_workflows(status.active_workflows);
  v1::FairnessStatus* fairness = out->mutable_fairness();
  fairness->set_measured(status.fairness_jain >= 0);
  if (status.fairness_jain >= 0) {
    fairness->set_jain_index(status.fairness_jain);
    fairness->set_backlogged_flows(status.fairness_flows);
    fairness->set_period_ms(
        static_cast<uint64_t>(absl::ToInt64Milliseconds(status.fairness_period)));
  }
  fairness->set_small_workflow_worst_wait_ms(
      static_cast<uint64_t>(absl::ToInt64Milliseconds(status.small_workflow_worst_wait)));
  for (const auto& ns : status.namespaces) {
    v1::NamespaceStatus* row = out->add_namespaces();
    row->set_namespace_(ns.name);
    row->set_queued(ns.queued);
    row->set_in_flight(ns.in_flight);
    row->set_workflows(ns.workflows);
    row->set_weight(ns.weight);
    row->set_blocked(ns.blocked);
    row->set_strict_fifo(ns.strict_fifo);
    for (const EngineStatus::Quota& quota : ns.quotas) {
      v1::QuotaStatus* q = row->add_quotas();
      q->set_name(quota.name);
      auto fill = [](const ResourceList& list,
                     google::protobuf::Map<std::string, std::string>* map) {
        for (const ResourceList::Entry& e : list) (*map)[e.name] = e.quantity.String();
      };
      fill(quota.hard, q->mutable_hard());
      fill(quota.status_used, q->mutable_used());
      fill(quota.sluice_used, q->mutable_sluice_used());
      fill(quota.in_flight, q->mutable_in_flight());
      fill(quota.headroom, q->mutable_headroom());
      q->set_status_known(quota.status_known);
      for (const std::string& scope : quota.unevaluated_scopes) q->add_unevaluated_scopes(scope);
    }
  }
}

void ToProto(const Engine::CapacityStatus& capacity, v1::GetCapacityResponse* out) {
  switch (capacity.default_policy) {
    case CapacityPolicy::kOnDemand:
      out->set_default_policy(v1::CAPACITY_POLICY_ON_DEMAND);
      break;
    case CapacityPolicy::kSpotOnly:
      out->set_default_policy(v1::CAPACITY_POLICY_SPOT_ONLY);
      break;
    default:
      out->set_default_policy(v1::CAPACITY_POLICY_SPOT_PREFERRED);
      break;
  }
  out->set_waiting_on_capacity(capacity.waiting);
  for (const Engine::PoolRow& row : capacity.pools) {
    const PoolTracker& pool = *row.pool;
    const PoolConfig& c = pool.config();
    v1::PoolStatus* p = out->add_pools();
    p->set_name(c.name);
    p->set_class_(std::string(PoolClassName(c.pool_class)));
    p->set_order(c.order);
    p->set_state(std::string(PoolStateName(row.state)));
    p->set_state_remaining_ms(static_cast<uint64_t>(absl::ToInt64Milliseconds(row.remaining)));
    p->set_used_vcpu(pool.used().vcpu.String());
    p->set_used_memory(pool.used().memory.String());
    p->set_used_gpu(pool.used().gpu.String());
    p->set_used_pods(static_cast<uint64_t>(pool.used().pods));
    p->set_in_flight_vcpu(pool.in_flight().vcpu.String());
    p->set_in_flight_pods(static_cast<uint64_t>(pool.in_flight().pods));
    if (c.max_vcpu) p->set_max_vcpu(c.max_vcpu->String());
    if (c.max_memory) p->set_max_memory(c.max_memory->String());
    if (c.max_gpu) p->set_max_gpu(c.max_gpu->String());
    if (c.max_pods) p->set_max_pods(static_cast<uint64_t>(*c.max_pods));
    p->set_stockouts(pool.stockouts());
    p->set_backoffs(pool.backoffs());
    p->set_interruptions(pool.interruptions());
    for (const auto& failure : pool.recent_failures()) {
      v1::PoolStatus::Failure* f = p->add_recent_failures();
      const int64_t nanos = absl::ToUnixNanos(failure.at);
      f->mutable_time()->set_seconds(nanos / 1'000'000'000);
      f->mutable_time()->set_nanos(static_cast<int32_t>(nanos % 1'000'000'000));
      f->set_reason(failure.reason);
      f->set_message(failure.message);
    }
    p->set_currency(c.currency);
    p->set_price_vcpu_hour(c.price_vcpu_hour);
    p->set_price_gib_hour(c.price_gib_hour);
    p->set_price_gpu_hour(c.price_gpu_hour);
  }
}

}  // namespace sluice
