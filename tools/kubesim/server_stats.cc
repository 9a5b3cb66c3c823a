#include "tools/kubesim/server_stats.h"

#include "tools/kubesim/json_writer.h"
#include "tools/kubesim/strings.h"
#include "tools/kubesim/time_format.h"

namespace sluice::kubesim {

ServerStats::ServerStats(const Clock& clock) : clock_(clock), since_(clock.WallNow()) {}

void ServerStats::SlidingMax::Add(MonoTime now) {
  window.push_back(now);
  while (now - window.front() >= absl::Seconds(1)) window.pop_front();
  max = std::max(max, static_cast<int64_t>(window.size()));
}

void ServerStats::RecordRequest(std::string_view verb, int code) {
  absl::MutexLock lock(&mu_);
  ++requests_[std::string(verb)][code];
}

void ServerStats::RecordMutating(bool admitted) {
  const MonoTime now = clock_.MonoNow();
  absl::MutexLock lock(&mu_);
  ++mutating_;
  all_mutating_.Add(now);
  if (admitted) admitted_mutating_.Add(now);
}

void ServerStats::WriteJson(JsonWriter& w) const {
  absl::MutexLock lock(&mu_);
  int64_t total = 0, s429 = 0, s403 = 0, s409 = 0, s5xx = 0;
  w.Key("requests");
  w.BeginObject();
  for (const auto& [verb, codes] : requests_) {
    w.Key(verb);
    w.BeginObject();
    for (const auto& [code, n] : codes) {
      w.KeyInt(Cat(code), n);
      total += n;
      if (code == 429) s429 += n;
      if (code == 403) s403 += n;
      if (code == 409) s409 += n;
      if (code >= 500) s5xx += n;
    }
    w.EndObject();
  }
  w.EndObject();
  auto count = [&](std::string_view verb, int code) -> int64_t {
    auto v = requests_.find(std::string(verb));
    if (v == requests_.end()) return 0;
    auto c = v->second.find(code);
    return c == v->second.end() ? 0 : c->second;
  };
  w.KeyInt("requests_total", total);
  w.KeyInt("creates_accepted", count("create", 201));
  w.KeyInt("duplicates_refused", count("create", 409));
  w.KeyInt("rejected_429", s429);
  w.KeyInt("forbidden_403", s403);
  w.KeyInt("conflict_409", s409);
  w.KeyInt("server_error_5xx", s5xx);
  w.KeyInt("mutating_requests", mutating_);
  w.KeyInt("max_mutating_per_second", all_mutating_.max);
  w.KeyInt("max_admitted_mutating_per_second", admitted_mutating_.max);
  w.KeyInt("dropped_connections", dropped_connections_.load());
  w.KeyInt("watchers", watchers_.load());
  w.KeyInt("watch_events_sent", watch_events_.load());
  w.KeyString("since", FormatRfc3339Nanos(since_));
}

void ServerStats::Reset() {
  absl::MutexLock lock(&mu_);
  requests_.clear();
  all_mutating_ = SlidingMax();
  admitted_mutating_ = SlidingMax();
  mutating_ = 0;
  since_ = clock_.WallNow();
  dropped_connections_.store(0);
  watch_events_.store(0);
}

}  // namespace sluice::kubesim
