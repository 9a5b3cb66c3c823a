#ifndef SLUICE_SCHEDULER_COST_BILLING_H_
#define SLUICE_SCHEDULER_COST_BILLING_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "scheduler/common/resource_list.h"
#include "scheduler/engine/pool.h"

namespace sluice::cost {

// A pool's billing rule and prices, exact. Prices are nano-units of
// `currency` per hour.
struct BillingRule {
  BillingStart start = BillingStart::kCreation;
  int64_t granularity_seconds = 1;  // >= 1
  int64_t minimum_seconds = 0;      // >= 0
  int64_t price_vcpu_nano_hour = 0;
  int64_t price_gib_nano_hour = 0;
  int64_t price_gpu_nano_hour = 0;

  bool operator==(const BillingRule&) const = default;
};

// The times billing can start from; absl::InfinitePast() when unknown.
struct PodTimes {
  absl::Time created = absl::InfinitePast();
  absl::Time scheduled = absl::InfinitePast();
  absl::Time first_container_start = absl::InfinitePast();
};

// When billing starts under `start`: the creation, PodScheduled=True or
// first container start time. Empty if that moment has not happened (a pod
// that never started is not billed under kRunning).
std::optional<absl::Time> BillingStartTime(BillingStart start, const PodTimes& times);

// The seconds billed for [start, end) once billing has started: the duration
// (0 if end <= start) rounded up to whole seconds, then up to a multiple of
// the granularity, then raised to the minimum.
//   BilledSeconds(t, t + 0.2 s, {granularity 1, minimum 0})  == 1
//   BilledSeconds(t, t + 61 s,  {granularity 60, minimum 0}) == 120
//   BilledSeconds(t, t + 5 s,   {granularity 1, minimum 60}) == 60
//   BilledSeconds(t, t,         {granularity 1, minimum 0})  == 0
int64_t BilledSeconds(absl::Time start, absl::Time end, const BillingRule& rule);

// What a pod is billed for: its requests, as serverless pools bill them.
struct BilledResources {
  int64_t vcpu_milli = 0;    // requests.cpu in milli-cores
  int64_t memory_bytes = 0;  // requests.memory in bytes, rounded up
  int64_t gpu_milli = 0;     // requests of every */gpu resource, in milli

  // From a pod's effective requests (values beyond int64 saturate).
  static BilledResources Of(const ResourceList& requests);
  bool operator==(const BilledResources&) const = default;
};

// The exact cost in nano-units, rounded up to a whole nano-unit:
//   ceil(seconds * (vcpu * P_vcpu + GiB * P_gib + gpu * P_gpu) / 3600)
// with vcpu = vcpu_milli/1000, GiB = memory_bytes/2^30, gpu = gpu_milli/1000,
// computed in 128-bit integers. OutOfRange if the result does not fit.
absl::StatusOr<int64_t> CostNano(const BilledResources& billed, const BillingRule& rule,
                                 int64_t billed_seconds);

}  // namespace sluice::cost

#endif  // SLUICE_SCHEDULER_COST_BILLING_H_
