#include "tools/kubesim/quota_ledger.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/kubesim/test_pods.h"
#include "tools/kubesim/json_parse.h"
#include "tools/kubesim/pod_create.h"

namespace sluice::kubesim {
namespace {

using testing::PodWithContainers;
using testing::PodWithResources;

std::shared_ptr<Pod> Parse(const std::string& body, std::string_view ns = "ns") {
  auto parsed = ParsePodForCreate(body, ns, absl::FromUnixSeconds(1'700'000'000));
  EXPECT_TRUE(parsed.ok());
  return parsed.value().pod;
}

std::string CpuMem(std::string_view name, std::string_view cpu, std::string_view memory) {
  return PodWithResources(name,
                          Cat(R"({"requests":{"cpu":")", cpu, R"(","memory":")", memory, R"("}})"));
}

QuotaSpec Hard(std::string_view text) {
  QuotaSpec spec;
  spec.hard = *ResourceList::Parse(ToAbsl(text));
  return spec;
}

std::string MessageOf(const std::optional<ApiError>& error) {
  if (!error.has_value()) return "admitted";
  rapidjson::Document doc;
  ParseJson(error->body, &doc);
  return doc["message"].GetString();
}

class QuotaLedgerTest : public ::testing::Test {
 protected:
  // Admits and, if admitted, commits the pod (as the store would).
  std::string Create(const std::string& body, std::string_view ns = "ns") {
    std::shared_ptr<Pod> pod = Parse(body, ns);
    std::optional<ApiError> refused = ledger_.AdmitPod(*pod);
    if (!refused.has_value()) {
      ledger_.PodAdded(*pod);
      pods_.push_back(pod);
    }
    return MessageOf(refused);
  }
  const std::string& Uid(size_t i) const { return pods_[i]->meta().uid; }
  // "name: used/hard" of every quota, in order.
  std::string Books() {
    std::string out;
    for (const auto& v : ledger_.Quotas()) {
      Append(&out, out.empty() ? "" : " | ", v.namespace_name, "/", v.name, ": ",
             v.synced ? Cat(v.used.ToString(), " of ", v.hard.ToString()) : "unsynced");
    }
    return out;
  }

  QuotaLedger ledger_;
  std::vector<std::shared_ptr<Pod>> pods_;
};

TEST_F(QuotaLedgerTest, NoQuotaAdmitsEverything) {
  EXPECT_EQ(Create(CpuMem("a", "64", "1Ti")), "admitted");
  EXPECT_EQ(ledger_.refused(), 0);
}

TEST_F(QuotaLedgerTest, ExceededQuotaNamesOnlyTheExceededResources) {
  ledger_.UpsertQuota("ns", "q", Hard("pods=10,requests.cpu=1,requests.memory=2Gi"));
  ledger_.Sync();
  EXPECT_EQ(Create(CpuMem("a", "600m", "1.5Gi")), "admitted");
  EXPECT_EQ(Create(CpuMem("b", "600m", "256Mi")),
            "pods \"b\" is forbidden: exceeded quota: q, requested: requests.cpu=600m, used: "
            "requests.cpu=600m, limited: requests.cpu=1");
  EXPECT_EQ(Create(CpuMem("c", "300m", "1Gi")),
            "pods \"c\" is forbidden: exceeded quota: q, requested: requests.memory=1Gi, used: "
            "requests.memory=1536Mi, limited: requests.memory=2Gi");
  EXPECT_EQ(Create(CpuMem("d", "500m", "600Mi")),
            "pods \"d\" is forbidden: exceeded quota: q, requested: "
            "requests.cpu=500m,requests.memory=600Mi, used: "
            "requests.cpu=600m,requests.memory=1536Mi, limited: "
            "requests.cpu=1,requests.memory=2Gi");
  EXPECT_EQ(Create(CpuMem("e", "400m", "512Mi")), "admitted");  // exactly at the limit
  EXPECT_EQ(Books(),
            "ns/q: pods=2,requests.cpu=1,requests.memory=2Gi of "
            "pods=10,requests.cpu=1,requests.memory=2Gi");
  EXPECT_EQ(ledger_.refused(), 3);
}

TEST_F(QuotaLedgerTest, TheRefusalIsTheApiserversStatus) {
  ledger_.UpsertQuota("ns", "q", Hard("pods=0"));
  ledger_.Sync();
  std::optional<ApiError> e = ledger_.AdmitPod(*Parse(testing::PodBody("p")));
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->http_code, 403);
  EXPECT_EQ(
      e->body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"p\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=0, limited: pods=0","reason":"Forbidden","details":{"name":"p","kind":"pods"},"code":403})");
}

TEST_F(QuotaLedgerTest, AQuotaIsUnknownUntilItsFirstSync) {
  ledger_.UpsertQuota("ns", "other", Hard("services=3"));
  ledger_.UpsertQuota("ns", "q", Hard("requests.cpu=2,pods=5,configmaps=1"));
  EXPECT_EQ(Create(testing::PodBody("a")),
            "pods \"a\" is forbidden: status unknown for quota: q, resources: pods,requests.cpu");
  EXPECT_EQ(Books(), "ns/other: unsynced | ns/q: unsynced");
  ledger_.Sync();
  // A quota on requests.cpu wants every container to say its cpu request.
  EXPECT_EQ(Create(testing::PodBody("a")),
            "pods \"a\" is forbidden: failed quota: q: must specify requests.cpu for: main");
  EXPECT_EQ(Create(CpuMem("a", "100m", "1Mi")), "admitted");
  EXPECT_EQ(Books(),
            "ns/other: services=0 of services=3 | ns/q: "
            "configmaps=0,pods=1,requests.cpu=100m of configmaps=1,pods=5,requests.cpu=2");
}

TEST_F(QuotaLedgerTest, LimitsQuotasRequireEveryContainerToSayItsLimit) {
  ledger_.UpsertQuota("ns", "q", Hard("limits.cpu=2,limits.memory=4Gi"));
  ledger_.Sync();
  EXPECT_EQ(Create(PodWithResources("p", R"({"requests":{"cpu":"1"}})")),
            "pods \"p\" is forbidden: failed quota: q: must specify limits.cpu for: main; "
            "limits.memory for: main");
  EXPECT_EQ(Create(PodWithContainers(
                "p", R"([{"name":"a","image":"i","resources":{"limits":{"cpu":"1"}}},)"
                     R"({"name":"b","image":"i","resources":{"limits":{"memory":"1Gi"}}}])")),
            "pods \"p\" is forbidden: failed quota: q: must specify limits.cpu for: b; "
            "limits.memory for: a");
  EXPECT_EQ(Create(PodWithResources("p", R"({"limits":{"cpu":"1500m","memory":"1Gi"}})")),
            "admitted");
  EXPECT_EQ(Books(), "ns/q: limits.cpu=1500m,limits.memory=1Gi of limits.cpu=2,limits.memory=4Gi");
}

TEST_F(QuotaLedgerTest, EveryQuotaOfTheNamespaceAppliesAndIsCharged) {
  ledger_.UpsertQuota("ns", "q-count", Hard("pods=2"));
  ledger_.UpsertQuota("ns", "q-cpu", Hard("requests.cpu=1"));
  ledger_.UpsertQuota("elsewhere", "q", Hard("pods=0"));
  ledger_.Sync();
  EXPECT_EQ(Create(CpuMem("a", "400m", "1Mi")), "admitted");
  EXPECT_EQ(Create(CpuMem("b", "700m", "1Mi")),
            "pods \"b\" is forbidden: exceeded quota: q-cpu, requested: requests.cpu=700m, used: "
            "requests.cpu=400m, limited: requests.cpu=1");
  EXPECT_EQ(Create(CpuMem("b", "400m", "1Mi")), "admitted");
  EXPECT_EQ(Create(CpuMem("c", "100m", "1Mi")),
            "pods \"c\" is forbidden: exceeded quota: q-count, requested: pods=1, used: pods=2, "
            "limited: pods=2");
  EXPECT_EQ(Books(),
            "elsewhere/q: pods=0 of pods=0 | ns/q-count: pods=2 of pods=2 | ns/q-cpu: "
            "requests.cpu=800m of requests.cpu=1");
}

TEST_F(QuotaLedgerTest, ScopesChooseWhichQuotasChargeAPod) {
  QuotaSpec best_effort = Hard("pods=1");
  best_effort.scopes = {"BestEffort"};
  ledger_.UpsertQuota("ns", "be", best_effort);
  ledger_.UpsertQuota("ns", "all", Hard("pods=5"));
  QuotaSpec high = Hard("pods=1");
  high.scope_selector = {{"PriorityClass", "In", {"high"}}};
  ledger_.UpsertQuota("ns", "high", high);
  ledger_.Sync();
  EXPECT_EQ(Create(testing::PodBody("a")), "admitted");
  EXPECT_EQ(Create(testing::PodBody("b")),
            "pods \"b\" is forbidden: exceeded quota: be, requested: pods=1, used: pods=1, "
            "limited: pods=1");
  EXPECT_EQ(Create(CpuMem("c", "1", "1Gi")), "admitted");
  const std::string high_pod =
      PodWithContainers("d", R"([{"name":"a","image":"i","resources":{"requests":{"cpu":"1"}}}])",
                        R"("priorityClassName":"high")");
  EXPECT_EQ(Create(high_pod), "admitted");
  EXPECT_EQ(MessageOf(ledger_.AdmitPod(*Parse(high_pod))),
            "pods \"d\" is forbidden: exceeded quota: high, requested: pods=1, used: pods=1, "
            "limited: pods=1");
  EXPECT_EQ(Books(),
            "ns/all: pods=3 of pods=5 | ns/be: pods=1 of pods=1 | ns/high: pods=1 of "
            "pods=1");
}

TEST_F(QuotaLedgerTest, TerminalPodsReleaseComputeAndDeletedOnesTheirCount) {
  ledger_.UpsertQuota("ns", "q", Hard("pods=1,count/pods=2,requests.cpu=1"));
  ledger_.Sync();
  EXPECT_EQ(Create(CpuMem("a", "1", "1Mi")), "admitted");
  EXPECT_EQ(Create(CpuMem("b", "1", "1Mi")),
            "pods \"b\" is forbidden: exceeded quota: q, requested: pods=1,requests.cpu=1, used: "
            "pods=1,requests.cpu=1, limited: pods=1,requests.cpu=1");
  ledger_.PodTerminal("ns", Uid(0));
  EXPECT_EQ(Books(),
            "ns/q: count/pods=1,pods=0,requests.cpu=0 of count/pods=2,pods=1,requests.cpu=1");
  ledger_.PodTerminal("ns", Uid(0));  // once only
  EXPECT_EQ(Create(CpuMem("b", "1", "1Mi")), "admitted");
  EXPECT_EQ(Create(CpuMem("c", "1", "1Mi")),
            "pods \"c\" is forbidden: exceeded quota: q, requested: "
            "count/pods=1,pods=1,requests.cpu=1, used: count/pods=2,pods=1,requests.cpu=1, "
            "limited: count/pods=2,pods=1,requests.cpu=1");
  ledger_.PodDeleted("ns", Uid(0));
  ledger_.PodDeleted("ns", Uid(1));
  EXPECT_EQ(Books(),
            "ns/q: count/pods=0,pods=0,requests.cpu=0 of count/pods=2,pods=1,requests.cpu=1");
  EXPECT_EQ(Create(CpuMem("c", "1", "1Mi")), "admitted");
}

TEST_F(QuotaLedgerTest, SpecChangesTakeEffectAtTheNextSync) {
  ledger_.UpsertQuota("ns", "q", Hard("pods=1"));
  ledger_.Sync();
  EXPECT_EQ(Create(testing::PodBody("a")), "admitted");
  ledger_.UpsertQuota("ns", "q", Hard("pods=3"));
  EXPECT_NE(Create(testing::PodBody("b")), "admitted");  // status.hard is still 1
  ledger_.Sync();
  EXPECT_EQ(Create(testing::PodBody("b")), "admitted");
  ledger_.UpsertQuota("ns", "q", Hard("pods=1"));
  ledger_.Sync();
  EXPECT_EQ(Create(testing::PodBody("c")),
            "pods \"c\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, "
            "limited: pods=1");
  ledger_.RemoveQuota("ns", "q");
  EXPECT_EQ(Create(testing::PodBody("c")), "admitted");
}

TEST_F(QuotaLedgerTest, AQuotaCreatedLaterCountsThePodsAlreadyThere) {
  EXPECT_EQ(Create(CpuMem("a", "1", "1Gi")), "admitted");
  EXPECT_EQ(Create(CpuMem("b", "1", "1Gi")), "admitted");
  EXPECT_EQ(Create(CpuMem("c", "1", "1Gi")), "admitted");
  ledger_.PodTerminal("ns", Uid(2));
  ledger_.UpsertQuota("ns", "q", Hard("pods=2,requests.memory=8Gi"));
  ledger_.Sync();
  EXPECT_EQ(Books(), "ns/q: pods=2,requests.memory=2Gi of pods=2,requests.memory=8Gi");
  EXPECT_EQ(Create(CpuMem("d", "1", "1Gi")),
            "pods \"d\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, "
            "limited: pods=2");
}

TEST_F(QuotaLedgerTest, UnreserveReleasesACreateThatWasNotStored) {
  ledger_.UpsertQuota("ns", "q", Hard("pods=1"));
  ledger_.Sync();
  std::shared_ptr<Pod> pod = Parse(testing::PodBody("a"));
  ASSERT_FALSE(ledger_.AdmitPod(*pod).has_value());
  EXPECT_EQ(Books(), "ns/q: pods=1 of pods=1");
  ledger_.Unreserve("ns", pod->meta().uid);
  EXPECT_EQ(Books(), "ns/q: pods=0 of pods=1");
  EXPECT_EQ(Create(testing::PodBody("a")), "admitted");
  ledger_.Unreserve("ns", Uid(0));  // committed: no effect
  EXPECT_EQ(Books(), "ns/q: pods=1 of pods=1");
}

TEST_F(QuotaLedgerTest, ConcurrentCreatesNeverOvershoot) {
  ledger_.UpsertQuota("ns", "pods", Hard("pods=137"));
  ledger_.UpsertQuota("ns", "cpu", Hard("requests.cpu=150"));
  ledger_.Sync();
  constexpr size_t kThreads = 8;
  constexpr size_t kPerThread = 50;
  std::vector<std::vector<std::shared_ptr<Pod>>> bodies(kThreads);
  for (size_t t = 0; t < kThreads; ++t) {
    for (size_t i = 0; i < kPerThread; ++i) {
      bodies[t].push_back(Parse(CpuMem(Cat("p-", t, "-", i), "1", "1Mi")));
    }
  }
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (const auto& pod : bodies[t]) {
        if (!ledger_.AdmitPod(*pod).has_value()) {
          ledger_.PodAdded(*pod);
          admitted.fetch_add(1);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(admitted.load(), 137);
  EXPECT_EQ(ledger_.refused(), static_cast<int64_t>(kThreads * kPerThread) - 137);
  EXPECT_EQ(Books(),
            "ns/cpu: requests.cpu=137 of requests.cpu=150 | ns/pods: pods=137 of pods=137");
}

}  // namespace
}  // namespace sluice::kubesim
