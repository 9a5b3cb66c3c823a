#include "tools/loadgen/kubesim_stats.h"

#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "tools/loadgen/http_get.h"

namespace sluice::loadgen {

absl::StatusOr<ApiServerCounts> ParseKubesimStats(absl::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    return absl::InvalidArgumentError("/sim/stats: not a JSON object");
  }
  ApiServerCounts c;
  struct Field {
    const char* name;
    int64_t* out;
  };
  const Field fields[] = {
      {"requests_total", &c.requests},
      {"creates_accepted", &c.creates},
      {"conflict_409", &c.status_409},
      {"rejected_429", &c.status_429},
      {"forbidden_403", &c.status_403},
      {"server_error_5xx", &c.status_5xx},
      {"mutating_requests", &c.mutating_requests},
      {"max_admitted_mutating_per_second", &c.max_admitted_mutating_per_second},
      {"max_mutating_per_second", &c.max_mutating_per_second},
  };
  for (const Field& f : fields) {
    auto it = doc.FindMember(f.name);
    if (it == doc.MemberEnd() || !it->value.IsInt64()) {
      return absl::InvalidArgumentError(absl::StrCat("/sim/stats: no integer '", f.name, "'"));
    }
    *f.out = it->value.GetInt64();
  }
  return c;
}

absl::StatusOr<ApiServerCounts> FetchKubesimStats(const std::string& base_url) {
  absl::StatusOr<std::string> body = HttpGet(base_url, "/sim/stats");
  if (!body.ok()) return body.status();
  return ParseKubesimStats(*body);
}

ApiServerCounts CountsBetween(const ApiServerCounts& start, const ApiServerCounts& end) {
  ApiServerCounts d = end;
  d.requests -= start.requests;
  d.creates -= start.creates;
  d.status_409 -= start.status_409;
  d.status_429 -= start.status_429;
  d.status_403 -= start.status_403;
  d.status_5xx -= start.status_5xx;
  d.mutating_requests -= start.mutating_requests;
  return d;
}

}  // namespace sluice::loadgen
