#include "tools/loadgen/quota_books.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "scheduler/common/quantity.h"
#include "tools/loadgen/http_get.h"

namespace sluice::loadgen {
namespace {

absl::Status ReadQuantities(const rapidjson::Value& object, std::map<std::string, int64_t>* out) {
  if (!object.IsObject()) return absl::OkStatus();  // absent: nothing
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    if (!it->value.IsString()) return absl::InvalidArgumentError("/sim/quotas: bad quantity");
    absl::StatusOr<Quantity> q = Quantity::Parse(it->value.GetString());
    if (!q.ok()) return q.status();
    (*out)[it->name.GetString()] = q->MilliValue();
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<QuotaBook>> ParseSimQuotas(absl::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("quotas") ||
      !doc["quotas"].IsArray()) {
    return absl::InvalidArgumentError("/sim/quotas: not the expected JSON");
  }
  std::vector<QuotaBook> books;
  for (const rapidjson::Value& q : doc["quotas"].GetArray()) {
    if (!q.IsObject() || !q.HasMember("namespace") || !q["namespace"].IsString()) {
      return absl::InvalidArgumentError("/sim/quotas: a quota without a namespace");
    }
    QuotaBook book;
    book.namespace_ = q["namespace"].GetString();
    if (q.HasMember("name") && q["name"].IsString()) book.name = q["name"].GetString();
    if (q.HasMember("hard")) {
      if (absl::Status s = ReadQuantities(q["hard"], &book.hard_milli); !s.ok()) return s;
    }
    if (q.HasMember("used")) {
      if (absl::Status s = ReadQuantities(q["used"], &book.used_milli); !s.ok()) return s;
    }
    books.push_back(std::move(book));
  }
  return books;
}

absl::StatusOr<std::vector<QuotaBook>> FetchSimQuotas(const std::string& base_url) {
  absl::StatusOr<std::string> body = HttpGet(base_url, "/sim/quotas", absl::Seconds(5));
  if (!body.ok()) return body.status();
  return ParseSimQuotas(*body);
}

std::optional<double> QuotaUtilization(const std::vector<QuotaBook>& books,
                                       const std::map<std::string, uint64_t>& outstanding_pods,
                                       int* namespaces_over_quota) {
  // Per namespace: the tightest pods quota, and the largest used/hard ratio.
  std::map<std::string, int64_t> pods_hard_milli;
  std::map<std::string, double> binding;
  for (const QuotaBook& b : books) {
    for (const char* key : {"pods", "count/pods"}) {
      auto it = b.hard_milli.find(key);
      if (it == b.hard_milli.end()) continue;
      auto [slot, inserted] = pods_hard_milli.emplace(b.namespace_, it->second);
      if (!inserted) slot->second = std::min(slot->second, it->second);
    }
    for (const auto& [resource, hard] : b.hard_milli) {
      if (hard <= 0) continue;
      auto used = b.used_milli.find(resource);
      const double ratio = used == b.used_milli.end()
                               ? 0
                               : static_cast<double>(used->second) / static_cast<double>(hard);
      double& worst = binding[b.namespace_];
      worst = std::max(worst, ratio);
    }
  }
  double sum = 0;
  int n = 0;
  for (const auto& [ns, hard] : pods_hard_milli) {
    auto demand = outstanding_pods.find(ns);
    if (demand == outstanding_pods.end()) continue;
    if (static_cast<double>(demand->second) * 1000.0 <= static_cast<double>(hard)) continue;
    sum += std::min(1.0, binding[ns]);
    ++n;
  }
  if (namespaces_over_quota != nullptr) *namespaces_over_quota = n;
  if (n == 0) return std::nullopt;
  return sum / n;
}

}  // namespace sluice::loadgen
