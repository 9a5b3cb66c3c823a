#include "tools/loadgen/restart_protocol.h"

namespace sluice::loadgen {

bool EpochWatch::Observe(uint64_t epoch) {
  if (epoch == 0) return false;
  absl::MutexLock lock(&mu_);
  if (!seen_.insert(epoch).second) return false;
  current_ = epoch;
  return true;
}

uint64_t EpochWatch::current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

uint64_t EpochWatch::restarts_seen() const {
  absl::MutexLock lock(&mu_);
  return seen_.empty() ? 0 : seen_.size() - 1;
}

std::vector<uint32_t> PodsToSubmit(const std::vector<PodRecord>& records,
                                   absl::Span<const uint32_t> intended, uint64_t trusted_epoch,
                                   WaitFor wait_for) {
  std::vector<uint32_t> out;
  for (uint32_t pod : intended) {
    const PodRecord& r = records[pod];
    if (IsSettled(r, wait_for)) continue;
    if (trusted_epoch != 0 && r.held_epoch == trusted_epoch) continue;
    out.push_back(pod);
  }
  return out;
}

}  // namespace sluice::loadgen
