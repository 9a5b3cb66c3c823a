#ifndef SLUICE_SCHEDULER_COMMON_LOG_H_
#define SLUICE_SCHEDULER_COMMON_LOG_H_

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sluice::log {

enum class Level : int { kTrace = 0, kDebug = 1, kInfo = 2, kWarn = 3, kError = 4 };
enum class Format { kAuto, kJson, kText };

// One key=value of a structured record.
struct Field {
  Field(absl::string_view k, absl::string_view v) : key(k), value(v), quoted(true) {}
  Field(absl::string_view k, const std::string& v) : key(k), value(v), quoted(true) {}
  Field(absl::string_view k, const char* v) : key(k), value(v), quoted(true) {}
  Field(absl::string_view k, int64_t v);
  Field(absl::string_view k, uint64_t v);
  Field(absl::string_view k, int v) : Field(k, static_cast<int64_t>(v)) {}
  Field(absl::string_view k, unsigned v) : Field(k, static_cast<uint64_t>(v)) {}
  Field(absl::string_view k, double v);
  Field(absl::string_view k, bool v) : key(k), value(v ? "true" : "false"), quoted(false) {}
  Field(absl::string_view k, absl::Duration v)
      : key(k), value(absl::FormatDuration(v)), quoted(true) {}

  absl::string_view key;
  std::string value;
  bool quoted;
};

// Process-wide settings. kAuto writes JSON lines unless stderr is a terminal.
void SetLevel(Level level);
bool ParseLevel(absl::string_view name, Level* level);
void SetFormat(Format format);
bool Enabled(Level level);

// Writes one record to stderr: JSON `{"ts":..,"level":..,"msg":..,key:value..}`
// or text `TS LEVEL msg key=value ...`. Thread-safe. Never pass secrets.
void Write(Level level, absl::string_view message, std::initializer_list<Field> fields);

// Lets one record through per `period` at a call site and counts the rest,
// which the next record reports as `suppressed`. Thread-safe.
class RateLimiter {
 public:
  explicit RateLimiter(absl::Duration period) : period_(period) {}
  // True if a record may be written now; *suppressed is how many were held back.
  bool Allow(uint64_t* suppressed);

 private:
  const absl::Duration period_;
  absl::Mutex mu_;
  absl::Time last_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  uint64_t suppressed_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace sluice::log

#define SLUICE_LOG(level, message, ...)                                          \
  do {                                                                           \
    if (::sluice::log::Enabled(::sluice::log::Level::level)) {                   \
      ::sluice::log::Write(::sluice::log::Level::level, message, {__VA_ARGS__}); \
    }                                                                            \
  } while (0)

// At most one record per `period` from this call site; the next one says how
// many were suppressed.
#define SLUICE_LOG_EVERY(period, level, message, ...)                                 \
  do {                                                                                \
    if (::sluice::log::Enabled(::sluice::log::Level::level)) {                        \
      static ::sluice::log::RateLimiter sluice_log_limiter(period);                   \
      uint64_t sluice_log_suppressed = 0;                                             \
      if (sluice_log_limiter.Allow(&sluice_log_suppressed)) {                         \
        ::sluice::log::Write(::sluice::log::Level::level, message,                    \
                             {{"suppressed", sluice_log_suppressed}, ##__VA_ARGS__}); \
      }                                                                               \
    }                                                                                 \
  } while (0)

#endif  // SLUICE_SCHEDULER_COMMON_LOG_H_
