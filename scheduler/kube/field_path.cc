#include "scheduler/kube/field_path.h"

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"

namespace sluice::kube {

std::string FieldPath::ToString() const {
  absl::InlinedVector<const FieldPath*, 16> chain;
  for (const FieldPath* p = this; p != nullptr && p->kind_ != Kind::kRoot; p = p->parent_) {
    chain.push_back(p);
  }
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const FieldPath& p = **it;
    switch (p.kind_) {
      case Kind::kChild:
        if (!out.empty()) out.push_back('.');
        out.append(p.name_.data(), p.name_.size());
        break;
      case Kind::kIndex:
        absl::StrAppend(&out, "[", p.index_, "]");
        break;
      case Kind::kKey:
        out.push_back('[');
        out.append(p.name_.data(), p.name_.size());
        out.push_back(']');
        break;
      case Kind::kRoot:
        break;
    }
  }
  return out;
}

}  // namespace sluice::kube
