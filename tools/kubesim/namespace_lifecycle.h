#ifndef SLUICE_TOOLS_KUBESIM_NAMESPACE_LIFECYCLE_H_
#define SLUICE_TOOLS_KUBESIM_NAMESPACE_LIFECYCLE_H_

#include <atomic>
#include <optional>

#include "scheduler/common/clock.h"
#include "tools/kubesim/object_store.h"

namespace sluice::kubesim {

// The NamespaceLifecycle admission plugin: a namespaced object can only be
// created in a namespace that exists (404 `namespaces "NS" not found`) and is
// not terminating (403). With auto_create the namespace is created instead
// (convenient for load runs). Thread-safe.
class NamespaceLifecycle final : public AdmissionPlugin {
 public:
  NamespaceLifecycle(ObjectStore* store, const Clock& clock, bool auto_create)
      : store_(store), clock_(clock), auto_create_(auto_create) {}

  std::optional<ApiError> Admit(const ResourceInfo& resource, ApiObject& object) override;

  void set_auto_create(bool on) { auto_create_.store(on); }

 private:
  ObjectStore* const store_;
  const Clock& clock_;
  std::atomic<bool> auto_create_;
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_NAMESPACE_LIFECYCLE_H_
