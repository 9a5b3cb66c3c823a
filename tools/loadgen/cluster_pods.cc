#include "tools/loadgen/cluster_pods.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "rapidjson/document.h"
#include "tools/loadgen/http_get.h"

namespace sluice::loadgen {
namespace {

const rapidjson::Value* Member(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(name);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

// An answer worth asking for again: no connection or a reset (Unavailable),
// a 5xx or a 429 (a server with injected faults, or a busy one).
bool Transient(const absl::Status& s) {
  if (absl::IsUnavailable(s)) return true;
  return absl::StrContains(s.message(), ": HTTP 5") || absl::StrContains(s.message(), ": HTTP 429");
}

// GET with up to 30 tries over about 15 s for transient failures: a listing
// of a faulty server must not fail on the one page in ten that is refused.
absl::StatusOr<std::string> GetPage(const std::string& base_url, const std::string& path) {
  absl::StatusOr<std::string> body;
  for (int attempt = 0; attempt < 30; ++attempt) {
    body = HttpGet(base_url, path);
    if (body.ok() || !Transient(body.status())) return body;
    absl::SleepFor(absl::Milliseconds(std::min(50 * (attempt + 1), 1000)));
  }
  return body;
}

}  // namespace

absl::StatusOr<PodListing> ListPods(const std::string& base_url, const std::string& label_selector,
                                    int page_size, const std::string& field_selector) {
  PodListing listing;
  std::string token;
  do {
    std::string path = absl::StrCat("/api/v1/pods?limit=", page_size);
    if (!label_selector.empty())
      absl::StrAppend(&path, "&labelSelector=", QueryEscape(label_selector));
    if (!field_selector.empty())
      absl::StrAppend(&path, "&fieldSelector=", QueryEscape(field_selector));
    if (!token.empty()) absl::StrAppend(&path, "&continue=", QueryEscape(token));
    absl::StatusOr<std::string> body = GetPage(base_url, path);
    if (!body.ok()) return body.status();
    ++listing.pages;
    rapidjson::Document doc;
    doc.Parse(body->data(), body->size());
    const rapidjson::Value* items = doc.HasParseError() ? nullptr : Member(doc, "items");
    if (items == nullptr || !items->IsArray()) {
      return absl::InternalError(absl::StrCat("LIST pods: page ", listing.pages, " has no items"));
    }
    for (const rapidjson::Value& pod : items->GetArray()) {
      const rapidjson::Value* meta = Member(pod, "metadata");
      const rapidjson::Value* ns = meta ? Member(*meta, "namespace") : nullptr;
      const rapidjson::Value* name = meta ? Member(*meta, "name") : nullptr;
      if (ns == nullptr || name == nullptr || !ns->IsString() || !name->IsString()) {
        return absl::InternalError("LIST pods: an item without metadata.namespace/name");
      }
      listing.keys.push_back(absl::StrCat(ns->GetString(), "/", name->GetString()));
    }
    token.clear();
    const rapidjson::Value* meta = Member(doc, "metadata");
    const rapidjson::Value* cont = meta ? Member(*meta, "continue") : nullptr;
    if (cont != nullptr && cont->IsString()) token = cont->GetString();
  } while (!token.empty());
  return listing;
}

}  // namespace sluice::loadgen
