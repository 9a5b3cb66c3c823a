#include "tools/kubesim/field_selector.h"

#include <algorithm>

#include "absl/status/status.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {
namespace {

// Splits on unescaped commas.
std::vector<std::string_view> SplitTerms(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == ',') {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(s.substr(start));
  return out;
}

std::string Unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out.push_back(s[i]);
  }
  return out;
}

}  // namespace

absl::StatusOr<FieldSelector> FieldSelector::Parse(std::string_view text) {
  FieldSelector sel;
  if (text.empty()) return sel;
  for (std::string_view term : SplitTerms(text)) {
    if (term.empty()) continue;
    // Find the first unescaped operator.
    size_t op = std::string_view::npos;
    for (size_t i = 0; i < term.size(); ++i) {
      if (term[i] == '\\') {
        ++i;
      } else if (term[i] == '=' || (term[i] == '!' && i + 1 < term.size() && term[i + 1] == '=')) {
        op = i;
        break;
      }
    }
    if (op == std::string_view::npos) {
      return absl::InvalidArgumentError(
          Cat("invalid selector: '", text, "'; can't understand '", term, "'"));
    }
    Term t;
    t.field = std::string(term.substr(0, op));
    size_t value_start;
    if (term[op] == '!') {
      t.negated = true;
      value_start = op + 2;
    } else {
      t.negated = false;
      value_start = (op + 1 < term.size() && term[op + 1] == '=') ? op + 2 : op + 1;
    }
    t.value = Unescape(term.substr(value_start));
    sel.terms_.push_back(std::move(t));
  }
  return sel;
}

std::optional<std::string> FieldSelector::FirstUnsupported(
    const std::vector<std::string>& supported) const {
  for (const Term& t : terms_) {
    if (std::find(supported.begin(), supported.end(), t.field) == supported.end()) return t.field;
  }
  return std::nullopt;
}

bool FieldSelector::Matches(FieldGetter get) const {
  for (const Term& t : terms_) {
    std::optional<std::string_view> v = get(t.field);
    const bool equal = v.has_value() && *v == t.value;
    if (equal == t.negated) return false;
  }
  return true;
}

}  // namespace sluice::kubesim
