#include "tools/sluicectl/intent_builder.h"

#include <regex>

#include "absl/random/random.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sluice::ctl {
namespace {

using ::testing::HasSubstr;

PodManifest Manifest(const std::string& ns, const std::string& name,
                     const std::string& generate_name = "") {
  PodManifest m;
  m.pod_namespace = ns;
  m.name = name;
  m.generate_name = generate_name;
  m.json = "{}";
  return m;
}

TEST(BuildIntentTest, NamespaceFlagThenManifestThenDefault) {
  absl::BitGen random;
  IntentSettings settings;
  EXPECT_EQ(BuildIntent(Manifest("", "p"), settings, random).namespace_(), "default");
  EXPECT_EQ(BuildIntent(Manifest("team", "p"), settings, random).namespace_(), "team");
  settings.namespace_flag = "flag";
  EXPECT_EQ(BuildIntent(Manifest("team", "p"), settings, random).namespace_(), "flag");
}

TEST(BuildIntentTest, CarriesTheSettingsAndTheManifest) {
  absl::BitGen random;
  IntentSettings settings;
  settings.workflow.set_uid("wf-1");
  settings.workflow.set_name("demo");
  settings.priority = 5;
  settings.policy = v1::CAPACITY_POLICY_SPOT_ONLY;
  settings.cost_labels = {{"team", "quant"}};
  settings.allowed_pools = {"spot-a", "spot-b"};
  const v1::PodIntent intent = BuildIntent(Manifest("ns", "p"), settings, random);
  EXPECT_EQ(intent.name(), "p");
  EXPECT_EQ(intent.workflow().uid(), "wf-1");
  EXPECT_EQ(intent.workflow().name(), "demo");
  EXPECT_EQ(intent.priority(), 5);
  EXPECT_EQ(intent.capacity_policy(), v1::CAPACITY_POLICY_SPOT_ONLY);
  EXPECT_EQ(intent.cost_labels().at("team"), "quant");
  EXPECT_EQ(intent.allowed_pools_size(), 2);
  EXPECT_EQ(intent.pod_json(), "{}");
}

TEST(BuildIntentTest, GenerateNameGetsFiveCharactersAndNoNameStaysEmpty) {
  absl::BitGen random;
  const v1::PodIntent generated = BuildIntent(Manifest("", "", "job-"), IntentSettings(), random);
  EXPECT_TRUE(
      std::regex_match(generated.name(), std::regex("job-[bcdfghjklmnpqrstvwxz2456789]{5}")))
      << generated.name();
  EXPECT_EQ(BuildIntent(Manifest("", ""), IntentSettings(), random).name(), "");
}

TEST(NewWorkflowUidTest, IsAVersion4Uuid) {
  absl::BitGen random;
  const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (int i = 0; i < 100; ++i) {
    const std::string uid = NewWorkflowUid(random);
    EXPECT_TRUE(std::regex_match(uid, uuid)) << uid;
  }
  EXPECT_NE(NewWorkflowUid(random), NewWorkflowUid(random));
}

TEST(ParsePolicyTest, SpellingsOfTheThreePolicies) {
  EXPECT_EQ(*ParsePolicy("on-demand"), v1::CAPACITY_POLICY_ON_DEMAND);
  EXPECT_EQ(*ParsePolicy("SPOT_PREFERRED"), v1::CAPACITY_POLICY_SPOT_PREFERRED);
  EXPECT_EQ(*ParsePolicy("Spot-Only"), v1::CAPACITY_POLICY_SPOT_ONLY);
  EXPECT_THAT(ParsePolicy("spot").status().message(),
              HasSubstr("must be on-demand, spot-preferred or spot-only"));
}

TEST(ParseCostLabelsTest, KeyEqualsValue) {
  absl::StatusOr<std::map<std::string, std::string>> labels =
      ParseCostLabels({"team=quant", "cost-center=", "x=a=b"});
  ASSERT_TRUE(labels.ok());
  EXPECT_EQ(labels->at("team"), "quant");
  EXPECT_EQ(labels->at("cost-center"), "");
  EXPECT_EQ(labels->at("x"), "a=b");
  EXPECT_THAT(ParseCostLabels({"team"}).status().message(), HasSubstr("expected KEY=VALUE"));
  EXPECT_THAT(ParseCostLabels({"=v"}).status().message(), HasSubstr("expected KEY=VALUE"));
  EXPECT_THAT(ParseCostLabels({"a=1", "a=2"}).status().message(), HasSubstr("given twice"));
}

}  // namespace
}  // namespace sluice::ctl
