#ifndef SLUICE_TOOLS_KUBESIM_API_OBJECT_H_
#define SLUICE_TOOLS_KUBESIM_API_OBJECT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "tools/kubesim/labels.h"

namespace sluice::kubesim {

class JsonWriter;

// metav1.ObjectMeta, the part every kind shares. managedFields are not kept.
struct ObjectMeta {
  std::string name;
  std::string generate_name;
  std::string namespace_name;  // empty for cluster-scoped objects
  std::string uid;
  int64_t generation = 0;  // 0: omitted
  absl::Time creation_timestamp;
  std::optional<absl::Time> deletion_timestamp;
  std::optional<int64_t> deletion_grace_period_seconds;
  StringMap labels;
  StringMap annotations;
  std::string owner_references_json;  // raw JSON array, empty when absent
  std::string finalizers_json;        // raw JSON array, empty when absent
};

// One version of one API object (a Pod, a Namespace...). Kinds derive from it
// and add their own state. Life cycle: a kind builds a mutable object, hands it
// to ObjectStore which encodes it, stamps the resourceVersion and from then on
// shares it as `std::shared_ptr<const ApiObject>`: published versions are
// immutable and safe to read from any thread. A change is a Clone() that the
// store publishes as the next version.
//
// The JSON encoding is done once per version, split around the
// resourceVersion digits so that the store can stamp the RV under its lock
// without re-encoding; GET, LIST and every watcher share those bytes.
class ApiObject {
 public:
  virtual ~ApiObject() = default;

  const ObjectMeta& meta() const { return meta_; }
  ObjectMeta& mutable_meta() { return meta_; }
  uint64_t resource_version() const { return rv_; }
  // "namespace/name", or "name" for cluster-scoped objects: the store's key.
  const std::string& key() const { return key_; }

  // The object as served by GET and in watch events ("kind" and
  // "apiVersion" first). REQUIRES: published by the store.
  void AppendJson(std::string* out) const;
  std::string Json() const;
  // The object as an item of a LIST (the apiserver omits kind/apiVersion there).
  void AppendListItemJson(std::string* out) const;

  // Value of a field for field selectors; nullopt when the kind does not
  // support that field. Handles metadata.name and metadata.namespace.
  virtual std::optional<std::string_view> FieldValue(std::string_view field) const;

  // A modifiable copy: the starting point of the next version.
  virtual std::shared_ptr<ApiObject> Clone() const = 0;

  virtual std::string_view kind() const = 0;
  virtual std::string_view api_version() const { return "v1"; }

 protected:
  ApiObject() = default;
  ApiObject(const ApiObject&) = default;
  ApiObject& operator=(const ApiObject&) = default;

  // Writes the members that follow "metadata" (each with its key), e.g.
  // "spec" and "status".
  virtual void EncodeBody(JsonWriter& w) const = 0;

 private:
  friend class ObjectStore;

  // Encodes meta and body; called by the store before publishing.
  void Encode();
  void set_resource_version(uint64_t rv) { rv_ = rv; }
  bool encoded() const { return head_ != nullptr; }

  ObjectMeta meta_;
  uint64_t rv_ = 0;
  std::string key_;
  // {"kind":..,"apiVersion":.., then head ends with `"resourceVersion":"`;
  // tail continues after the RV digits. Shared by versions that differ only
  // in their resourceVersion (a DELETED event's copy).
  std::shared_ptr<const std::string> type_meta_;
  std::shared_ptr<const std::string> head_;
  std::shared_ptr<const std::string> tail_;
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_API_OBJECT_H_
