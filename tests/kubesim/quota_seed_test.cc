#include "tools/kubesim/quota_seed.h"

#include "gtest/gtest.h"

namespace sluice::kubesim {
namespace {

TEST(QuotaSeedTest, FlagForm) {
  absl::StatusOr<QuotaSeed> s =
      ParseQuotaFlag("ns=team-a,pods=10,requests.cpu=4, requests.memory=8Gi");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->namespace_name, "team-a");
  EXPECT_EQ(s->name, "quota");
  EXPECT_EQ(s->spec.hard.ToString(), "pods=10,requests.cpu=4,requests.memory=8Gi");
  s = ParseQuotaFlag("name=gpu,namespace=ml,requests.nvidia.com/gpu=2");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->name, "gpu");
  EXPECT_EQ(s->spec.hard.ToString(), "requests.nvidia.com/gpu=2");
}

TEST(QuotaSeedTest, FlagErrors) {
  EXPECT_EQ(ParseQuotaFlag("pods=1").status().message(),
            "quota \"pods=1\": the namespace (ns=NAME) is missing");
  EXPECT_EQ(ParseQuotaFlag("ns=a").status().message(),
            "quota \"ns=a\": no resource limits (e.g. pods=10)");
  EXPECT_FALSE(ParseQuotaFlag("ns=a,pods=ten").ok());
  EXPECT_FALSE(ParseQuotaFlag("ns=a,pods").ok());
  EXPECT_FALSE(ParseQuotaFlag("ns=a,pods=-1").ok());
}

TEST(QuotaSeedTest, JsonForms) {
  auto seeds = ParseQuotaSeedsJson(
      R"([{"spec":"ns=a,pods=2"},{"namespace":"b","name":"q","hard":{"pods":3,"cpu":"1.5"}}])");
  ASSERT_TRUE(seeds.ok()) << seeds.status();
  ASSERT_EQ(seeds->size(), 2u);
  EXPECT_EQ((*seeds)[0].spec.hard.ToString(), "pods=2");
  EXPECT_EQ((*seeds)[1].namespace_name, "b");
  EXPECT_EQ((*seeds)[1].name, "q");
  EXPECT_EQ((*seeds)[1].spec.hard.ToString(), "cpu=1500m,pods=3");
  EXPECT_TRUE(ParseQuotaSeedsJson(R"({"spec":"ns=a,pods=2"})").ok());
  EXPECT_FALSE(ParseQuotaSeedsJson(R"({"hard":{"pods":"1"}})").ok());
  EXPECT_FALSE(ParseQuotaSeedsJson("nope").ok());
}

}  // namespace
}  // namespace sluice::kubesim
