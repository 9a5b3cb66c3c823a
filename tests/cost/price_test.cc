#include "scheduler/cost/price.h"

#include "gtest/gtest.h"

namespace sluice::cost {
namespace {

TEST(ParseNanoUnits, ExactDecimals) {
  EXPECT_EQ(*ParseNanoUnits("0.0408"), 40'800'000);
  EXPECT_EQ(*ParseNanoUnits("12"), 12'000'000'000);
  EXPECT_EQ(*ParseNanoUnits("3."), 3'000'000'000);
  EXPECT_EQ(*ParseNanoUnits(".5"), 500'000'000);
  EXPECT_EQ(*ParseNanoUnits("0.000000001"), 1);
  EXPECT_EQ(*ParseNanoUnits("0"), 0);
  EXPECT_EQ(*ParseNanoUnits("1000000"), 1'000'000'000'000'000);
  // 0.1 is not exact as a double; it is here.
  EXPECT_EQ(*ParseNanoUnits("0.1") * 3, *ParseNanoUnits("0.3"));
}

TEST(ParseNanoUnits, Refusals) {
  for (const char* bad : {"", ".", "-1", "1e3", "0x10", "1.2.3", " 1", "0.0000000001", "1000001",
                          "1000000.000000001", "abc"}) {
    EXPECT_FALSE(ParseNanoUnits(bad).ok()) << bad;
  }
  EXPECT_EQ(ParseNanoUnits("0.0000000001").status().message(),
            "\"0.0000000001\": more than 9 decimal places (not exact in nano-units)");
}

TEST(FormatNanoUnits, NineDigits) {
  EXPECT_EQ(FormatNanoUnits(40'800'000), "0.040800000");
  EXPECT_EQ(FormatNanoUnits(0), "0.000000000");
  EXPECT_EQ(FormatNanoUnits(12'000'000'001), "12.000000001");
  EXPECT_EQ(FormatNanoUnits(-1'000'000'000), "-1.000000000");
}

}  // namespace
}  // namespace sluice::cost
