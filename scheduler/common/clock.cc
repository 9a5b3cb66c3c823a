#include "scheduler/common/clock.h"

#include <time.h>

#include <cassert>

namespace sluice {

absl::Time RealClock::WallNow() const { return absl::Now(); }

MonoTime RealClock::MonoNow() const {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return MonoTime::FromNanos(static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec);
}

RealClock& RealClock::Get() {
  static RealClock* clock = new RealClock();
  return *clock;
}

SimulatedClock::SimulatedClock(absl::Time wall_origin) : wall_origin_(wall_origin) {}

absl::Time SimulatedClock::WallNow() const {
  absl::MutexLock lock(&mu_);
  return wall_origin_ + absl::Nanoseconds(now_.nanos());
}

MonoTime SimulatedClock::MonoNow() const {
  absl::MutexLock lock(&mu_);
  return now_;
}

void SimulatedClock::Advance(absl::Duration d) {
  assert(d >= absl::ZeroDuration());
  absl::MutexLock lock(&mu_);
  now_ += d;
}

void SimulatedClock::AdvanceTo(MonoTime t) {
  absl::MutexLock lock(&mu_);
  if (t > now_) now_ = t;
}

}  // namespace sluice
