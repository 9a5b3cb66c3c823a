#ifndef SLUICE_TOOLS_KUBESIM_NAMESPACE_OBJECT_H_
#define SLUICE_TOOLS_KUBESIM_NAMESPACE_OBJECT_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "tools/kubesim/api_error.h"
#include "tools/kubesim/api_object.h"

namespace sluice::kubesim {

// A Namespace (core/v1, cluster-scoped): phase Active or Terminating.
class NamespaceObject final : public ApiObject {
 public:
  NamespaceObject() = default;
  NamespaceObject(const NamespaceObject&) = default;

  // A new Active namespace with the kubernetes.io/metadata.name label.
  static std::shared_ptr<NamespaceObject> Make(std::string_view name, absl::Time now);
  // From the body of POST /api/v1/namespaces (400/422 on a bad body).
  static ApiOr<std::shared_ptr<NamespaceObject>> FromCreateBody(std::string_view body,
                                                                absl::Time now);

  std::shared_ptr<ApiObject> Clone() const override {
    return std::make_shared<NamespaceObject>(*this);
  }
  std::string_view kind() const override { return "Namespace"; }
  std::optional<std::string_view> FieldValue(std::string_view field) const override;

  bool terminating() const { return terminating_; }
  void MarkTerminating() { terminating_ = true; }

  static const std::vector<std::string>& FieldLabels();

 private:
  void EncodeBody(JsonWriter& w) const override;

  bool terminating_ = false;
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_NAMESPACE_OBJECT_H_
