#include "scheduler/server/cost_proto.h"

#include <string>

namespace sluice {
namespace {

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t nanos = absl::ToUnixNanos(t);
  int64_t seconds = nanos / 1'000'000'000;
  int64_t rest = nanos % 1'000'000'000;
  if (rest < 0) {
    rest += 1'000'000'000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rest));
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

}  // namespace

absl::StatusOr<cost::CostQuery> FromProto(const v1::GetCostRequest& request) {
  cost::CostQuery q;
  switch (request.group_by()) {
    case v1::COST_GROUP_BY_NAMESPACE:
      q.group_by = cost::GroupBy::kNamespace;
      break;
    case v1::COST_GROUP_BY_POOL:
      q.group_by = cost::GroupBy::kPool;
      break;
    case v1::COST_GROUP_BY_CLASS:
      q.group_by = cost::GroupBy::kClass;
      break;
    case v1::COST_GROUP_BY_LABEL:
      q.group_by = cost::GroupBy::kLabel;
      if (request.label_key().empty()) {
        return absl::InvalidArgumentError("label_key: required to group by a label");
      }
      q.label_key = request.label_key();
      break;
    case v1::COST_GROUP_BY_POD:
      q.group_by = cost::GroupBy::kPod;
      break;
    default:
      q.group_by = cost::GroupBy::kWorkflow;
      break;
  }
  if (request.has_since()) q.since = FromTimestamp(request.since());
  if (request.has_until()) q.until = FromTimestamp(request.until());
  if (q.until < q.since) return absl::InvalidArgumentError("until: before since");
  q.workflow_uid = request.workflow_uid();
  q.currency = request.currency();
  q.top = request.top();
  return q;
}

void ToProto(const cost::CostRecord& r, v1::CostAttempt* out) {
  out->set_pod_uid(r.pod_uid);
  out->mutable_pod()->set_namespace_(r.pod_namespace);
  out->mutable_pod()->set_name(r.pod_name);
  out->set_workflow_uid(r.workflow_uid);
  out->set_workflow_name(r.workflow_name);
  out->set_workflow_namespace(r.workflow_namespace);
  for (const auto& [key, value] : r.labels) (*out->mutable_labels())[key] = value;
  out->set_pool(r.pool);
  out->set_pool_class(r.pool_class);
  out->set_currency(r.currency);
  out->set_vcpu_milli(r.billed.vcpu_milli);
  out->set_memory_bytes(r.billed.memory_bytes);
  out->set_gpu_milli(r.billed.gpu_milli);
  out->set_billing_start_rule(std::string(BillingStartName(r.rule.start)));
  out->set_granularity_seconds(r.rule.granularity_seconds);
  out->set_minimum_seconds(r.rule.minimum_seconds);
  out->set_price_vcpu_nano_hour(r.rule.price_vcpu_nano_hour);
  out->set_price_gib_nano_hour(r.rule.price_gib_nano_hour);
  out->set_price_gpu_nano_hour(r.rule.price_gpu_nano_hour);
  if (r.created != absl::InfinitePast()) SetTime(r.created, out->mutable_created());
  if (r.billing_started()) SetTime(r.billing_start, out->mutable_billing_start());
  if (r.ended()) SetTime(r.billing_end, out->mutable_billing_end());
  out->set_billed_seconds(r.billed_seconds);
  out->set_cost_nano(r.cost_nano);
  out->set_end_reason(std::string(cost::EndReasonName(r.end_reason)));
}

void ToProto(const cost::CostReport& report, absl::Time now, v1::GetCostResponse* out) {
  for (const cost::CostGroup& g : report.groups) {
    v1::CostGroup* p = out->add_groups();
    p->set_key(g.key);
    p->set_currency(g.currency);
    p->set_cost_nano(g.cost_nano);
    p->set_attempts(g.attempts);
    p->set_running(g.running);
    p->set_billed_seconds(g.billed_seconds);
    p->set_workflow_name(g.workflow_name);
    p->set_workflow_namespace(g.workflow_namespace);
  }
  for (const cost::CostTotal& t : report.totals) {
    v1::CostTotal* p = out->add_totals();
    p->set_currency(t.currency);
    p->set_cost_nano(t.cost_nano);
    p->set_attempts(t.attempts);
    p->set_running(t.running);
  }
  for (const cost::CostRecord& r : report.attempts) ToProto(r, out->add_attempts());
  SetTime(now, out->mutable_now());
}

}  // namespace sluice
