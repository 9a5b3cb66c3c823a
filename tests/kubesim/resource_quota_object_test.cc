#include "tools/kubesim/resource_quota_object.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "scheduler/common/clock.h"
#include "tools/kubesim/json_parse.h"
#include "tools/kubesim/sim_cluster.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {
namespace {

std::string MessageOf(const ApiError& e) {
  rapidjson::Document doc;
  ParseJson(e.body, &doc);
  return doc["message"].GetString();
}

class ResourceQuotaObjectTest : public ::testing::Test {
 protected:
  ResourceQuotaObjectTest() : cluster_(clock_, Options()) {}
  static ClusterOptions Options() {
    ClusterOptions o;
    o.nodes = 0;
    o.store.watch_history = 1000;
    return o;
  }
  // The stored JSON after `metadata` (spec and status).
  static std::string Body(const ApiObject& o) {
    const std::string json = o.Json();
    return json.substr(json.find("},\"spec\"") + 2);
  }
  SimulatedClock clock_;
  SimCluster cluster_;
};

TEST_F(ResourceQuotaObjectTest, CreateStoresCanonicalQuantitiesAndNoStatus) {
  auto q = cluster_.CreateQuota(
      "ns", R"({"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"q",)"
            R"("labels":{"team":"a"}},"spec":{"hard":{"requests.memory":"1.5Gi","pods":10,)"
            R"("requests.cpu":"0.5","limits.cpu":"0.0001"}},"status":{"used":{"pods":"3"}}})");
  ASSERT_TRUE(q.ok()) << q.error().body;
  EXPECT_EQ(Body(*q.value()),
            R"("spec":{"hard":{"limits.cpu":"1m","pods":"10","requests.cpu":"500m",)"
            R"("requests.memory":"1536Mi"}},"status":{}})");
  EXPECT_NE(q.value()->Json().find(R"("labels":{"team":"a"})"), std::string::npos);
}

TEST_F(ResourceQuotaObjectTest, ScopesAndSelectorRoundTrip) {
  auto q = cluster_.CreateQuota(
      "ns", R"({"metadata":{"name":"q"},"spec":{"hard":{"pods":"1"},"scopes":["BestEffort"],)"
            R"("scopeSelector":{"matchExpressions":[{"scopeName":"PriorityClass",)"
            R"("operator":"In","values":["high"]}]}}})");
  ASSERT_TRUE(q.ok()) << q.error().body;
  EXPECT_EQ(Body(*q.value()),
            R"("spec":{"hard":{"pods":"1"},"scopes":["BestEffort"],"scopeSelector":)"
            R"({"matchExpressions":[{"scopeName":"PriorityClass","operator":"In",)"
            R"("values":["high"]}]}},"status":{}})");
}

TEST_F(ResourceQuotaObjectTest, BadBodies) {
  auto bad_quantity =
      cluster_.CreateQuota("ns", R"({"metadata":{"name":"q"},"spec":{"hard":{"pods":"ten"}}})");
  ASSERT_FALSE(bad_quantity.ok());
  EXPECT_EQ(bad_quantity.error().http_code, 400);
  EXPECT_EQ(MessageOf(bad_quantity.error()),
            "ResourceQuota in version \"v1\" cannot be handled as a ResourceQuota: quantities "
            "must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  auto invalid = cluster_.CreateQuota(
      "ns", R"({"metadata":{"name":"q"},"spec":{"hard":{"pods":"-1","gpus":"1",)"
            R"("services":"1500m"}}})");
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().http_code, 422);
  EXPECT_EQ(MessageOf(invalid.error()),
            "ResourceQuota \"q\" is invalid: [spec.hard[gpus]: Invalid value: \"gpus\": must be "
            "a standard resource for quota, spec.hard[pods]: Invalid value: \"-1\": must be "
            "greater than or equal to 0, spec.hard[services]: Invalid value: \"1500m\": must be "
            "an integer]");
  auto nameless = cluster_.CreateQuota("ns", R"({"spec":{"hard":{"pods":"1"}}})");
  ASSERT_FALSE(nameless.ok());
  EXPECT_EQ(MessageOf(nameless.error()),
            "ResourceQuota \"\" is invalid: metadata.name: Required value: name or "
            "generateName is required");
  auto wrong_kind = cluster_.CreateQuota("ns", R"({"kind":"Pod","apiVersion":"v1"})");
  EXPECT_EQ(wrong_kind.error().http_code, 400);
  auto twice = cluster_.CreateQuota("ns", R"({"metadata":{"name":"q"}})");
  ASSERT_TRUE(twice.ok());
  twice = cluster_.CreateQuota("ns", R"({"metadata":{"name":"q"}})");
  EXPECT_EQ(MessageOf(twice.error()), "resourcequotas \"q\" already exists");
}

TEST_F(ResourceQuotaObjectTest, ReplaceKeepsStatusAndChecksVersionNameAndScopes) {
  auto q = cluster_.CreateQuota(
      "ns", R"({"metadata":{"name":"q"},"spec":{"hard":{"pods":"1"},"scopes":["BestEffort"]}})");
  ASSERT_TRUE(q.ok());
  cluster_.quota().Sync();
  const std::string rv =
      Cat(cluster_.store().Find("resourcequotas", "ns", "q")->resource_version());
  auto stale = cluster_.ReplaceQuota(
      "ns", "q", R"({"metadata":{"name":"q","resourceVersion":"1"},"spec":{"hard":{}}})");
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().http_code, 409);
  EXPECT_EQ(MessageOf(stale.error()),
            "Operation cannot be fulfilled on resourcequotas \"q\": the object has been "
            "modified; please apply your changes to the latest version and try again");
  auto renamed = cluster_.ReplaceQuota("ns", "q", R"({"metadata":{"name":"r"}})");
  EXPECT_EQ(MessageOf(renamed.error()),
            "the name of the object (r) does not match the name on the URL (q)");
  auto rescoped =
      cluster_.ReplaceQuota("ns", "q", R"({"metadata":{"name":"q"},"spec":{"hard":{"pods":"1"}}})");
  EXPECT_EQ(rescoped.error().http_code, 422);
  auto ok = cluster_.ReplaceQuota(
      "ns", "q",
      Cat(R"({"metadata":{"name":"q","resourceVersion":")", rv,
          R"("},"spec":{"hard":{"pods":"4"},"scopes":["BestEffort"]},"status":{}})"));
  ASSERT_TRUE(ok.ok()) << ok.error().body;
  EXPECT_EQ(Body(*ok.value()), R"("spec":{"hard":{"pods":"4"},"scopes":["BestEffort"]},)"
                               R"("status":{"hard":{"pods":"1"},"used":{"pods":"0"}}})");
}

TEST_F(ResourceQuotaObjectTest, MergePatchSetsAndRemovesKeys) {
  ASSERT_TRUE(cluster_
                  .CreateQuota("ns", R"({"metadata":{"name":"q"},)"
                                     R"("spec":{"hard":{"pods":"1","requests.cpu":"2"}}})")
                  .ok());
  auto patched = cluster_.PatchQuota(
      "ns", "q", R"({"spec":{"hard":{"pods":"5","requests.cpu":null,"limits.memory":"1Gi"}}})");
  ASSERT_TRUE(patched.ok()) << patched.error().body;
  EXPECT_EQ(Body(*patched.value()),
            R"("spec":{"hard":{"limits.memory":"1Gi","pods":"5"}},"status":{}})");
  EXPECT_EQ(cluster_.PatchQuota("ns", "q", "{not json").error().http_code, 400);
  EXPECT_EQ(cluster_.PatchQuota("ns", "nope", "{}").error().http_code, 404);
}

TEST_F(ResourceQuotaObjectTest, KubectlColumns) {
  QuotaSeed seed;
  seed.namespace_name = "ns";
  seed.spec.hard = *ResourceList::Parse("pods=10,requests.cpu=4,limits.cpu=8,limits.memory=16Gi");
  auto q = cluster_.SetQuota(seed);
  ASSERT_TRUE(q.ok());
  const auto& quota = static_cast<const ResourceQuotaObject&>(*q.value());
  EXPECT_EQ(quota.RequestColumn(), "pods: 0/10, requests.cpu: 0/4");
  EXPECT_EQ(quota.LimitColumn(), "limits.cpu: 0/8, limits.memory: 0/16Gi");
}

}  // namespace
}  // namespace sluice::kubesim
