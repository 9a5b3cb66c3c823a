#include "tools/sluicectl/yaml_json.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sluice::ctl {
namespace {

using ::testing::HasSubstr;

std::string Json(const std::string& yaml) {
  absl::StatusOr<std::string> json = YamlToJson(YAML::Load(yaml));
  EXPECT_TRUE(json.ok()) << json.status();
  return json.ok() ? *json : "";
}

TEST(YamlToJsonTest, PlainScalarsFollowTheCoreSchema) {
  EXPECT_EQ(Json("a: 1\nb: -7\nc: 0x1F\nd: 0o17\ne: +3"), R"({"a":1,"b":-7,"c":31,"d":15,"e":3})");
  EXPECT_EQ(Json("a: 1.5\nb: 1e3\nc: .5"), R"({"a":1.5,"b":1000.0,"c":0.5})");
  EXPECT_EQ(Json("a: true\nb: False\nc: null\nd: ~\ne:"),
            R"({"a":true,"b":false,"c":null,"d":null,"e":null})");
  // YAML 1.1's yes/no/on/off are strings in 1.2, as are quantities and versions.
  EXPECT_EQ(Json("a: yes\nb: off\nc: 100m\nd: 1.2.3\ne: 64Mi"),
            R"({"a":"yes","b":"off","c":"100m","d":"1.2.3","e":"64Mi"})");
}

TEST(YamlToJsonTest, QuotedAndTaggedScalars) {
  EXPECT_EQ(Json("a: \"1\"\nb: 'true'\nc: !!str 5\nd: !!int \"5\"\ne: !!float 2"),
            R"({"a":"1","b":"true","c":"5","d":5,"e":2.0})");
  EXPECT_EQ(Json("a: \"tab\\there \\u00e9\""), "{\"a\":\"tab\\there \xC3\xA9\"}");
}

TEST(YamlToJsonTest, NestedBlocksAndFlowsKeepOrder) {
  EXPECT_EQ(Json("z: 1\na:\n  - {x: [1, two]}\n  - - 3\n"), R"({"z":1,"a":[{"x":[1,"two"]},[3]]})");
  EXPECT_EQ(Json("{\"kind\": \"Pod\", \"spec\": {\"containers\": []}}"),
            R"({"kind":"Pod","spec":{"containers":[]}})");
}

TEST(YamlToJsonTest, WhatJsonCannotHoldIsRefusedWithItsPath) {
  absl::StatusOr<std::string> json =
      YamlToJson(YAML::Load("spec:\n  containers:\n  - cpu: .inf\n"));
  ASSERT_FALSE(json.ok());
  EXPECT_THAT(json.status().message(), HasSubstr("spec.containers[0].cpu (line 3): '.inf'"));
  json = YamlToJson(YAML::Load("? [a, b]\n: 1\n"));
  ASSERT_FALSE(json.ok());
  EXPECT_THAT(json.status().message(), HasSubstr("a map key must be a scalar"));
  json = YamlToJson(YAML::Load("a: !!int abc\n"));
  ASSERT_FALSE(json.ok());
  EXPECT_THAT(json.status().message(), HasSubstr("a (line 1): 'abc' is not a 64-bit integer"));
  json = YamlToJson(YAML::Load("a: 99999999999999999999\n"));
  EXPECT_FALSE(json.ok());
}

}  // namespace
}  // namespace sluice::ctl
