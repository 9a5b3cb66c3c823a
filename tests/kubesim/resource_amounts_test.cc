#include "tools/kubesim/resource_amounts.h"

#include <limits>

#include "gtest/gtest.h"

namespace sluice::kubesim {
namespace {

TEST(ResourceAmountsTest, ParsesQuantitiesToMilli) {
  EXPECT_EQ(ParseQuantityMilli("1"), 1000);
  EXPECT_EQ(ParseQuantityMilli("500m"), 500);
  EXPECT_EQ(ParseQuantityMilli("1.5"), 1500);
  EXPECT_EQ(ParseQuantityMilli(".5"), 500);
  EXPECT_EQ(ParseQuantityMilli("1."), 1000);
  EXPECT_EQ(ParseQuantityMilli("1Ki"), 1024'000);
  EXPECT_EQ(ParseQuantityMilli("1.5Gi"), int64_t{1610612736} * 1000);
  EXPECT_EQ(ParseQuantityMilli("128974848"), int64_t{128974848} * 1000);
  EXPECT_EQ(ParseQuantityMilli("129e6"), int64_t{129000000} * 1000);
  EXPECT_EQ(ParseQuantityMilli("2e3"), 2'000'000);
  EXPECT_EQ(ParseQuantityMilli("1E-3"), 1);
  EXPECT_EQ(ParseQuantityMilli("1k"), 1'000'000);
  EXPECT_EQ(ParseQuantityMilli("1M"), 1'000'000'000);
  EXPECT_EQ(ParseQuantityMilli("-1"), -1000);
  EXPECT_EQ(ParseQuantityMilli("+2"), 2000);
  EXPECT_EQ(ParseQuantityMilli("0"), 0);
}

TEST(ResourceAmountsTest, RoundsSubMilliUp) {
  EXPECT_EQ(ParseQuantityMilli("1n"), 1);
  EXPECT_EQ(ParseQuantityMilli("1u"), 1);
  EXPECT_EQ(ParseQuantityMilli("1500u"), 2);
  EXPECT_EQ(ParseQuantityMilli("0.0001"), 1);
}

TEST(ResourceAmountsTest, Saturates) {
  EXPECT_EQ(ParseQuantityMilli("100Ei"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ParseQuantityMilli("1e30"), std::numeric_limits<int64_t>::max());
}

TEST(ResourceAmountsTest, RejectsGarbage) {
  for (const char* bad : {"", "m", "1mi", "1KB", "abc", "1e", "1.2.3", "1 Gi"}) {
    EXPECT_EQ(ParseQuantityMilli(bad), std::nullopt) << bad;
  }
}

TEST(ResourceAmountsTest, AddAndMax) {
  ResourceAmounts a = {{"cpu", 100}};
  AddAmounts(&a, {{"cpu", 50}, {"memory", 10}});
  EXPECT_EQ(a, (ResourceAmounts{{"cpu", 150}, {"memory", 10}}));
  MaxAmounts(&a, {{"cpu", 120}, {"memory", 20}, {"gpu", 1}});
  EXPECT_EQ(a, (ResourceAmounts{{"cpu", 150}, {"gpu", 1}, {"memory", 20}}));
}

}  // namespace
}  // namespace sluice::kubesim
