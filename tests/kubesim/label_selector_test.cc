#include "tools/kubesim/label_selector.h"

#include "gtest/gtest.h"

namespace sluice::kubesim {
namespace {

StringMap Labels(StringMap m) {
  NormalizeStringMap(&m);
  return m;
}

bool Match(const char* selector, const StringMap& labels) {
  auto sel = LabelSelector::Parse(selector);
  EXPECT_TRUE(sel.ok()) << selector << ": " << sel.status();
  return sel.ok() && sel->Matches(labels);
}

TEST(LabelSelectorTest, EmptyMatchesEverything) {
  EXPECT_TRUE(Match("", {}));
  EXPECT_TRUE(Match("  ", Labels({{"a", "b"}})));
}

TEST(LabelSelectorTest, Equality) {
  const StringMap l = Labels({{"app", "web"}, {"tier", "front"}});
  EXPECT_TRUE(Match("app=web", l));
  EXPECT_TRUE(Match("app==web", l));
  EXPECT_TRUE(Match("app=web,tier=front", l));
  EXPECT_FALSE(Match("app=web,tier=back", l));
  EXPECT_FALSE(Match("app=db", l));
  EXPECT_FALSE(Match("missing=x", l));
}

TEST(LabelSelectorTest, Inequality) {
  const StringMap l = Labels({{"app", "web"}});
  EXPECT_FALSE(Match("app!=web", l));
  EXPECT_TRUE(Match("app!=db", l));
  EXPECT_TRUE(Match("other!=x", l));  // absent label matches !=
}

TEST(LabelSelectorTest, SetBased) {
  const StringMap l = Labels({{"env", "prod"}, {"tier", "a"}});
  EXPECT_TRUE(Match("env in (prod,staging)", l));
  EXPECT_TRUE(Match("env in (prod)", l));
  EXPECT_FALSE(Match("env in (dev, staging)", l));
  EXPECT_TRUE(Match("env notin (dev,staging)", l));
  EXPECT_FALSE(Match("env notin (prod)", l));
  EXPECT_TRUE(Match("absent notin (prod)", l));
  EXPECT_FALSE(Match("absent in (prod)", l));
  EXPECT_TRUE(Match("env in (prod,staging),tier notin (b)", l));
}

TEST(LabelSelectorTest, Existence) {
  const StringMap l = Labels({{"sluice.dev/workflow", "w1"}});
  EXPECT_TRUE(Match("sluice.dev/workflow", l));
  EXPECT_FALSE(Match("!sluice.dev/workflow", l));
  EXPECT_TRUE(Match("!other", l));
  EXPECT_FALSE(Match("other", l));
  EXPECT_TRUE(Match("sluice.dev/workflow,!other", l));
}

TEST(LabelSelectorTest, GreaterAndLess) {
  const StringMap l = Labels({{"n", "5"}});
  EXPECT_TRUE(Match("n>4", l));
  EXPECT_FALSE(Match("n>5", l));
  EXPECT_TRUE(Match("n<6", l));
  EXPECT_FALSE(Match("m<6", l));
}

TEST(LabelSelectorTest, EmptyValue) {
  EXPECT_TRUE(Match("a=", Labels({{"a", ""}})));
  EXPECT_FALSE(Match("a=", Labels({{"a", "x"}})));
}

TEST(LabelSelectorTest, RejectsMalformed) {
  for (const char* bad :
       {"=x", "app in prod", "app in (a", "a b", "app=web,", "a=b=c", "n>x", "in (a)", "a=-x"}) {
    EXPECT_FALSE(LabelSelector::Parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace sluice::kubesim
