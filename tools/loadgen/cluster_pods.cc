#include "tools/loadgen/cluster_pods.h"

#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "tools/loadgen/http_get.h"

namespace sluice::loadgen {
namespace {

const rapidjson::Value* Member(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(name);
  return it == v.MemberEnd() ? nullptr : &it->value;
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
    absl::StatusOr<std::string> body = HttpGet(base_url, path);
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
