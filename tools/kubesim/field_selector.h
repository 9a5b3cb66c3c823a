#ifndef SLUICE_TOOLS_KUBESIM_FIELD_SELECTOR_H_
#define SLUICE_TOOLS_KUBESIM_FIELD_SELECTOR_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"

namespace sluice::kubesim {

// A parsed `fieldSelector` query parameter (k8s.io/apimachinery/pkg/fields):
// comma-separated `field=value`, `field==value` or `field!=value` terms;
// `\,` `\=` `\\` escape inside values. Immutable after Parse; thread-safe.
class FieldSelector {
 public:
  // Returns the value of a field of one object, nullopt if unsupported.
  using FieldGetter = absl::FunctionRef<std::optional<std::string_view>(std::string_view field)>;

  FieldSelector() = default;

  static absl::StatusOr<FieldSelector> Parse(std::string_view text);

  // The first field not in `supported`, if any (the caller answers 400
  // `field label not supported: FIELD`).
  std::optional<std::string> FirstUnsupported(const std::vector<std::string>& supported) const;

  // REQUIRES: every field supported by `get`.
  bool Matches(FieldGetter get) const;
  bool empty() const { return terms_.empty(); }

 private:
  struct Term {
    std::string field;
    std::string value;
    bool negated;
  };
  std::vector<Term> terms_;
};

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_FIELD_SELECTOR_H_
