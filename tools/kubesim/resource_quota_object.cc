#include "tools/kubesim/resource_quota_object.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"
#include "tools/kubesim/ids.h"
#include "tools/kubesim/json_merge_patch.h"
#include "tools/kubesim/json_parse.h"
#include "tools/kubesim/json_writer.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {
namespace {

using rapidjson::Value;

constexpr std::string_view kUnrecognized =
    "the object provided is unrecognized (must be of type ResourceQuota): ";
constexpr std::string_view kCannotHandle =
    "ResourceQuota in version \"v1\" cannot be handled as a ResourceQuota: ";

std::string Quote(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

bool IsDnsSubdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  char prev = 0;
  for (char c : s) {
    if (!alnum(c) && c != '-' && c != '.') return false;
    if (c == '.' && (prev == '.' || prev == '-')) return false;
    if (c == '-' && prev == '.') return false;
    prev = c;
  }
  return true;
}

// helper.IsStandardQuotaResourceName.
bool IsStandardQuotaResource(std::string_view name) {
  static constexpr std::string_view kStandard[] = {
      "pods",
      "services",
      "replicationcontrollers",
      "resourcequotas",
      "secrets",
      "configmaps",
      "persistentvolumeclaims",
      "services.nodeports",
      "services.loadbalancers",
      "cpu",
      "memory",
      "ephemeral-storage",
      "requests.cpu",
      "requests.memory",
      "requests.storage",
      "requests.ephemeral-storage",
      "limits.cpu",
      "limits.memory",
      "limits.ephemeral-storage",
  };
  for (std::string_view s : kStandard) {
    if (name == s) return true;
  }
  return absl::StartsWith(ToAbsl(name), "hugepages-") ||
         absl::StartsWith(ToAbsl(name), "requests.hugepages-");
}

// helper.IsIntegerResourceName: object counts and extended resources.
bool IsIntegerResource(std::string_view name) {
  static constexpr std::string_view kInteger[] = {"pods",
                                                  "services",
                                                  "replicationcontrollers",
                                                  "resourcequotas",
                                                  "secrets",
                                                  "configmaps",
                                                  "persistentvolumeclaims",
                                                  "services.nodeports",
                                                  "services.loadbalancers"};
  for (std::string_view s : kInteger) {
    if (name == s) return true;
  }
  const bool native = name.find('/') == std::string_view::npos ||
                      name.find("kubernetes.io/") != std::string_view::npos;
  return !native && !absl::StartsWith(ToAbsl(name), "requests.");
}

// A quantity member (JSON string or number) parsed and rounded up to milli,
// as SetDefaults_ResourceList does; nullopt when not a quantity.
std::optional<Quantity> ReadQuantity(const Value& v) {
  std::string text;
  if (v.IsString()) {
    text = std::string(Str(v));
  } else if (v.IsInt64()) {
    text = Cat(v.GetInt64());
  } else if (v.IsNumber()) {
    text = Cat(v.GetDouble());
  } else {
    return std::nullopt;
  }
  absl::StatusOr<Quantity> q = Quantity::Parse(text);
  if (!q.ok()) return std::nullopt;
  q->RoundUp(-3);
  return *q;
}

struct ParsedQuota {
  ObjectMeta meta;
  std::string resource_version;  // metadata.resourceVersion of the body
  QuotaSpec spec;
};

// Decodes and validates a ResourceQuota body.
ApiOr<ParsedQuota> Parse(std::string_view body, std::string_view url_namespace) {
  rapidjson::Document doc;
  if (!ParseJson(body, &doc)) {
    return BadRequest(Cat(kUnrecognized, "couldn't get version/kind; json parse error: ",
                          rapidjson::GetParseError_En(doc.GetParseError())));
  }
  if (!doc.IsObject()) {
    return BadRequest(Cat(kUnrecognized, "couldn't get version/kind; json parse error"));
  }
  std::string_view kind = StringMember(doc, "kind");
  if (!kind.empty() && kind != "ResourceQuota") {
    return BadRequest(Cat(kUnrecognized, kind, " in version \"", StringMember(doc, "apiVersion"),
                          "\" cannot be handled as a ResourceQuota"));
  }
  ParsedQuota out;
  ObjectMeta& meta = out.meta;
  if (const Value* m = Member(doc, "metadata"); m != nullptr && m->IsObject()) {
    meta.name = std::string(StringMember(*m, "name"));
    meta.generate_name = std::string(StringMember(*m, "generateName"));
    out.resource_version = std::string(StringMember(*m, "resourceVersion"));
    std::string_view ns = StringMember(*m, "namespace");
    if (!ns.empty() && ns != url_namespace) {
      return BadRequest(
          "the namespace of the provided object does not match the namespace sent on the "
          "request");
    }
    for (const char* key : {"labels", "annotations"}) {
      const Value* v = Member(*m, key);
      if (v == nullptr || v->IsNull()) continue;
      if (!v->IsObject()) {
        return BadRequest(Cat(kCannotHandle,
                              "json: cannot unmarshal into Go struct field "
                              "ObjectMeta.metadata of type string"));
      }
      StringMap& map = key[0] == 'l' ? meta.labels : meta.annotations;
      for (const auto& kv : v->GetObject()) {
        if (!kv.value.IsString()) {
          return BadRequest(Cat(kCannotHandle,
                                "json: cannot unmarshal into Go struct field "
                                "ObjectMeta.metadata of type string"));
        }
        map.emplace_back(std::string(Str(kv.name)), std::string(Str(kv.value)));
      }
      NormalizeStringMap(&map);
    }
  }
  meta.namespace_name = std::string(url_namespace);

  std::vector<StatusCause> causes;
  if (const Value* spec = Member(doc, "spec"); spec != nullptr && spec->IsObject()) {
    if (const Value* hard = Member(*spec, "hard"); hard != nullptr && hard->IsObject()) {
      // Causes in key order (the apiserver's follow Go's random map order).
      std::vector<const Value*> keys;
      for (const auto& m : hard->GetObject()) keys.push_back(&m.name);
      std::sort(keys.begin(), keys.end(),
                [](const Value* a, const Value* b) { return Str(*a) < Str(*b); });
      for (const Value* key : keys) {
        const auto& m = *hard->FindMember(*key);
        std::optional<Quantity> q = ReadQuantity(m.value);
        if (!q.has_value()) return BadRequest(Cat(kCannotHandle, kQuantityError));
        const std::string name(Str(m.name));
        const std::string field = Cat("spec.hard[", name, "]");
        if (name.find('/') == std::string::npos && !IsStandardQuotaResource(name)) {
          causes.push_back(
              {"FieldValueInvalid",
               Cat("Invalid value: ", Quote(name), ": must be a standard resource for quota"),
               field});
        }
        if (q->Sign() < 0) {
          causes.push_back(
              {"FieldValueInvalid",
               Cat("Invalid value: ", Quote(q->String()), ": must be greater than or equal to 0"),
               field});
        } else if (IsIntegerResource(name) && q->MilliValue() % 1000 != 0) {
          causes.push_back({"FieldValueInvalid",
                            Cat("Invalid value: ", Quote(q->String()), ": must be an integer"),
                            field});
        }
        out.spec.hard.Set(name, *q);
      }
    }
    if (const Value* scopes = Member(*spec, "scopes"); scopes != nullptr && scopes->IsArray()) {
      for (const auto& s : scopes->GetArray()) {
        if (s.IsString()) out.spec.scopes.emplace_back(Str(s));
      }
    }
    const Value* selector = Member(*spec, "scopeSelector");
    const Value* exprs = selector == nullptr ? nullptr : Member(*selector, "matchExpressions");
    if (exprs != nullptr && exprs->IsArray()) {
      for (const auto& e : exprs->GetArray()) {
        QuotaScopeRequirement r;
        r.scope_name = std::string(StringMember(e, "scopeName"));
        r.op = std::string(StringMember(e, "operator"));
        if (const Value* values = Member(e, "values"); values != nullptr && values->IsArray()) {
          for (const auto& v : values->GetArray()) {
            if (v.IsString()) r.values.emplace_back(Str(v));
          }
        }
        out.spec.scope_selector.push_back(std::move(r));
      }
    }
  }
  if (meta.name.empty() && meta.generate_name.empty()) {
    causes.insert(causes.begin(),
                  {"FieldValueRequired", "Required value: name or generateName is required",
                   "metadata.name"});
  } else if (!meta.name.empty() && !IsDnsSubdomain(meta.name)) {
    causes.insert(causes.begin(), {"FieldValueInvalid",
                                   Cat("Invalid value: ", Quote(meta.name), ": ", kSubdomainError),
                                   "metadata.name"});
  }
  if (!causes.empty()) return Invalid("ResourceQuota", meta.name, causes);
  return out;
}

void WriteResourceList(JsonWriter& w, std::string_view key, const ResourceList& list) {
  if (list.empty()) return;
  w.Key(key);
  w.BeginObject();
  for (const ResourceList::Entry& e : list) w.KeyString(e.name, e.quantity.String());
  w.EndObject();
}

}  // namespace

void ResourceQuotaObject::set_spec(QuotaSpec spec) {
  ResourceList rounded;
  for (const ResourceList::Entry& e : spec.hard) {
    Quantity v = e.quantity;
    v.RoundUp(-3);
    rounded.Set(e.name, v);
  }
  spec.hard = std::move(rounded);
  spec_ = std::move(spec);
}

std::shared_ptr<ResourceQuotaObject> ResourceQuotaObject::Make(std::string_view namespace_name,
                                                               std::string_view name,
                                                               QuotaSpec spec, absl::Time now) {
  auto q = std::make_shared<ResourceQuotaObject>();
  ObjectMeta& m = q->mutable_meta();
  m.name = std::string(name);
  m.namespace_name = std::string(namespace_name);
  m.uid = NewUid();
  m.creation_timestamp = absl::FromUnixSeconds(absl::ToUnixSeconds(now));
  q->set_spec(std::move(spec));
  return q;
}

ApiOr<std::shared_ptr<ResourceQuotaObject>> ResourceQuotaObject::FromCreateBody(
    std::string_view body, std::string_view url_namespace, absl::Time now) {
  ApiOr<ParsedQuota> parsed = Parse(body, url_namespace);
  if (!parsed.ok()) return parsed.error();
  ObjectMeta& meta = parsed->meta;
  if (meta.name.empty()) meta.name = Cat(meta.generate_name, RandomNameSuffix());
  auto q = Make(url_namespace, meta.name, std::move(parsed->spec), now);
  ObjectMeta& m = q->mutable_meta();
  m.generate_name = std::move(meta.generate_name);
  m.labels = std::move(meta.labels);
  m.annotations = std::move(meta.annotations);
  return q;
}

ApiOr<std::shared_ptr<ResourceQuotaObject>> ResourceQuotaObject::FromReplaceBody(
    std::string_view body, const ResourceQuotaObject& current) {
  const ObjectMeta& cur = current.meta();
  ApiOr<ParsedQuota> parsed = Parse(body, cur.namespace_name);
  if (!parsed.ok()) return parsed.error();
  if (parsed->meta.name != cur.name) {
    return BadRequest(Cat("the name of the object (", parsed->meta.name,
                          ") does not match the name on the URL (", cur.name, ")"));
  }
  if (!parsed->resource_version.empty() &&
      parsed->resource_version != Cat(current.resource_version())) {
    return Conflict("resourcequotas", cur.name,
                    "the object has been modified; please apply your changes to the latest "
                    "version and try again");
  }
  const QuotaSpec& old_spec = current.spec();
  if (parsed->spec.scopes != old_spec.scopes ||
      parsed->spec.scope_selector != old_spec.scope_selector) {
    return Invalid(
        "ResourceQuota", cur.name,
        {{"FieldValueInvalid", "Invalid value: \"scopes\": field is immutable",
          parsed->spec.scopes != old_spec.scopes ? "spec.scopes" : "spec.scopeSelector"}});
  }
  auto next = std::static_pointer_cast<ResourceQuotaObject>(current.Clone());
  next->spec_ = std::move(parsed->spec);
  next->mutable_meta().labels = std::move(parsed->meta.labels);
  next->mutable_meta().annotations = std::move(parsed->meta.annotations);
  return next;
}

ApiOr<std::shared_ptr<ResourceQuotaObject>> ResourceQuotaObject::FromMergePatch(
    std::string_view patch, const ResourceQuotaObject& current) {
  std::optional<std::string> merged = ApplyMergePatch(current.Json(), patch);
  if (!merged.has_value()) {
    return BadRequest("error decoding patch: invalid character in JSON merge patch");
  }
  return FromReplaceBody(*merged, current);
}

const std::vector<std::string>& ResourceQuotaObject::FieldLabels() {
  static const auto* labels = new std::vector<std::string>{"metadata.name", "metadata.namespace"};
  return *labels;
}

std::string ResourceQuotaObject::Column(bool limits) const {
  std::string out;
  if (!status_.has_value()) return out;
  for (const ResourceList::Entry& e : status_->hard) {
    if (absl::StartsWith(e.name, "limits.") != limits) continue;
    if (!out.empty()) out += ", ";
    Append(&out, e.name, ": ", status_->used.Get(e.name).String(), "/", e.quantity.String());
  }
  return out;
}

std::string ResourceQuotaObject::RequestColumn() const { return Column(false); }

std::string ResourceQuotaObject::LimitColumn() const { return Column(true); }

void ResourceQuotaObject::EncodeBody(JsonWriter& w) const {
  w.Key("spec");
  w.BeginObject();
  WriteResourceList(w, "hard", spec_.hard);
  if (!spec_.scopes.empty()) {
    w.Key("scopes");
    w.BeginArray();
    for (const std::string& s : spec_.scopes) w.String(s);
    w.EndArray();
  }
  if (!spec_.scope_selector.empty()) {
    w.Key("scopeSelector");
    w.BeginObject();
    w.Key("matchExpressions");
    w.BeginArray();
    for (const QuotaScopeRequirement& r : spec_.scope_selector) {
      w.BeginObject();
      w.KeyString("scopeName", r.scope_name);
      w.KeyString("operator", r.op);
      if (!r.values.empty()) {
        w.Key("values");
        w.BeginArray();
        for (const std::string& v : r.values) w.String(v);
        w.EndArray();
      }
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
  w.Key("status");
  w.BeginObject();
  if (status_.has_value()) {
    WriteResourceList(w, "hard", status_->hard);
    WriteResourceList(w, "used", status_->used);
  }
  w.EndObject();
}

}  // namespace sluice::kubesim
