#include "tools/sluicectl/cost_command.h"

#include "gtest/gtest.h"

namespace sluice::ctl {
namespace {

TEST(CostCommand, Request) {
  const absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  v1::GetCostRequest r = *CostRequest("label=team", absl::Hours(24), now);
  EXPECT_EQ(r.group_by(), v1::COST_GROUP_BY_LABEL);
  EXPECT_EQ(r.label_key(), "team");
  EXPECT_EQ(r.since().seconds(), 1'700'000'000 - 86'400);
  r = *CostRequest("pod", absl::ZeroDuration(), now);
  EXPECT_EQ(r.group_by(), v1::COST_GROUP_BY_POD);
  EXPECT_FALSE(r.has_since());
  EXPECT_FALSE(CostRequest("node", absl::Hours(1), now).ok());
  EXPECT_FALSE(CostRequest("label=", absl::Hours(1), now).ok());
}

TEST(CostCommand, MoneyIsAnExactDecimal) {
  EXPECT_EQ(MoneyText(40'800'000), "0.040800000");
  EXPECT_EQ(MoneyText(12'000'000'001), "12.000000001");
  EXPECT_EQ(MoneyText(-5), "-0.000000005");
}

TEST(CostCommand, TableAndCsv) {
  v1::GetCostResponse response;
  v1::CostGroup* g = response.add_groups();
  g->set_key("wf-1");
  g->set_workflow_name("nightly, risk");
  g->set_currency("USD");
  g->set_cost_nano(1'500'000'000);
  g->set_attempts(3);
  g->set_running(1);
  g->set_billed_seconds(90);
  v1::CostTotal* t = response.add_totals();
  t->set_currency("USD");
  t->set_cost_nano(1'500'000'000);
  t->set_attempts(3);
  t->set_running(1);
  const std::string text = CostText(response, "workflow");
  EXPECT_NE(text.find("1.500000000"), std::string::npos) << text;
  EXPECT_NE(text.find("Total 1.500000000 USD over 3 attempts (1 running)"), std::string::npos);
  EXPECT_EQ(CostCsv(response, "workflow"),
            "workflow,name,wf_namespace,cost_nano,currency,attempts,running,billed_seconds\n"
            "wf-1,\"nightly, risk\",,1500000000,USD,3,1,90\n");
}

}  // namespace
}  // namespace sluice::ctl
