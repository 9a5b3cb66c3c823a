#ifndef SLUICE_SCHEDULER_SERVER_COST_PROTO_H_
#define SLUICE_SCHEDULER_SERVER_COST_PROTO_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "scheduler/cost/cost_query.h"
#include "sluice/v1/scheduler.pb.h"

namespace sluice {

// GetCost's request as a cost query (InvalidArgument for a label grouping
// without a key, or a window that ends before it starts).
absl::StatusOr<cost::CostQuery> FromProto(const v1::GetCostRequest& request);
void ToProto(const cost::CostReport& report, absl::Time now, v1::GetCostResponse* out);
void ToProto(const cost::CostRecord& record, v1::CostAttempt* out);

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_SERVER_COST_PROTO_H_
