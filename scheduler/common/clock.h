#ifndef SLUICE_SCHEDULER_COMMON_CLOCK_H_
#define SLUICE_SCHEDULER_COMMON_CLOCK_H_

#include <cstdint>
#include <limits>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sluice {

// A point on a monotonic time line with nanosecond resolution. The origin is
// arbitrary (process start for the real clock, zero for a simulated one): only
// differences mean anything. Kept distinct from absl::Time so that wall and
// monotonic readings cannot be mixed by accident.
class MonoTime {
 public:
  constexpr MonoTime() = default;
  static constexpr MonoTime FromNanos(int64_t nanos) { return MonoTime(nanos); }
  static constexpr MonoTime Zero() { return MonoTime(0); }
  // Later than every reachable time; used for "never".
  static constexpr MonoTime Infinite() {
    return MonoTime(std::numeric_limits<int64_t>::max());
  }

  constexpr int64_t nanos() const { return nanos_; }
  constexpr bool is_infinite() const { return nanos_ == std::numeric_limits<int64_t>::max(); }

  friend MonoTime operator+(MonoTime t, absl::Duration d) {
    if (t.is_infinite() || d == absl::InfiniteDuration()) return Infinite();
    return MonoTime(t.nanos_ + absl::ToInt64Nanoseconds(d));
  }
  friend MonoTime operator-(MonoTime t, absl::Duration d) {
    return MonoTime(t.nanos_ - absl::ToInt64Nanoseconds(d));
  }
  friend absl::Duration operator-(MonoTime a, MonoTime b) {
    if (a.is_infinite()) return absl::InfiniteDuration();
    return absl::Nanoseconds(a.nanos_ - b.nanos_);
  }
  MonoTime& operator+=(absl::Duration d) { return *this = *this + d; }

  friend constexpr bool operator==(MonoTime a, MonoTime b) { return a.nanos_ == b.nanos_; }
  friend constexpr auto operator<=>(MonoTime a, MonoTime b) { return a.nanos_ <=> b.nanos_; }

 private:
  explicit constexpr MonoTime(int64_t nanos) : nanos_(nanos) {}
  int64_t nanos_ = 0;
};

// The only source of time for code under scheduler/. Wall time is for records
// people read (events, the cost ledger); monotonic time is for every interval
// and deadline. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time WallNow() const = 0;
  virtual MonoTime MonoNow() const = 0;
};

// The process's real clocks (CLOCK_REALTIME and CLOCK_MONOTONIC).
class RealClock final : public Clock {
 public:
  absl::Time WallNow() const override;
  MonoTime MonoNow() const override;
  // A process-wide instance.
  static RealClock& Get();
};

// A clock that moves only when told to. Both readings advance together, so the
// wall reading is always wall_origin + (mono - 0). Thread-safe.
//
// Example:
//   SimulatedClock clock;
//   TokenBucket bucket(&clock, ...);
//   clock.Advance(absl::Milliseconds(999));
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(absl::Time wall_origin = absl::FromUnixSeconds(1'700'000'000));

  absl::Time WallNow() const override;
  MonoTime MonoNow() const override;

  // REQUIRES: d >= 0.
  void Advance(absl::Duration d);
  // Moves to `t` if it is later than now; never moves backwards.
  void AdvanceTo(MonoTime t);

 private:
  const absl::Time wall_origin_;
  mutable absl::Mutex mu_;
  MonoTime now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_COMMON_CLOCK_H_
