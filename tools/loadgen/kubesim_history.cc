#include "tools/loadgen/kubesim_history.h"

#include "rapidjson/document.h"
#include "tools/loadgen/http_get.h"

namespace sluice::loadgen {

absl::StatusOr<std::vector<std::optional<absl::Time>>> ParseCreateTimes(absl::string_view json,
                                                                        const WorkloadPlan& plan) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsArray()) {
    return absl::InvalidArgumentError("/sim/history: not a JSON array");
  }
  std::vector<std::optional<absl::Time>> out(plan.pod_count());
  for (const rapidjson::Value& p : doc.GetArray()) {
    if (!p.IsObject() || !p.HasMember("namespace") || !p.HasMember("name") ||
        !p["namespace"].IsString() || !p["name"].IsString()) {
      continue;
    }
    std::optional<uint32_t> pod = plan.FindPod(p["namespace"].GetString(), p["name"].GetString());
    if (!pod.has_value() || !p.HasMember("created") || !p["created"].IsString()) continue;
    absl::Time t;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, p["created"].GetString(), &t, &error)) {
      return absl::InvalidArgumentError("/sim/history: bad created time: " + error);
    }
    if (!out[*pod].has_value() || t < *out[*pod]) out[*pod] = t;
  }
  return out;
}

absl::StatusOr<std::vector<std::optional<absl::Time>>> FetchCreateTimes(const std::string& base_url,
                                                                        const WorkloadPlan& plan) {
  absl::StatusOr<std::string> body = HttpGet(base_url, "/sim/history", absl::Seconds(60));
  if (!body.ok()) return body.status();
  return ParseCreateTimes(*body, plan);
}

}  // namespace sluice::loadgen
