#include "tools/kubesim/continue_token.h"

#include "absl/strings/escaping.h"
#include "rapidjson/document.h"
#include "tools/kubesim/json_parse.h"
#include "tools/kubesim/json_writer.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {

std::string EncodeContinueToken(const ContinueToken& token) {
  std::string json;
  JsonWriter w(&json);
  w.BeginObject();
  w.KeyString("v", "meta.k8s.io/v1");
  w.KeyInt("rv", token.rv);
  w.KeyString("start", token.start_key);
  w.EndObject();
  return absl::WebSafeBase64Escape(json);
}

std::optional<ContinueToken> DecodeContinueToken(std::string_view text) {
  std::string json;
  if (!absl::WebSafeBase64Unescape(ToAbsl(text), &json)) return std::nullopt;
  rapidjson::Document doc;
  if (!ParseJson(json, &doc) || !doc.IsObject()) return std::nullopt;
  auto v = doc.FindMember("v");
  auto rv = doc.FindMember("rv");
  auto start = doc.FindMember("start");
  if (v == doc.MemberEnd() || !v->value.IsString() ||
      std::string_view(v->value.GetString(), v->value.GetStringLength()) != "meta.k8s.io/v1") {
    return std::nullopt;
  }
  if (rv == doc.MemberEnd() || !rv->value.IsInt64() || start == doc.MemberEnd() ||
      !start->value.IsString()) {
    return std::nullopt;
  }
  ContinueToken token;
  token.rv = rv->value.GetInt64();
  token.start_key.assign(start->value.GetString(), start->value.GetStringLength());
  return token;
}

}  // namespace sluice::kubesim
