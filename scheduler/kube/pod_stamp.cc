#include "scheduler/kube/pod_stamp.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace sluice::kube {
namespace {

using rapidjson::Document;
using rapidjson::Value;

Value String(absl::string_view s, Document::AllocatorType& alloc) {
  return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc);
}

// The object member `key` of `parent`, created (or replaced if not an object).
Value& ObjectMember(Value& parent, const char* key, Document::AllocatorType& alloc) {
  auto it = parent.FindMember(key);
  if (it == parent.MemberEnd()) {
    parent.AddMember(Value(key, alloc), Value(rapidjson::kObjectType), alloc);
    it = parent.FindMember(key);
  } else if (!it->value.IsObject()) {
    it->value.SetObject();
  }
  return it->value;
}

void SetString(Value& object, absl::string_view key, absl::string_view value,
               Document::AllocatorType& alloc) {
  auto it = object.FindMember(
      Value(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size()))));
  if (it != object.MemberEnd()) {
    it->value = String(value, alloc);
  } else {
    object.AddMember(String(key, alloc), String(value, alloc), alloc);
  }
}

void Merge(Value& parent, const char* key,
           const std::vector<std::pair<std::string, std::string>>& entries,
           Document::AllocatorType& alloc) {
  if (entries.empty()) return;
  Value& map = ObjectMember(parent, key, alloc);
  for (const auto& [k, v] : entries) SetString(map, k, v, alloc);
}

// Memory one thread reuses for every manifest it stamps: a fresh document
// took a 64 KiB pool chunk from malloc per pod (and, with jemalloc's huge
// pages, page faults that zero memory). A larger manifest spills into
// malloc'd chunks, freed with its document.
struct StampScratch {
  alignas(16) char pool[64 << 10];
  rapidjson::CrtAllocator stack_allocator;
  rapidjson::StringBuffer out;
};
constexpr size_t kParseStackBytes = 4096;

StampScratch& ThreadStampScratch() {
  thread_local std::unique_ptr<StampScratch> scratch = std::make_unique<StampScratch>();
  return *scratch;
}

}  // namespace

absl::StatusOr<std::string> StampPodManifest(absl::string_view manifest, const PodStamp& stamp) {
  StampScratch& scratch = ThreadStampScratch();
  rapidjson::MemoryPoolAllocator<> pool(scratch.pool, sizeof(scratch.pool));
  Document doc(&pool, kParseStackBytes, &scratch.stack_allocator);
  doc.Parse(manifest.data(), manifest.size());
  if (doc.HasParseError()) {
    return absl::InvalidArgumentError(
        absl::StrCat("pod manifest is not JSON: ", rapidjson::GetParseError_En(doc.GetParseError()),
                     " at offset ", doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return absl::InvalidArgumentError("pod manifest is not a JSON object");
  auto& alloc = doc.GetAllocator();
  if (!doc.HasMember("apiVersion")) doc.AddMember("apiVersion", "v1", alloc);
  if (!doc.HasMember("kind")) doc.AddMember("kind", "Pod", alloc);
  Value& metadata = ObjectMember(doc, "metadata", alloc);
  SetString(metadata, "name", stamp.name, alloc);
  SetString(metadata, "namespace", stamp.pod_namespace, alloc);
  Merge(metadata, "labels", stamp.labels, alloc);
  Merge(metadata, "annotations", stamp.annotations, alloc);
  if (!stamp.node_selector.empty() || !stamp.tolerations.empty()) {
    Value& spec = ObjectMember(doc, "spec", alloc);
    Merge(spec, "nodeSelector", stamp.node_selector, alloc);
    if (!stamp.tolerations.empty()) {
      auto it = spec.FindMember("tolerations");
      if (it == spec.MemberEnd() || !it->value.IsArray()) {
        if (it != spec.MemberEnd()) spec.RemoveMember(it);
        spec.AddMember("tolerations", Value(rapidjson::kArrayType), alloc);
        it = spec.FindMember("tolerations");
      }
      for (const Toleration& t : stamp.tolerations) {
        Value tol(rapidjson::kObjectType);
        if (!t.key.empty()) tol.AddMember("key", String(t.key, alloc), alloc);
        tol.AddMember("operator", String(t.op, alloc), alloc);
        if (!t.value.empty()) tol.AddMember("value", String(t.value, alloc), alloc);
        if (!t.effect.empty()) tol.AddMember("effect", String(t.effect, alloc), alloc);
        it->value.PushBack(tol, alloc);
      }
    }
  }
  rapidjson::StringBuffer& out = scratch.out;
  out.Clear();
  out.Reserve(manifest.size() + 256);
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  doc.Accept(writer);
  return std::string(out.GetString(), out.GetSize());
}

}  // namespace sluice::kube
