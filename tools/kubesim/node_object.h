#ifndef SLUICE_TOOLS_KUBESIM_NODE_OBJECT_H_
#define SLUICE_TOOLS_KUBESIM_NODE_OBJECT_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "tools/kubesim/api_object.h"

namespace sluice::kubesim {

// A fake Node (core/v1, cluster-scoped) the simulated scheduler places pods
// on: Ready, with a fixed capacity and an InternalIP.
class NodeObject final : public ApiObject {
 public:
  NodeObject() = default;
  NodeObject(const NodeObject&) = default;

  static std::shared_ptr<NodeObject> Make(std::string_view name, std::string_view internal_ip,
                                          absl::Time now);

  std::shared_ptr<ApiObject> Clone() const override { return std::make_shared<NodeObject>(*this); }
  std::string_view kind() const override { return "Node"; }
  std::optional<std::string_view> FieldValue(std::string_view field) const override;

  const std::string& internal_ip() const { return internal_ip_; }

  static const std::vector<std::string>& FieldLabels();

 private:
  void EncodeBody(JsonWriter& w) const override;

  std::string internal_ip_;
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_NODE_OBJECT_H_
