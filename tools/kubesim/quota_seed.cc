#include "tools/kubesim/quota_seed.h"

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "rapidjson/document.h"
#include "tools/kubesim/json_parse.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {
namespace {

using rapidjson::Value;

absl::Status CheckSeed(const QuotaSeed& seed, std::string_view what) {
  if (seed.namespace_name.empty()) {
    return absl::InvalidArgumentError(Cat(what, ": the namespace (ns=NAME) is missing"));
  }
  if (seed.spec.hard.empty()) {
    return absl::InvalidArgumentError(Cat(what, ": no resource limits (e.g. pods=10)"));
  }
  for (const ResourceList::Entry& e : seed.spec.hard) {
    if (e.quantity.Sign() < 0) {
      return absl::InvalidArgumentError(Cat(what, ": ", e.name, " is negative"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<QuotaSeed> SeedFromObject(const Value& v) {
  if (!v.IsObject()) return absl::InvalidArgumentError("each quota must be a JSON object");
  if (auto spec = v.FindMember("spec"); spec != v.MemberEnd()) {
    if (!spec->value.IsString()) {
      return absl::InvalidArgumentError("\"spec\" must be a string like \"ns=a,pods=10\"");
    }
    return ParseQuotaFlag({spec->value.GetString(), spec->value.GetStringLength()});
  }
  QuotaSeed seed;
  if (auto ns = v.FindMember("namespace"); ns != v.MemberEnd() && ns->value.IsString()) {
    seed.namespace_name = ns->value.GetString();
  }
  if (auto name = v.FindMember("name"); name != v.MemberEnd() && name->value.IsString()) {
    seed.name = name->value.GetString();
  }
  auto hard = v.FindMember("hard");
  if (hard != v.MemberEnd() && hard->value.IsObject()) {
    for (const auto& m : hard->value.GetObject()) {
      std::string text;
      if (m.value.IsString()) {
        text = m.value.GetString();
      } else if (m.value.IsInt64()) {
        text = Cat(m.value.GetInt64());
      } else {
        return absl::InvalidArgumentError(Cat("hard.", m.name.GetString(), ": not a quantity"));
      }
      absl::StatusOr<Quantity> q = Quantity::Parse(text);
      if (!q.ok())
        return absl::InvalidArgumentError(
            Cat("hard.", m.name.GetString(), ": ", q.status().message()));
      seed.spec.hard.Set(m.name.GetString(), *q);
    }
  }
  if (absl::Status s = CheckSeed(seed, "quota"); !s.ok()) return s;
  return seed;
}

}  // namespace

absl::StatusOr<QuotaSeed> ParseQuotaFlag(std::string_view text) {
  QuotaSeed seed;
  std::vector<std::string> rest;
  for (absl::string_view entry : absl::StrSplit(ToAbsl(text), ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    if (absl::ConsumePrefix(&entry, "ns=") || absl::ConsumePrefix(&entry, "namespace=")) {
      seed.namespace_name = std::string(entry);
    } else if (absl::ConsumePrefix(&entry, "name=")) {
      seed.name = std::string(entry);
    } else {
      rest.emplace_back(entry);
    }
  }
  absl::StatusOr<ResourceList> hard = ResourceList::Parse(absl::StrJoin(rest, ","));
  if (!hard.ok()) {
    return absl::InvalidArgumentError(Cat("quota \"", text, "\": ", hard.status().message()));
  }
  seed.spec.hard = *std::move(hard);
  if (absl::Status s = CheckSeed(seed, Cat("quota \"", text, "\"")); !s.ok()) return s;
  return seed;
}

absl::StatusOr<std::vector<QuotaSeed>> ParseQuotaSeedsJson(std::string_view body) {
  rapidjson::Document doc;
  if (!ParseJson(body, &doc)) return absl::InvalidArgumentError("body is not JSON");
  std::vector<QuotaSeed> out;
  if (doc.IsArray()) {
    for (const auto& v : doc.GetArray()) {
      absl::StatusOr<QuotaSeed> seed = SeedFromObject(v);
      if (!seed.ok()) return seed.status();
      out.push_back(*std::move(seed));
    }
  } else {
    absl::StatusOr<QuotaSeed> seed = SeedFromObject(doc);
    if (!seed.ok()) return seed.status();
    out.push_back(*std::move(seed));
  }
  return out;
}

}  // namespace sluice::kubesim
