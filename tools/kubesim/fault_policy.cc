#include "tools/kubesim/fault_policy.h"

#include <cmath>

#include "absl/status/status.h"
#include "rapidjson/document.h"
#include "tools/kubesim/json_parse.h"
#include "tools/kubesim/json_writer.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {
namespace {

// The JSON keys of the shares, with their field.
struct RateKey {
  const char* key;
  double FaultSettings::*field;
};
constexpr RateKey kRates[] = {
    {"rate_500", &FaultSettings::rate_500},
    {"rate_503", &FaultSettings::rate_503},
    {"rate_429", &FaultSettings::rate_429},
    {"reset_before_rate", &FaultSettings::reset_before_rate},
    {"reset_after_rate", &FaultSettings::reset_after_rate},
    {"drop_after_headers_rate", &FaultSettings::drop_after_headers_rate},
    {"create_5xx_rate", &FaultSettings::create_5xx_rate},
    {"spike_rate", &FaultSettings::spike_rate},
    {"watch_410_rate", &FaultSettings::watch_410_rate},
};

// The JSON keys of the durations, with their field and unit.
struct DurationKey {
  const char* key;
  absl::Duration FaultSettings::*field;
  absl::Duration unit;
};
const DurationKey kDurations[] = {
    {"latency_ms", &FaultSettings::latency, absl::Milliseconds(1)},
    {"latency_jitter_ms", &FaultSettings::latency_jitter, absl::Milliseconds(1)},
    {"spike_ms", &FaultSettings::spike, absl::Milliseconds(1)},
    {"watch_cut_s", &FaultSettings::watch_cut, absl::Seconds(1)},
};

}  // namespace

absl::StatusOr<FaultSettings> ParseFaultSettingsJson(std::string_view json,
                                                     const FaultSettings& base) {
  rapidjson::Document doc;
  if (!ParseJson(json, &doc) || !doc.IsObject()) {
    return absl::InvalidArgumentError("faults: body must be a JSON object");
  }
  FaultSettings s = base;
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
    const std::string_view key = Str(it->name);
    const rapidjson::Value& v = it->value;
    bool known = false;
    for (const RateKey& r : kRates) {
      if (key != r.key) continue;
      known = true;
      if (!v.IsNumber() || !(v.GetDouble() >= 0 && v.GetDouble() <= 1)) {
        return absl::InvalidArgumentError(Cat("faults: ", key, " must be a number in [0, 1]"));
      }
      s.*r.field = v.GetDouble();
    }
    for (const DurationKey& d : kDurations) {
      if (key != d.key) continue;
      known = true;
      if (!v.IsNumber() || !(v.GetDouble() >= 0) || !std::isfinite(v.GetDouble())) {
        return absl::InvalidArgumentError(Cat("faults: ", key, " must be a number >= 0"));
      }
      s.*d.field = d.unit * v.GetDouble();
    }
    if (key == "retry_after_503_s") {
      known = true;
      if (!v.IsInt64() || v.GetInt64() < 1) {
        return absl::InvalidArgumentError("faults: retry_after_503_s must be an integer >= 1");
      }
      s.retry_after_503_s = v.GetInt64();
    }
    if (!known) return absl::InvalidArgumentError(Cat("faults: unknown key \"", key, "\""));
  }
  return s;
}

FaultPolicy::FaultPolicy(FaultSettings settings, uint64_t seed) : settings_(settings), rng_(seed) {}

FaultSettings FaultPolicy::settings() const {
  absl::MutexLock lock(&mu_);
  return settings_;
}

void FaultPolicy::Set(const FaultSettings& settings) {
  absl::MutexLock lock(&mu_);
  settings_ = settings;
}

bool FaultPolicy::Draw(double rate) {
  if (rate <= 0) return false;  // no draw: zero shares leave the sequence alone
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < rate;
}

RequestFaults FaultPolicy::PlanRequest(bool mutating, bool watch, bool pod_create) {
  absl::MutexLock lock(&mu_);
  const FaultSettings& s = settings_;
  RequestFaults f;
  if (Draw(s.reset_before_rate)) {
    f.before = RequestFaults::Before::kReset;
    ++counts_.reset_before;
  } else if (Draw(s.rate_500)) {
    f.before = RequestFaults::Before::k500;
    ++counts_.answered_500;
  } else if (Draw(s.rate_503)) {
    f.before = RequestFaults::Before::k503;
    f.retry_after_503_s = s.retry_after_503_s;
    ++counts_.answered_503;
  } else if (mutating && Draw(s.rate_429)) {
    f.before = RequestFaults::Before::k429;
    ++counts_.answered_429;
  }
  if (f.before == RequestFaults::Before::kNone) {
    if (pod_create && Draw(s.create_5xx_rate)) {
      f.create_5xx = true;
      ++counts_.create_5xx;
    } else if (!watch && Draw(s.reset_after_rate)) {
      f.reset_after = true;
      ++counts_.reset_after;
    } else if (!watch && Draw(s.drop_after_headers_rate)) {
      f.drop_after_headers = true;
      ++counts_.dropped_after_headers;
    }
  }
  f.delay = s.latency;
  if (s.latency_jitter > absl::ZeroDuration()) {
    f.delay += s.latency_jitter * std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  }
  if (Draw(s.spike_rate)) {
    f.delay += s.spike;
    f.spiked = true;
    ++counts_.spikes;
  }
  return f;
}

WatchFaults FaultPolicy::PlanWatch(bool resumes) {
  absl::MutexLock lock(&mu_);
  WatchFaults w;
  if (resumes && Draw(settings_.watch_410_rate)) {
    w.expire_410 = true;
    ++counts_.watches_expired;
  }
  w.cut_after = settings_.watch_cut;
  return w;
}

void FaultPolicy::RecordWatchCut() {
  absl::MutexLock lock(&mu_);
  ++counts_.watches_cut;
}

FaultCounts FaultPolicy::counts() const {
  absl::MutexLock lock(&mu_);
  return counts_;
}

std::string FaultPolicy::Json() const {
  const FaultSettings s = settings();
  const FaultCounts c = counts();
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("settings");
  w.BeginObject();
  for (const RateKey& r : kRates) {
    w.Key(r.key);
    w.Double(s.*r.field);
  }
  w.KeyInt("retry_after_503_s", s.retry_after_503_s);
  for (const DurationKey& d : kDurations) {
    w.Key(d.key);
    w.Double(absl::FDivDuration(s.*d.field, d.unit));
  }
  w.EndObject();
  w.Key("injected");
  w.BeginObject();
  w.KeyInt("answered_500", c.answered_500);
  w.KeyInt("answered_503", c.answered_503);
  w.KeyInt("answered_429", c.answered_429);
  w.KeyInt("reset_before", c.reset_before);
  w.KeyInt("reset_after", c.reset_after);
  w.KeyInt("dropped_after_headers", c.dropped_after_headers);
  w.KeyInt("create_5xx", c.create_5xx);
  w.KeyInt("spikes", c.spikes);
  w.KeyInt("watches_cut", c.watches_cut);
  w.KeyInt("watches_expired", c.watches_expired);
  w.EndObject();
  w.EndObject();
  return out;
}

}  // namespace sluice::kubesim
