#include "scheduler/cost/billing.h"

#include <limits>

#include "absl/numeric/int128.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sluice::cost {
namespace {

int64_t SaturatedInt64(absl::int128 v) {
  if (v > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (v < 0) return 0;
  return static_cast<int64_t>(v);
}

// a * b, or false on overflow (both non-negative).
bool MulChecked(absl::uint128 a, absl::uint128 b, absl::uint128* out) {
  if (a != 0 && b > absl::Uint128Max() / a) return false;
  *out = a * b;
  return true;
}

bool AddChecked(absl::uint128 a, absl::uint128 b, absl::uint128* out) {
  if (b > absl::Uint128Max() - a) return false;
  *out = a + b;
  return true;
}

}  // namespace

std::optional<absl::Time> BillingStartTime(BillingStart start, const PodTimes& times) {
  absl::Time t = absl::InfinitePast();
  switch (start) {
    case BillingStart::kCreation:
      t = times.created;
      break;
    case BillingStart::kScheduled:
      t = times.scheduled;
      break;
    case BillingStart::kRunning:
      t = times.first_container_start;
      break;
  }
  if (t == absl::InfinitePast()) return std::nullopt;
  return t;
}

int64_t BilledSeconds(absl::Time start, absl::Time end, const BillingRule& rule) {
  int64_t seconds = 0;
  if (end > start) {
    const int64_t nanos = absl::ToInt64Nanoseconds(end - start);
    seconds = nanos / 1'000'000'000 + (nanos % 1'000'000'000 != 0 ? 1 : 0);
  }
  const int64_t granularity = rule.granularity_seconds < 1 ? 1 : rule.granularity_seconds;
  if (seconds % granularity != 0) seconds += granularity - seconds % granularity;
  if (seconds < rule.minimum_seconds) seconds = rule.minimum_seconds;
  return seconds;
}

BilledResources BilledResources::Of(const ResourceList& requests) {
  BilledResources b;
  b.vcpu_milli = requests.Get("cpu").MilliValue();
  // Bytes, rounded up: Value() rounds away from zero.
  b.memory_bytes = requests.Get("memory").Value();
  absl::int128 gpu_nanos = 0;
  for (const ResourceList::Entry& e : requests) {
    if (absl::EndsWith(e.name, "/gpu")) gpu_nanos += e.quantity.nanos();
  }
  b.gpu_milli = SaturatedInt64((gpu_nanos + 999'999) / 1'000'000);
  if (b.vcpu_milli < 0) b.vcpu_milli = 0;
  if (b.memory_bytes < 0) b.memory_bytes = 0;
  return b;
}

absl::StatusOr<int64_t> CostNano(const BilledResources& billed, const BillingRule& rule,
                                 int64_t billed_seconds) {
  if (billed.vcpu_milli < 0 || billed.memory_bytes < 0 || billed.gpu_milli < 0 ||
      billed_seconds < 0 || rule.price_vcpu_nano_hour < 0 || rule.price_gib_nano_hour < 0 ||
      rule.price_gpu_nano_hour < 0) {
    return absl::InvalidArgumentError("negative quantity, price or duration");
  }
  // Over the common denominator 3600 s/h * 1000 milli * 2^30 bytes/GiB:
  //   rate = vcpu_milli * Pv * 2^30 + memory_bytes * Pm * 1000 + gpu_milli * Pg * 2^30
  constexpr uint64_t kGiB = uint64_t{1} << 30;
  const absl::uint128 denominator = absl::uint128{3600} * 1000 * kGiB;
  auto u = [](int64_t v) { return absl::uint128{static_cast<uint64_t>(v)}; };
  absl::uint128 cpu = 0;
  absl::uint128 mem = 0;
  absl::uint128 gpu = 0;
  absl::uint128 rate = 0;
  absl::uint128 total = 0;
  const bool ok = MulChecked(u(billed.vcpu_milli), u(rule.price_vcpu_nano_hour), &cpu) &&
                  MulChecked(cpu, kGiB, &cpu) &&
                  MulChecked(u(billed.memory_bytes), u(rule.price_gib_nano_hour), &mem) &&
                  MulChecked(mem, 1000, &mem) &&
                  MulChecked(u(billed.gpu_milli), u(rule.price_gpu_nano_hour), &gpu) &&
                  MulChecked(gpu, kGiB, &gpu) && AddChecked(cpu, mem, &rate) &&
                  AddChecked(rate, gpu, &rate) && MulChecked(rate, u(billed_seconds), &total);
  if (!ok) return absl::OutOfRangeError("cost overflows 128 bits");
  const absl::uint128 cost = total / denominator + (total % denominator != 0 ? 1 : 0);
  if (cost > absl::uint128{static_cast<uint64_t>(std::numeric_limits<int64_t>::max())}) {
    return absl::OutOfRangeError(absl::StrCat("cost above 2^63 nano-units"));
  }
  return static_cast<int64_t>(absl::Uint128Low64(cost));
}

}  // namespace sluice::cost
