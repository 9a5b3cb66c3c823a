#include "tools/kubesim/json_merge_patch.h"

#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "tools/kubesim/json_parse.h"

namespace sluice::kubesim {
namespace {

using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

void Merge(Value& target, const Value& patch, Allocator& a) {
  if (!patch.IsObject()) {
    target.CopyFrom(patch, a);
    return;
  }
  if (!target.IsObject()) target.SetObject();
  for (const auto& m : patch.GetObject()) {
    auto it = target.FindMember(m.name);
    if (m.value.IsNull()) {
      if (it != target.MemberEnd()) target.RemoveMember(it);
      continue;
    }
    if (it == target.MemberEnd()) {
      Value fresh(rapidjson::kNullType);
      Merge(fresh, m.value, a);
      target.AddMember(Value(m.name, a), fresh, a);
    } else {
      Merge(it->value, m.value, a);
    }
  }
}

}  // namespace

std::optional<std::string> ApplyMergePatch(std::string_view target, std::string_view patch) {
  rapidjson::Document doc;
  rapidjson::Document p;
  if (!ParseJson(target, &doc) || !ParseJson(patch, &p)) return std::nullopt;
  Merge(doc, p, doc.GetAllocator());
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buf);
  doc.Accept(writer);
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace sluice::kubesim
