#include "tools/loadgen/kubesim_history.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace sluice::loadgen {
namespace {

TEST(KubesimHistoryTest, CreateTimesByPodOfThePlan) {
  WorkloadPlan::Options o;
  o.shapes = {{2, "argo", 0, 0}};
  WorkloadPlan plan = WorkloadPlan::Make(o);
  const std::string json =
      absl::StrCat(R"([{"namespace":"argo","name":")", plan.pods()[1].name,
                   R"(","created":"2026-12-02T02:44:18.672581719Z","phase":"Running"},)",
                   R"({"namespace":"other","name":"x","created":"2026-12-02T02:44:18Z"},)",
                   R"({"namespace":"argo","name":")", plan.pods()[0].name, R"(","created":null}])");
  absl::StatusOr<std::vector<std::optional<absl::Time>>> times = ParseCreateTimes(json, plan);
  ASSERT_TRUE(times.ok()) << times.status();
  ASSERT_EQ(times->size(), 2u);
  EXPECT_FALSE((*times)[0].has_value());
  ASSERT_TRUE((*times)[1].has_value());
  EXPECT_EQ(absl::ToUnixNanos(*(*times)[1]) % 1'000'000'000, 672581719);
  EXPECT_FALSE(ParseCreateTimes("{}", plan).ok());
}

}  // namespace
}  // namespace sluice::loadgen
