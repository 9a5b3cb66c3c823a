#ifndef SLUICE_TOOLS_KUBESIM_LABEL_SELECTOR_H_
#define SLUICE_TOOLS_KUBESIM_LABEL_SELECTOR_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/kubesim/labels.h"

namespace sluice::kubesim {

// A parsed `labelSelector` query parameter with the grammar of
// k8s.io/apimachinery/pkg/labels: comma-separated requirements, each one of
//   key=value  key==value  key!=value  key in (a,b)  key notin (a,b)
//   key  !key  key>N  key<N
// An empty selector matches everything. Immutable after Parse; thread-safe.
//
// Example:
//   auto sel = LabelSelector::Parse("app=web,tier in (a,b),!canary");
//   if (sel.ok() && sel->Matches(pod_labels)) ...
class LabelSelector {
 public:
  LabelSelector() = default;

  // InvalidArgument with a message in the style of the apiserver's
  // ("unable to parse requirement: ...") on a malformed selector.
  static absl::StatusOr<LabelSelector> Parse(std::string_view text);

  bool Matches(const StringMap& labels) const;
  bool empty() const { return requirements_.empty(); }

 private:
  enum class Op {
    kEquals,
    kNotEquals,
    kIn,
    kNotIn,
    kExists,
    kDoesNotExist,
    kGreaterThan,
    kLessThan
  };
  struct Requirement {
    std::string key;
    Op op;
    std::vector<std::string> values;
  };
  static bool MatchesOne(const Requirement& r, const StringMap& labels);

  std::vector<Requirement> requirements_;
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_LABEL_SELECTOR_H_
