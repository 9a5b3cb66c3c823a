#include "scheduler/engine/pool.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/match.h"

namespace sluice {
namespace {

constexpr size_t kFailuresKept = 10;

bool Contains(const std::vector<std::string>& names, absl::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

absl::string_view PoolClassName(PoolClass c) {
  return c == PoolClass::kSpot ? "spot" : "on-demand";
}

absl::string_view CapacityPolicyName(CapacityPolicy policy) {
  switch (policy) {
    case CapacityPolicy::kDefault:
      return "default";
    case CapacityPolicy::kOnDemand:
      return "ON_DEMAND";
    case CapacityPolicy::kSpotPreferred:
      return "SPOT_PREFERRED";
    case CapacityPolicy::kSpotOnly:
      return "SPOT_ONLY";
  }
  return "unknown";
}

absl::string_view BillingStartName(BillingStart start) {
  switch (start) {
    case BillingStart::kCreation:
      return "creation";
    case BillingStart::kScheduled:
      return "scheduled";
    case BillingStart::kRunning:
      return "running";
  }
  return "unknown";
}

absl::string_view PoolStateName(PoolStateKind kind) {
  switch (kind) {
    case PoolStateKind::kAvailable:
      return "Available";
    case PoolStateKind::kUnavailable:
      return "Unavailable";
    case PoolStateKind::kBackedOff:
      return "BackedOff";
    case PoolStateKind::kDraining:
      return "Draining";
  }
  return "Unknown";
}

PoolUsage PoolUsage::Of(const ResourceList& requests) {
  PoolUsage usage;
  usage.vcpu = requests.Get("cpu");
  usage.memory = requests.Get("memory");
  for (const ResourceList::Entry& e : requests) {
    if (absl::EndsWith(e.name, "/gpu")) usage.gpu += e.quantity;
  }
  usage.pods = 1;
  return usage;
}

void PoolUsage::Add(const PoolUsage& other) {
  vcpu += other.vcpu;
  memory += other.memory;
  gpu += other.gpu;
  pods += other.pods;
}

void PoolUsage::Sub(const PoolUsage& other) {
  auto floor = [](Quantity q) { return q.Sign() < 0 ? Quantity() : q; };
  vcpu = floor(vcpu - other.vcpu);
  memory = floor(memory - other.memory);
  gpu = floor(gpu - other.gpu);
  pods = std::max<int64_t>(0, pods - other.pods);
}

PoolTracker::PoolTracker(PoolConfig config, const PoolTimers* timers)
    : config_(std::move(config)), timers_(timers), next_backoff_(timers->backoff_initial) {}

PoolStateKind PoolTracker::State(MonoTime now) {
  if (kind_ != PoolStateKind::kAvailable && now >= state_ends_) {
    kind_ = PoolStateKind::kAvailable;
    state_ends_ = MonoTime::Infinite();
  }
  return kind_;
}

void PoolTracker::Enter(PoolStateKind kind, MonoTime until) {
  // A longer restriction already running stands.
  if (kind_ != PoolStateKind::kAvailable && state_ends_ > until &&
      !(kind_ == PoolStateKind::kDraining && kind != PoolStateKind::kDraining)) {
    return;
  }
  kind_ = kind;
  state_ends_ = until;
}

void PoolTracker::Record(absl::Time wall, absl::string_view reason, absl::string_view message) {
  failures_.push_back({wall, std::string(reason), std::string(message)});
  while (failures_.size() > kFailuresKept) failures_.pop_front();
}

void PoolTracker::MarkStockOut(MonoTime now, absl::Time wall, absl::string_view reason,
                               absl::string_view message) {
  State(now);
  ++stockouts_;
  Record(wall, reason, message);
  // Re-marking resets the TTL.
  if (kind_ == PoolStateKind::kUnavailable) {
    state_ends_ = now + timers_->unavailable_ttl;
  } else {
    Enter(PoolStateKind::kUnavailable, now + timers_->unavailable_ttl);
  }
}

void PoolTracker::MarkFailure(MonoTime now, absl::Time wall, absl::string_view reason,
                              absl::string_view message) {
  State(now);
  Record(wall, reason, message);
  if (!last_failure_.is_infinite() && now - last_failure_ >= timers_->backoff_reset_after) {
    next_backoff_ = timers_->backoff_initial;
  }
  last_failure_ = now;
  if (kind_ == PoolStateKind::kBackedOff) return;  // no escalation while one is active
  ++backoffs_;
  Enter(PoolStateKind::kBackedOff, now + next_backoff_);
  next_backoff_ = std::min(next_backoff_ * 2, timers_->backoff_max);
}

void PoolTracker::MarkInterruption(MonoTime now, absl::Time wall, absl::string_view reason,
                                   absl::string_view message) {
  State(now);
  ++interruptions_;
  Record(wall, reason, message);
  recent_notices_.push_back(now);
  while (!recent_notices_.empty() && recent_notices_.front() <= now - timers_->draining_window) {
    recent_notices_.pop_front();
  }
  const double needed =
      std::max(1.0, std::ceil(timers_->draining_threshold * static_cast<double>(used_.pods)));
  if (static_cast<double>(recent_notices_.size()) < needed) return;
  if (kind_ == PoolStateKind::kDraining) {
    state_ends_ = now + timers_->draining_ttl;
  } else {
    Enter(PoolStateKind::kDraining, now + timers_->draining_ttl);
  }
}

bool PoolTracker::Fits(const PoolUsage& usage) const {
  auto within = [](const std::optional<Quantity>& limit, const Quantity& used,
                   const Quantity& in_flight, const Quantity& need) {
    return !limit.has_value() || need.IsZero() || used + in_flight + need <= *limit;
  };
  if (!within(config_.max_vcpu, used_.vcpu, in_flight_.vcpu, usage.vcpu)) return false;
  if (!within(config_.max_memory, used_.memory, in_flight_.memory, usage.memory)) return false;
  if (!within(config_.max_gpu, used_.gpu, in_flight_.gpu, usage.gpu)) return false;
  if (config_.max_pods.has_value() &&
      used_.pods + in_flight_.pods + usage.pods > *config_.max_pods) {
    return false;
  }
  return true;
}

std::vector<PoolTracker*> CandidatePools(std::vector<PoolTracker*> pools, CapacityPolicy policy,
                                         const std::vector<std::string>& allowed,
                                         const std::vector<std::string>& excluded) {
  auto rank = [policy](const PoolTracker* p) {
    const bool spot = p->config().pool_class == PoolClass::kSpot;
    switch (policy) {
      case CapacityPolicy::kOnDemand:
        return spot ? -1 : 0;
      case CapacityPolicy::kSpotOnly:
        return spot ? 0 : -1;
      default:  // spot preferred
        return spot ? 0 : 1;
    }
  };
  std::vector<PoolTracker*> out;
  for (PoolTracker* p : pools) {
    if (rank(p) < 0) continue;
    if (!allowed.empty() && !Contains(allowed, p->name())) continue;
    if (Contains(excluded, p->name())) continue;
    out.push_back(p);
  }
  std::sort(out.begin(), out.end(), [&rank](const PoolTracker* a, const PoolTracker* b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    if (a->config().order != b->config().order) return a->config().order < b->config().order;
    return a->name() < b->name();
  });
  return out;
}

}  // namespace sluice
