#include "tools/kubesim/namespace_lifecycle.h"

#include "tools/kubesim/namespace_object.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {

std::optional<ApiError> NamespaceLifecycle::Admit(const ResourceInfo& resource, ApiObject& object) {
  if (!resource.namespaced) return std::nullopt;
  const std::string& ns = object.meta().namespace_name;
  std::shared_ptr<const ApiObject> existing = store_->Find("namespaces", "", ns);
  if (existing != nullptr) {
    if (!static_cast<const NamespaceObject&>(*existing).terminating()) return std::nullopt;
    StatusFields f;
    f.code = 403;
    f.reason = "Forbidden";
    f.message = Cat(resource.name, " \"", object.meta().name,
                    "\" is forbidden: unable to create new content in namespace ", ns,
                    " because it is being terminated");
    f.details_name = object.meta().name;
    f.details_kind = resource.name;
    f.causes.push_back({"NamespaceTerminating", Cat("namespace ", ns, " is being terminated"),
                        "metadata.namespace"});
    return StatusError(f);
  }
  if (!auto_create_.load()) return NotFound("namespaces", ns);
  ObjectStore::CreateOptions options;
  options.skip_admission = true;
  // A concurrent create of the same namespace answers 409: either way it exists.
  store_->Create("namespaces", NamespaceObject::Make(ns, clock_.WallNow()), options);
  return std::nullopt;
}

}  // namespace sluice::kubesim
