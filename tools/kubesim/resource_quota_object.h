#ifndef SLUICE_TOOLS_KUBESIM_RESOURCE_QUOTA_OBJECT_H_
#define SLUICE_TOOLS_KUBESIM_RESOURCE_QUOTA_OBJECT_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "scheduler/common/resource_list.h"
#include "tools/kubesim/api_error.h"
#include "tools/kubesim/api_object.h"

namespace sluice::kubesim {

// One entry of spec.scopeSelector.matchExpressions.
struct QuotaScopeRequirement {
  std::string scope_name;  // "PriorityClass", "BestEffort", ...
  std::string op;          // "In", "NotIn", "Exists", "DoesNotExist"
  std::vector<std::string> values;
  friend bool operator==(const QuotaScopeRequirement&, const QuotaScopeRequirement&) = default;
};

// spec of a ResourceQuota. Quantities are canonical (as stored by the
// apiserver: "1.5Gi" reads back as "1536Mi").
struct QuotaSpec {
  ResourceList hard;
  std::vector<std::string> scopes;
  std::vector<QuotaScopeRequirement> scope_selector;
  friend bool operator==(const QuotaSpec&, const QuotaSpec&) = default;
};

// status of a ResourceQuota, written by the (simulated) quota controller.
struct QuotaStatus {
  ResourceList hard;
  ResourceList used;
};

// A ResourceQuota (core/v1, namespaced). Built from request bodies with the
// apiserver's decoding (400), validation (422) and update rules: status is
// ignored on create and kept on update (the status subresource owns it),
// spec.scopes and spec.scopeSelector are immutable, a stale
// metadata.resourceVersion on update is 409.
class ResourceQuotaObject final : public ApiObject {
 public:
  ResourceQuotaObject() = default;
  ResourceQuotaObject(const ResourceQuotaObject&) = default;

  // A quota made by the simulator itself (flags, /sim/quotas).
  static std::shared_ptr<ResourceQuotaObject> Make(std::string_view namespace_name,
                                                   std::string_view name, QuotaSpec spec,
                                                   absl::Time now);
  // From the body of POST /api/v1/namespaces/NS/resourcequotas.
  static ApiOr<std::shared_ptr<ResourceQuotaObject>> FromCreateBody(std::string_view body,
                                                                    std::string_view url_namespace,
                                                                    absl::Time now);
  // From the body of PUT .../resourcequotas/NAME: the next version of
  // `current` (uid, creationTimestamp and status kept).
  static ApiOr<std::shared_ptr<ResourceQuotaObject>> FromReplaceBody(
      std::string_view body, const ResourceQuotaObject& current);
  // PATCH .../resourcequotas/NAME with a JSON merge patch (which is also what
  // a strategic merge patch means for this kind's fields).
  static ApiOr<std::shared_ptr<ResourceQuotaObject>> FromMergePatch(
      std::string_view patch, const ResourceQuotaObject& current);

  std::shared_ptr<ApiObject> Clone() const override {
    return std::make_shared<ResourceQuotaObject>(*this);
  }
  std::string_view kind() const override { return "ResourceQuota"; }

  const QuotaSpec& spec() const { return spec_; }
  // Replaces the spec (hard rounded up to milli as on create); for the
  // simulator's own quotas.
  void set_spec(QuotaSpec spec);
  const std::optional<QuotaStatus>& status() const { return status_; }
  void set_status(QuotaStatus status) { status_ = std::move(status); }

  // kubectl's Request and Limit columns: "pods: 3/10, requests.cpu: 1500m/4".
  std::string RequestColumn() const;
  std::string LimitColumn() const;

  static const std::vector<std::string>& FieldLabels();

 private:
  void EncodeBody(JsonWriter& w) const override;
  std::string Column(bool limits) const;

  QuotaSpec spec_;
  std::optional<QuotaStatus> status_;
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_RESOURCE_QUOTA_OBJECT_H_
