#include "tools/kubesim/field_selector.h"

#include <map>

#include "gtest/gtest.h"

namespace sluice::kubesim {
namespace {

bool Match(const char* selector, const std::map<std::string, std::string>& fields) {
  auto sel = FieldSelector::Parse(selector);
  EXPECT_TRUE(sel.ok()) << selector;
  return sel->Matches([&](std::string_view f) -> std::optional<std::string_view> {
    auto it = fields.find(std::string(f));
    if (it == fields.end()) return std::nullopt;
    return it->second;
  });
}

TEST(FieldSelectorTest, Terms) {
  const std::map<std::string, std::string> f = {
      {"status.phase", "Running"}, {"spec.nodeName", "n1"}, {"metadata.name", "a,b"}};
  EXPECT_TRUE(Match("", f));
  EXPECT_TRUE(Match("status.phase=Running", f));
  EXPECT_TRUE(Match("status.phase==Running", f));
  EXPECT_FALSE(Match("status.phase!=Running", f));
  EXPECT_TRUE(Match("status.phase=Running,spec.nodeName=n1", f));
  EXPECT_FALSE(Match("status.phase=Running,spec.nodeName=n2", f));
  EXPECT_TRUE(Match("spec.nodeName!=", f));
  EXPECT_TRUE(Match(R"(metadata.name=a\,b)", f));
}

TEST(FieldSelectorTest, UnsupportedField) {
  auto sel = FieldSelector::Parse("spec.foo=1,status.phase=Running");
  ASSERT_TRUE(sel.ok());
  EXPECT_EQ(sel->FirstUnsupported({"status.phase"}), "spec.foo");
  EXPECT_EQ(sel->FirstUnsupported({"status.phase", "spec.foo"}), std::nullopt);
}

TEST(FieldSelectorTest, RejectsTermWithoutOperator) {
  EXPECT_FALSE(FieldSelector::Parse("status.phase").ok());
}

}  // namespace
}  // namespace sluice::kubesim
