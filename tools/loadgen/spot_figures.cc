#include "tools/loadgen/spot_figures.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "tools/loadgen/http_get.h"

namespace sluice::loadgen {
namespace {

std::string StringMember(const rapidjson::Value& object, const char* key) {
  auto it = object.FindMember(key);
  if (it == object.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

// An RFC 3339 member; nullopt when null or absent. An unparsable time is an error.
absl::Status TimeMember(const rapidjson::Value& object, const char* key,
                        std::optional<absl::Time>* out) {
  const std::string text = StringMember(object, key);
  if (text.empty()) return absl::OkStatus();
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("/sim/history: ", key, " \"", text, "\": ", error));
  }
  *out = t;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<HistoryPod>> ParseSimHistory(absl::string_view json,
                                                        absl::string_view run_id) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  const rapidjson::Value* pods = nullptr;
  if (!doc.HasParseError() && doc.IsArray()) {
    pods = &doc;
  } else if (!doc.HasParseError() && doc.IsObject()) {
    for (const char* key : {"pods", "items"}) {
      auto it = doc.FindMember(key);
      if (it != doc.MemberEnd() && it->value.IsArray()) pods = &it->value;
    }
  }
  if (pods == nullptr) return absl::InvalidArgumentError("/sim/history: not the expected JSON");
  std::vector<HistoryPod> out;
  for (const rapidjson::Value& p : pods->GetArray()) {
    if (!p.IsObject()) return absl::InvalidArgumentError("/sim/history: an entry is not an object");
    auto labels = p.FindMember("labels");
    if (labels == p.MemberEnd() || !labels->value.IsObject()) continue;
    if (StringMember(labels->value, "loadgen/run") != run_id) continue;
    HistoryPod pod;
    pod.namespace_ = StringMember(p, "namespace");
    pod.name = StringMember(p, "name");
    pod.uid = StringMember(p, "uid");
    pod.pool = StringMember(labels->value, "sluice.dev/pool");
    pod.reason = StringMember(p, "reason");
    for (auto [key, field] : {std::pair{"created", &pod.created},
                              {"creationTimestamp", &pod.creation_timestamp},
                              {"scheduled", &pod.scheduled},
                              {"started", &pod.started},
                              {"finished", &pod.finished},
                              {"deleted", &pod.deleted}}) {
      if (absl::Status s = TimeMember(p, key, field); !s.ok()) return s;
    }
    auto requests = p.FindMember("requestsMilli");
    if (requests != p.MemberEnd() && requests->value.IsObject()) {
      for (auto [key, field] : {std::pair{"cpu", &pod.cpu_milli}, {"memory", &pod.memory_milli}}) {
        auto it = requests->value.FindMember(key);
        if (it != requests->value.MemberEnd() && it->value.IsInt64()) *field = it->value.GetInt64();
      }
    }
    out.push_back(std::move(pod));
  }
  return out;
}

absl::StatusOr<std::vector<HistoryPod>> FetchSimHistory(const std::string& base_url,
                                                        absl::string_view run_id) {
  absl::StatusOr<std::string> body = HttpGet(base_url, "/sim/history", absl::Seconds(30));
  if (!body.ok()) return body.status();
  return ParseSimHistory(*body, run_id);
}

SpotFigures ComputeSpotFigures(const std::vector<HistoryPod>& history,
                               const std::vector<PodRecord>& records, const std::string& spot_pool,
                               absl::Time end) {
  SpotFigures f;
  absl::flat_hash_map<std::string, uint32_t> attempts_by_pod;
  for (const HistoryPod& pod : history) {
    ++f.attempts;
    if (++attempts_by_pod[absl::StrCat(pod.namespace_, "/", pod.name)] == 2) ++f.pods_recreated;
    if (!pod.started.has_value()) continue;
    absl::Time stop = end;
    if (pod.finished.has_value()) stop = std::min(stop, *pod.finished);
    if (pod.deleted.has_value()) stop = std::min(stop, *pod.deleted);
    const double seconds = std::max(0.0, absl::ToDoubleSeconds(stop - *pod.started));
    f.pod_seconds += seconds;
    if (pod.pool == spot_pool) f.spot_pod_seconds += seconds;
  }
  if (f.pod_seconds > 0) f.spot_share = f.spot_pod_seconds / f.pod_seconds;
  for (const PodRecord& r : records) {
    f.fallbacks += r.rescheduled_events;
    if (r.finished && r.terminal_event == v1::EVENT_TYPE_SUCCEEDED) {
      ++f.succeeded;
      continue;
    }
    if (r.finished && r.terminal_event == v1::EVENT_TYPE_PREEMPTED) ++f.preempted;
    const bool told = r.finished && !r.terminal_reason.empty() &&
                      (r.terminal_event == v1::EVENT_TYPE_FAILED ||
                       r.terminal_event == v1::EVENT_TYPE_PREEMPTED ||
                       r.terminal_event == v1::EVENT_TYPE_CREATE_FAILED);
    if (!told) ++f.pods_lost;
  }
  return f;
}

}  // namespace sluice::loadgen
