#include "scheduler/common/log.h"

#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_cat.h"

namespace sluice::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<int> g_format{static_cast<int>(Format::kAuto)};
absl::Mutex g_write_mu(absl::kConstInit);

constexpr absl::string_view kLevelNames[] = {"trace", "debug", "info", "warn", "error"};

void AppendJsonString(std::string& out, absl::string_view s) {
  out.push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppend(&out, "\\u00", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

bool NeedsQuotes(absl::string_view s) {
  if (s.empty()) return true;
  for (char c : s) {
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
  }
  return false;
}

bool UseJson() {
  const Format f = static_cast<Format>(g_format.load(std::memory_order_relaxed));
  if (f == Format::kJson) return true;
  if (f == Format::kText) return false;
  static const bool tty = ::isatty(STDERR_FILENO) != 0;
  return !tty;
}

}  // namespace

Field::Field(absl::string_view k, int64_t v) : key(k), value(absl::StrCat(v)), quoted(false) {}
Field::Field(absl::string_view k, uint64_t v) : key(k), value(absl::StrCat(v)), quoted(false) {}
Field::Field(absl::string_view k, double v) : key(k), value(absl::StrCat(v)), quoted(false) {}

void SetLevel(Level level) { g_level.store(static_cast<int>(level)); }
void SetFormat(Format format) { g_format.store(static_cast<int>(format)); }

bool ParseLevel(absl::string_view name, Level* level) {
  for (int i = 0; i < 5; ++i) {
    if (kLevelNames[i] == name) {
      *level = static_cast<Level>(i);
      return true;
    }
  }
  return false;
}

bool Enabled(Level level) {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void Write(Level level, absl::string_view message, std::initializer_list<Field> fields) {
  const std::string ts = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  const absl::string_view level_name = kLevelNames[static_cast<int>(level)];
  std::string line;
  line.reserve(128);
  if (UseJson()) {
    absl::StrAppend(&line, "{\"ts\":\"", ts, "\",\"level\":\"", level_name, "\",\"msg\":");
    AppendJsonString(line, message);
    for (const Field& f : fields) {
      line.push_back(',');
      AppendJsonString(line, f.key);
      line.push_back(':');
      if (f.quoted) {
        AppendJsonString(line, f.value);
      } else {
        line += f.value;
      }
    }
    line += "}\n";
  } else {
    std::string upper(level_name);
    for (char& c : upper) c = static_cast<char>(c - 'a' + 'A');
    absl::StrAppend(&line, ts, " ", upper, " ", message);
    for (const Field& f : fields) {
      absl::StrAppend(&line, " ", f.key, "=");
      if (f.quoted && NeedsQuotes(f.value)) {
        AppendJsonString(line, f.value);
      } else {
        line += f.value;
      }
    }
    line.push_back('\n');
  }
  absl::MutexLock lock(&g_write_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

bool RateLimiter::Allow(uint64_t* suppressed) {
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&mu_);
  if (now - last_ < period_) {
    ++suppressed_;
    return false;
  }
  last_ = now;
  *suppressed = suppressed_;
  suppressed_ = 0;
  return true;
}

}  // namespace sluice::log
