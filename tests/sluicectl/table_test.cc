#include "tools/sluicectl/table.h"

#include "gtest/gtest.h"

namespace sluice::ctl {
namespace {

TEST(TableTest, AlignsColumnsTwoSpacesApartWithoutTrailingBlanks) {
  Table t({"NAME", "STATE", "NOTE"});
  t.AddRow({"a", "Available", ""});
  t.AddRow({"longer-name", "X"});  // a missing cell is blank
  t.AddRow({"b", "Y", "z", "dropped"});
  EXPECT_EQ(t.rows(), 3u);
  EXPECT_EQ(t.Render(),
            "NAME         STATE      NOTE\n"
            "a            Available\n"
            "longer-name  X\n"
            "b            Y          z\n");
}

TEST(TableTest, WidthsCountCodePoints) {
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("\xC3\xA9t\xC3\xA9"), 3u);  // "été"
  Table t({"A", "B"});
  t.AddRow({"\xC3\xA9t\xC3\xA9", "x"});
  EXPECT_EQ(t.Render(), "A    B\n\xC3\xA9t\xC3\xA9  x\n");
}

TEST(TableTest, HeaderOnly) { EXPECT_EQ(Table({"ONE", "TWO"}).Render(), "ONE  TWO\n"); }

}  // namespace
}  // namespace sluice::ctl
