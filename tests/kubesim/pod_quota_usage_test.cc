#include "tools/kubesim/pod_quota_usage.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "tests/kubesim/test_pods.h"
#include "tools/kubesim/pod_create.h"

namespace sluice::kubesim {
namespace {

using testing::PodWithContainers;
using testing::PodWithResources;

std::shared_ptr<Pod> Parse(const std::string& body) {
  auto parsed = ParsePodForCreate(body, "ns", absl::FromUnixSeconds(1'700'000'000));
  EXPECT_TRUE(parsed.ok());
  return parsed.value().pod;
}

std::string Usage(const std::string& body) {
  return ComputePodQuotaFacts(*Parse(body)).usage.ToString();
}

TEST(PodQuotaUsageTest, BestEffortPodCountsOnlyAsAPod) {
  EXPECT_EQ(Usage(testing::PodBody("p")), "count/pods=1,pods=1");
  EXPECT_TRUE(ComputePodQuotaFacts(*Parse(testing::PodBody("p"))).best_effort);
}

TEST(PodQuotaUsageTest, RequestsAndLimitsGiveBothKeyFamilies) {
  EXPECT_EQ(Usage(PodWithResources(
                "p", R"({"requests":{"cpu":"0.5","memory":"1.5Gi","ephemeral-storage":"1G"},)"
                     R"("limits":{"cpu":1,"memory":"2Gi"}})")),
            "count/pods=1,cpu=500m,ephemeral-storage=1G,limits.cpu=1,limits.memory=2Gi,"
            "memory=1536Mi,pods=1,requests.cpu=500m,requests.ephemeral-storage=1G,"
            "requests.memory=1536Mi");
}

TEST(PodQuotaUsageTest, LimitsWithoutRequestsDefaultTheRequests) {
  EXPECT_EQ(Usage(PodWithResources("p", R"({"limits":{"cpu":"250m"}})")),
            "count/pods=1,cpu=250m,limits.cpu=250m,pods=1,requests.cpu=250m");
}

TEST(PodQuotaUsageTest, MaxOfContainerSumAndEachInitContainerPlusOverhead) {
  const std::string body = PodWithContainers(
      "p",
      R"([{"name":"a","image":"i","resources":{"requests":{"cpu":"100m","memory":"1Gi"}}},)"
      R"({"name":"b","image":"i","resources":{"requests":{"cpu":"200m"}}}])",
      R"("initContainers":[{"name":"init","image":"i",)"
      R"("resources":{"requests":{"cpu":"500m","memory":"512Mi"}}}],)"
      R"("overhead":{"cpu":"50m"})");
  EXPECT_EQ(Usage(body),
            "count/pods=1,cpu=550m,memory=1Gi,pods=1,requests.cpu=550m,requests.memory=1Gi");
}

TEST(PodQuotaUsageTest, SidecarsAddToTheContainers) {
  const std::string body = PodWithContainers(
      "p", R"([{"name":"a","image":"i","resources":{"requests":{"cpu":"100m"}}}])",
      R"("initContainers":[{"name":"side","image":"i","restartPolicy":"Always",)"
      R"("resources":{"requests":{"cpu":"300m"}}}])");
  EXPECT_EQ(Usage(body), "count/pods=1,cpu=400m,pods=1,requests.cpu=400m");
}

TEST(PodQuotaUsageTest, ExtendedResourcesTakeOnlyTheRequestsPrefix) {
  EXPECT_EQ(Usage(PodWithResources("p", R"({"limits":{"nvidia.com/gpu":"2"}})")),
            "count/pods=1,pods=1,requests.nvidia.com/gpu=2");
  EXPECT_EQ(Usage(PodWithResources("p", R"({"requests":{"hugepages-2Mi":"4Mi"}})")),
            "count/pods=1,hugepages-2Mi=4Mi,pods=1,requests.hugepages-2Mi=4Mi");
}

TEST(PodQuotaUsageTest, MatchingResourcesKeepWhatPodsConsume) {
  const ResourceList hard = *ResourceList::Parse(
      "configmaps=5,count/pods=3,limits.memory=1Gi,pods=2,requests.nvidia.com/gpu=1,"
      "services=4,requests.storage=1Ti,hugepages-2Mi=1Gi");
  const std::vector<std::string> want = {"count/pods", "hugepages-2Mi", "limits.memory", "pods",
                                         "requests.nvidia.com/gpu"};
  EXPECT_EQ(PodQuotaResources(hard), want);
}

TEST(PodQuotaUsageTest, ConstraintsNameTheContainersMissingAValue) {
  const std::string body =
      PodWithContainers("p", R"([{"name":"b","image":"i","resources":{}},)"
                             R"({"name":"a","image":"i","resources":{"limits":{"cpu":"1"}}}])");
  const PodQuotaFacts facts = ComputePodQuotaFacts(*Parse(body));
  EXPECT_EQ(QuotaConstraintError(facts, {"limits.cpu", "limits.memory", "pods"}),
            "must specify limits.cpu for: b; limits.memory for: a,b");
  // requests.cpu is defaulted from a's limit, not b's.
  EXPECT_EQ(QuotaConstraintError(facts, {"requests.cpu"}), "must specify requests.cpu for: b");
  EXPECT_EQ(QuotaConstraintError(facts, {"pods", "requests.nvidia.com/gpu"}), "");
}

TEST(PodQuotaUsageTest, Scopes) {
  const PodQuotaFacts best_effort = ComputePodQuotaFacts(*Parse(testing::PodBody("p")));
  const PodQuotaFacts high = ComputePodQuotaFacts(
      *Parse(PodWithContainers("p", R"([{"name":"a","image":"i"}])",
                               R"("priorityClassName":"high","activeDeadlineSeconds":60)")));
  QuotaSpec spec;
  EXPECT_TRUE(PodMatchesQuotaScopes(best_effort, spec));
  spec.scopes = {"BestEffort"};
  EXPECT_TRUE(PodMatchesQuotaScopes(best_effort, spec));
  spec.scopes = {"NotBestEffort"};
  EXPECT_FALSE(PodMatchesQuotaScopes(best_effort, spec));
  spec.scopes = {"Terminating"};
  EXPECT_FALSE(PodMatchesQuotaScopes(best_effort, spec));
  EXPECT_TRUE(PodMatchesQuotaScopes(high, spec));
  spec.scopes.clear();
  spec.scope_selector = {{"PriorityClass", "In", {"high", "mid"}}};
  EXPECT_TRUE(PodMatchesQuotaScopes(high, spec));
  EXPECT_FALSE(PodMatchesQuotaScopes(best_effort, spec));
  spec.scope_selector = {{"PriorityClass", "NotIn", {"high"}}};
  EXPECT_FALSE(PodMatchesQuotaScopes(high, spec));
  EXPECT_TRUE(PodMatchesQuotaScopes(best_effort, spec));
  spec.scope_selector = {{"PriorityClass", "DoesNotExist", {}}};
  EXPECT_TRUE(PodMatchesQuotaScopes(best_effort, spec));
}

}  // namespace
}  // namespace sluice::kubesim
