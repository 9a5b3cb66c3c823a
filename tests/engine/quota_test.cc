#include "scheduler/engine/quota.h"

#include "gtest/gtest.h"

namespace sluice {
namespace {

Quantity Q(const char* s) { return *Quantity::Parse(s); }

ResourceList Pod(const char* cpu, const char* memory) {
  return QuotaUsageOf(ResourceList{{"cpu", Q(cpu)}, {"memory", Q(memory)}},
                      ResourceList{{"cpu", Q(cpu)}, {"memory", Q(memory)}});
}

QuotaObservation Quota(std::initializer_list<std::pair<absl::string_view, Quantity>> hard,
                       std::initializer_list<std::pair<absl::string_view, Quantity>> used = {}) {
  QuotaObservation q;
  q.pod_namespace = "ns";
  q.name = "q1";
  q.hard = ResourceList(hard);
  q.used = ResourceList(used);
  q.status_known = true;
  return q;
}

TEST(QuotaUsageTest, ChargesLikeThePodEvaluator) {
  ResourceList usage = QuotaUsageOf(ResourceList{{"cpu", Q("500m")},
                                                 {"memory", Q("1Gi")},
                                                 {"nvidia.com/gpu", Q("1")},
                                                 {"hugepages-2Mi", Q("4Mi")},
                                                 {"ephemeral-storage", Q("1Gi")}},
                                    ResourceList{{"cpu", Q("1")}, {"memory", Q("2Gi")}});
  EXPECT_EQ(usage.ToString(),
            "count/pods=1,cpu=500m,ephemeral-storage=1Gi,hugepages-2Mi=4Mi,limits.cpu=1,"
            "limits.memory=2Gi,memory=1Gi,pods=1,requests.cpu=500m,requests.ephemeral-storage=1Gi,"
            "requests.hugepages-2Mi=4Mi,requests.memory=1Gi,requests.nvidia.com/gpu=1");
}

TEST(TrackedQuotaTest, FitsUntilTheLimitExactly) {
  TrackedQuota quota(Quota({{"pods", Q("3")}, {"requests.cpu", Q("1")}}));
  ResourceList pod = Pod("500m", "64Mi");
  EXPECT_TRUE(quota.Fits(pod, nullptr));
  quota.AddInFlight(pod);
  EXPECT_TRUE(quota.Fits(pod, nullptr));  // 500m + 500m = 1: exactly the limit
  quota.AddInFlight(pod);
  std::string why;
  EXPECT_FALSE(quota.Fits(pod, &why));
  EXPECT_EQ(why,
            "exceeded quota: q1, requested: requests.cpu=500m, used: requests.cpu=1, "
            "limited: requests.cpu=1");
}

TEST(TrackedQuotaTest, ListsOnlyTheExceededKeysSorted) {
  TrackedQuota quota(Quota({{"pods", Q("1")}, {"requests.memory", Q("1Gi")}, {"cpu", Q("4")}},
                           {{"pods", Q("1")}, {"requests.memory", Q("1Gi")}}));
  std::string why;
  EXPECT_FALSE(quota.Fits(Pod("1", "1Mi"), &why));
  EXPECT_EQ(why,
            "exceeded quota: q1, requested: pods=1,requests.memory=1Mi, used: "
            "pods=1,requests.memory=1Gi, limited: pods=1,requests.memory=1Gi");
}

TEST(TrackedQuotaTest, UsedIsTheMaxOfStatusAndOursPlusInFlight) {
  TrackedQuota quota(Quota({{"pods", Q("10")}}, {{"pods", Q("4")}}));
  ResourceList pod = Pod("1", "1Mi");
  for (int i = 0; i < 6; ++i) quota.AddOurs(pod);  // ours 6 > status 4
  quota.AddInFlight(pod);                          // + 1
  EXPECT_EQ(quota.EstimatedUsed().Get("pods"), Q("7"));
  EXPECT_TRUE(quota.Fits(pod, nullptr));
  quota.AddInFlight(pod);
  quota.AddInFlight(pod);
  quota.AddInFlight(pod);
  EXPECT_FALSE(quota.Fits(pod, nullptr));  // 6 + 4 in flight = 10
  quota.RemoveOurs(pod);
  EXPECT_TRUE(quota.Fits(pod, nullptr));
}

TEST(TrackedQuotaTest, KeysThePodDoesNotChargeDoNotBlock) {
  TrackedQuota quota(Quota({{"requests.nvidia.com/gpu", Q("0")}, {"services", Q("0")}}));
  EXPECT_TRUE(quota.Fits(Pod("1", "1Gi"), nullptr));
}

TEST(TrackedQuotaTest, UnknownStatusWaits) {
  QuotaObservation observation = Quota({{"pods", Q("10")}});
  observation.status_known = false;
  TrackedQuota quota(observation);
  std::string why;
  EXPECT_FALSE(quota.Fits(Pod("1", "1Mi"), &why));
  EXPECT_EQ(why.rfind("status unknown for quota: q1", 0), 0u) << why;
}

TEST(TrackedQuotaTest, CorrectionFromA403) {
  TrackedQuota quota(Quota({{"pods", Q("10")}}, {{"pods", Q("2")}}));
  ResourceList pod = Pod("1", "1Mi");
  EXPECT_TRUE(quota.Fits(pod, nullptr));
  // Another writer used 8 more; the APIServer says so.
  quota.Correct(ResourceList{{"pods", Q("10")}}, ResourceList{{"pods", Q("10")}});
  EXPECT_FALSE(quota.Fits(pod, nullptr));
  // A lower figure later does not undo the correction until status says so.
  quota.Correct(ResourceList{{"pods", Q("5")}}, ResourceList{{"pods", Q("10")}});
  EXPECT_FALSE(quota.Fits(pod, nullptr));
  QuotaObservation fresh = Quota({{"pods", Q("10")}}, {{"pods", Q("5")}});
  quota.Update(fresh);
  EXPECT_TRUE(quota.Fits(pod, nullptr));
}

TEST(TrackedQuotaTest, AccountingOnlyKeepsLimitedKeysAndNeverGoesNegative) {
  TrackedQuota quota(Quota({{"pods", Q("10")}}));
  ResourceList pod = Pod("1", "1Mi");
  quota.AddOurs(pod);
  EXPECT_EQ(quota.ours().ToString(), "pods=1");
  quota.RemoveOurs(pod);
  quota.RemoveOurs(pod);
  EXPECT_EQ(quota.ours().Get("pods"), Q("0"));
}

TEST(TrackedQuotaTest, Scopes) {
  QuotaObservation observation = Quota({{"pods", Q("1")}});
  observation.scopes = {"BestEffort"};
  TrackedQuota best_effort(observation);
  PodScopeFacts facts;
  EXPECT_FALSE(best_effort.Applies(facts));
  facts.best_effort = true;
  EXPECT_TRUE(best_effort.Applies(facts));

  observation.scopes = {"NotTerminating"};
  TrackedQuota not_terminating(observation);
  EXPECT_TRUE(not_terminating.Applies(facts));
  facts.terminating = true;
  EXPECT_FALSE(not_terminating.Applies(facts));

  observation.scopes.clear();
  observation.scope_selector = {{"PriorityClass", "In", {"high", "urgent"}}};
  TrackedQuota priority(observation);
  facts.priority_class = "high";
  EXPECT_TRUE(priority.Applies(facts));
  facts.priority_class = "low";
  EXPECT_FALSE(priority.Applies(facts));
  facts.priority_class = "";
  EXPECT_FALSE(priority.Applies(facts));
  EXPECT_TRUE(priority.unevaluated_scopes().empty());
}

TEST(TrackedQuotaTest, UnknownScopesApplyConservativelyAndAreReported) {
  QuotaObservation observation = Quota({{"pods", Q("1")}});
  observation.scopes = {"SomeFutureScope"};
  TrackedQuota quota(observation);
  EXPECT_TRUE(quota.Applies(PodScopeFacts{}));
  ASSERT_EQ(quota.unevaluated_scopes().size(), 1u);
  EXPECT_EQ(quota.unevaluated_scopes()[0], "SomeFutureScope");
}

}  // namespace
}  // namespace sluice
