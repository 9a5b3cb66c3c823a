#include "tools/kubesim/api_object.h"

#include <charconv>

#include "tools/kubesim/json_writer.h"
#include "tools/kubesim/strings.h"
#include "tools/kubesim/time_format.h"

namespace sluice::kubesim {
namespace {

void AppendRv(std::string* out, uint64_t rv) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), rv);
  out->append(buf, res.ptr);
}

void WriteStringMap(JsonWriter& w, std::string_view key, const StringMap& map) {
  if (map.empty()) return;
  w.Key(key);
  w.BeginObject();
  for (const auto& [k, v] : map) w.KeyString(k, v);
  w.EndObject();
}

}  // namespace

void ApiObject::Encode() {
  key_ = meta_.namespace_name.empty() ? meta_.name : Cat(meta_.namespace_name, "/", meta_.name);
  std::string type_meta;
  {
    JsonWriter w(&type_meta);
    type_meta.push_back('{');
    w.KeyString("kind", kind());
    w.KeyString("apiVersion", api_version());
    type_meta.push_back(',');
  }
  std::string head;
  head.reserve(256);
  {
    JsonWriter w(&head);
    w.Key("metadata");
    w.BeginObject();
    w.KeyString("name", meta_.name);
    if (!meta_.generate_name.empty()) w.KeyString("generateName", meta_.generate_name);
    if (!meta_.namespace_name.empty()) w.KeyString("namespace", meta_.namespace_name);
    w.KeyString("uid", meta_.uid);
    w.Key("resourceVersion");
    head.push_back('"');
  }
  std::string tail;
  tail.reserve(2048);
  {
    tail.push_back('"');
    JsonWriter w(&tail);
    // The writer resumes inside the metadata object, after the RV value.
    w.ContinueAfterValue();
    if (meta_.generation > 0) w.KeyInt("generation", meta_.generation);
    w.KeyString("creationTimestamp", FormatRfc3339(meta_.creation_timestamp));
    if (meta_.deletion_timestamp.has_value()) {
      w.KeyString("deletionTimestamp", FormatRfc3339(*meta_.deletion_timestamp));
    }
    if (meta_.deletion_grace_period_seconds.has_value()) {
      w.KeyInt("deletionGracePeriodSeconds", *meta_.deletion_grace_period_seconds);
    }
    WriteStringMap(w, "labels", meta_.labels);
    WriteStringMap(w, "annotations", meta_.annotations);
    if (!meta_.owner_references_json.empty()) {
      w.Key("ownerReferences");
      w.Raw(meta_.owner_references_json);
    }
    if (!meta_.finalizers_json.empty()) {
      w.Key("finalizers");
      w.Raw(meta_.finalizers_json);
    }
    w.EndObject();
    EncodeBody(w);
    tail.push_back('}');
  }
  // Kept for the object's lifetime: give back the slack of the growth.
  tail.shrink_to_fit();
  type_meta_ = std::make_shared<const std::string>(std::move(type_meta));
  head_ = std::make_shared<const std::string>(std::move(head));
  tail_ = std::make_shared<const std::string>(std::move(tail));
}

void ApiObject::AppendJson(std::string* out) const {
  out->append(*type_meta_);
  out->append(*head_);
  AppendRv(out, rv_);
  out->append(*tail_);
}

std::string ApiObject::Json() const {
  std::string out;
  out.reserve(type_meta_->size() + head_->size() + tail_->size() + 20);
  AppendJson(&out);
  return out;
}

void ApiObject::AppendListItemJson(std::string* out) const {
  out->push_back('{');
  out->append(*head_);
  AppendRv(out, rv_);
  out->append(*tail_);
}

std::optional<std::string_view> ApiObject::FieldValue(std::string_view field) const {
  if (field == "metadata.name") return meta_.name;
  if (field == "metadata.namespace") return meta_.namespace_name;
  return std::nullopt;
}

}  // namespace sluice::kubesim
