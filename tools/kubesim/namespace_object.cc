#include "tools/kubesim/namespace_object.h"

#include "rapidjson/document.h"
#include "tools/kubesim/ids.h"
#include "tools/kubesim/json_parse.h"
#include "tools/kubesim/json_writer.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {
namespace {

bool IsDnsLabel(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s) {
    if (!alnum(c) && c != '-') return false;
  }
  return true;
}

}  // namespace

std::shared_ptr<NamespaceObject> NamespaceObject::Make(std::string_view name, absl::Time now) {
  auto ns = std::make_shared<NamespaceObject>();
  ObjectMeta& m = ns->mutable_meta();
  m.name = std::string(name);
  m.uid = NewUid();
  m.creation_timestamp = absl::FromUnixSeconds(absl::ToUnixSeconds(now));
  m.labels.emplace_back("kubernetes.io/metadata.name", std::string(name));
  return ns;
}

ApiOr<std::shared_ptr<NamespaceObject>> NamespaceObject::FromCreateBody(std::string_view body,
                                                                        absl::Time now) {
  rapidjson::Document doc;
  if (!ParseJson(body, &doc) || !doc.IsObject()) {
    return BadRequest(
        "the object provided is unrecognized (must be of type Namespace): couldn't get "
        "version/kind; json parse error");
  }
  std::string name, generate_name;
  StringMap labels, annotations;
  if (auto m = doc.FindMember("metadata"); m != doc.MemberEnd() && m->value.IsObject()) {
    for (const auto& f : m->value.GetObject()) {
      std::string_view key(f.name.GetString(), f.name.GetStringLength());
      if (key == "name" && f.value.IsString()) name = f.value.GetString();
      if (key == "generateName" && f.value.IsString()) generate_name = f.value.GetString();
      if ((key == "labels" || key == "annotations") && f.value.IsObject()) {
        for (const auto& kv : f.value.GetObject()) {
          if (!kv.value.IsString()) continue;
          (key == "labels" ? labels : annotations)
              .emplace_back(kv.name.GetString(), kv.value.GetString());
        }
      }
    }
  }
  if (name.empty() && !generate_name.empty()) name = Cat(generate_name, RandomNameSuffix());
  if (name.empty()) {
    return Invalid("Namespace", "",
                   {{"FieldValueRequired", "Required value: name or generateName is required",
                     "metadata.name"}});
  }
  if (!IsDnsLabel(name)) {
    std::string quoted;
    AppendJsonString(&quoted, name);
    return Invalid("Namespace", name,
                   {{"FieldValueInvalid",
                     Cat("Invalid value: ", quoted,
                         ": a lowercase RFC 1123 label must consist of lower case alphanumeric "
                         "characters or '-', and must start and end with an alphanumeric "
                         "character (e.g. 'my-name',  or '123-abc', regex used for validation is "
                         "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"),
                     "metadata.name"}});
  }
  auto ns = Make(name, now);
  ObjectMeta& m = ns->mutable_meta();
  m.generate_name = generate_name;
  for (auto& kv : labels) {
    if (kv.first != "kubernetes.io/metadata.name") m.labels.push_back(std::move(kv));
  }
  NormalizeStringMap(&m.labels);
  m.annotations = std::move(annotations);
  NormalizeStringMap(&m.annotations);
  return ns;
}

const std::vector<std::string>& NamespaceObject::FieldLabels() {
  static const auto* labels = new std::vector<std::string>{"metadata.name", "status.phase"};
  return *labels;
}

std::optional<std::string_view> NamespaceObject::FieldValue(std::string_view field) const {
  if (field == "status.phase") return terminating_ ? "Terminating" : "Active";
  return ApiObject::FieldValue(field);
}

void NamespaceObject::EncodeBody(JsonWriter& w) const {
  w.Key("spec");
  w.BeginObject();
  w.Key("finalizers");
  w.BeginArray();
  w.String("kubernetes");
  w.EndArray();
  w.EndObject();
  w.Key("status");
  w.BeginObject();
  w.KeyString("phase", terminating_ ? "Terminating" : "Active");
  w.EndObject();
}

}  // namespace sluice::kubesim
