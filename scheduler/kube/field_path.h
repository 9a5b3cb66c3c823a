#ifndef SLUICE_SCHEDULER_KUBE_FIELD_PATH_H_
#define SLUICE_SCHEDULER_KUBE_FIELD_PATH_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::kube {

// A path to a field of a Kubernetes object, printed in the APIServer's
// notation (k8s.io/apimachinery field.Path): "spec.containers[1].name",
// "spec.containers[0].resources.requests[cpu]".
//
// Paths are built on the stack while walking an object and printed only when
// something is wrong: a child refers to its parent, which must outlive it, and
// names are views that must outlive the path.
//
// Example:
//   const FieldPath root = FieldPath::Root();
//   const FieldPath containers = root.Child("spec").Child("containers");  // does not compile
//   const FieldPath spec = root.Child("spec");
//   const FieldPath containers = spec.Child("containers");
//   containers.Index(1).ToString();  // "spec.containers[1]"
class FieldPath {
 public:
  static FieldPath Root() { return FieldPath(nullptr, Kind::kRoot, {}, 0); }
  // ".name" (just "name" at the root).
  FieldPath Child(std::string_view name) const& { return FieldPath(this, Kind::kChild, name, 0); }
  // "[index]": an element of a list.
  FieldPath Index(size_t index) const& { return FieldPath(this, Kind::kIndex, {}, index); }
  // "[key]": an entry of a map.
  FieldPath Key(std::string_view key) const& { return FieldPath(this, Kind::kKey, key, 0); }
  // A child of a temporary would outlive its parent: name the parent first.
  FieldPath Child(std::string_view name) const&& = delete;
  FieldPath Index(size_t index) const&& = delete;
  FieldPath Key(std::string_view key) const&& = delete;

  // Number of steps from the root.
  int depth() const { return depth_; }

  std::string ToString() const;

 private:
  enum class Kind { kRoot, kChild, kIndex, kKey };
  FieldPath(const FieldPath* parent, Kind kind, std::string_view name, size_t index)
      : parent_(parent),
        kind_(kind),
        name_(name),
        index_(index),
        depth_(parent == nullptr ? 0 : parent->depth_ + 1) {}

  const FieldPath* parent_;
  Kind kind_;
  std::string_view name_;
  size_t index_;
  int depth_;
};

}  // namespace sluice::kube

#endif  // SLUICE_SCHEDULER_KUBE_FIELD_PATH_H_
