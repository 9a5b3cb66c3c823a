#include "tools/loadgen/quota_books.h"

#include "gtest/gtest.h"

namespace sluice::loadgen {
namespace {

constexpr char kQuotas[] = R"({"quotas":[
  {"namespace":"a","name":"quota","synced":true,"spec_hard":{"pods":"10"},
   "hard":{"pods":"10","requests.cpu":"4"},"used":{"pods":"5","requests.cpu":"3500m"},"refused":0},
  {"namespace":"b","name":"quota","synced":true,"hard":{"pods":"10"},"used":{"pods":"10"},"refused":2}
 ],"refused_total":2})";

TEST(QuotaBooksTest, ParsesQuantitiesToMilli) {
  absl::StatusOr<std::vector<QuotaBook>> books = ParseSimQuotas(kQuotas);
  ASSERT_TRUE(books.ok()) << books.status();
  ASSERT_EQ(books->size(), 2u);
  EXPECT_EQ((*books)[0].namespace_, "a");
  EXPECT_EQ((*books)[0].hard_milli.at("pods"), 10'000);
  EXPECT_EQ((*books)[0].used_milli.at("requests.cpu"), 3'500);
  EXPECT_FALSE(ParseSimQuotas("{}").ok());
  EXPECT_FALSE(ParseSimQuotas("not json").ok());
}

TEST(QuotaBooksTest, UtilizationIsTheBindingResourceOverNamespacesBeyondQuota) {
  std::vector<QuotaBook> books = *ParseSimQuotas(kQuotas);
  int over = 0;
  // a: demand 11 > 10, binding cpu 3.5/4 = 0.875; b: demand 20, pods 10/10 = 1.
  std::optional<double> u = QuotaUtilization(books, {{"a", 11}, {"b", 20}}, &over);
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(over, 2);
  EXPECT_DOUBLE_EQ(*u, (0.875 + 1.0) / 2);
  // Demand equal to the quota does not count.
  u = QuotaUtilization(books, {{"a", 10}, {"b", 20}}, &over);
  EXPECT_EQ(over, 1);
  EXPECT_DOUBLE_EQ(*u, 1.0);
  EXPECT_FALSE(QuotaUtilization(books, {{"a", 3}}).has_value());
}

}  // namespace
}  // namespace sluice::loadgen
