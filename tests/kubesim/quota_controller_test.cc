// ResourceQuota in a whole SimCluster on a SimulatedClock: admission through
// CreatePod, status written by the quota controller, release as pods finish.
#include "tools/kubesim/quota_controller.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "scheduler/common/clock.h"
#include "tests/kubesim/test_pods.h"
#include "tools/kubesim/json_parse.h"
#include "tools/kubesim/resource_quota_object.h"
#include "tools/kubesim/sim_cluster.h"

namespace sluice::kubesim {
namespace {

using testing::PodBody;
using testing::PodWithResources;

std::string Cpu(std::string_view name, std::string_view cpu, std::string_view extra_meta = "") {
  return PodWithResources(name, Cat(R"({"requests":{"cpu":")", cpu, R"("}})"), extra_meta);
}

std::string MessageOf(const ApiOr<std::shared_ptr<const ApiObject>>& r) {
  if (r.ok()) return Cat("created ", r.value()->meta().name);
  rapidjson::Document doc;
  ParseJson(r.error().body, &doc);
  return doc["message"].GetString();
}

class QuotaControllerTest : public ::testing::Test {
 protected:
  void Make(std::vector<std::string> quota_flags) {
    ClusterOptions o;
    o.nodes = 2;
    o.store.watch_history = 1000;
    o.kubelet.schedule_delay = absl::Milliseconds(10);
    o.kubelet.start_delay = absl::Milliseconds(10);
    o.kubelet.run_duration = absl::Seconds(5);
    for (const std::string& f : quota_flags) o.quotas.push_back(*ParseQuotaFlag(f));
    cluster_ = std::make_unique<SimCluster>(clock_, o);
  }
  // status of the stored quota: "used of hard", or "no status".
  std::string Status(std::string_view name, std::string_view ns = "team-a") {
    auto obj = cluster_->store().Find("resourcequotas", ns, name);
    if (obj == nullptr) return "absent";
    const auto& q = static_cast<const ResourceQuotaObject&>(*obj);
    if (!q.status().has_value()) return "no status";
    return Cat(q.status()->used.ToString(), " of ", q.status()->hard.ToString());
  }
  void Advance(absl::Duration d) {
    clock_.Advance(d);
    cluster_->kubelet().RunDue();
  }

  SimulatedClock clock_;
  std::unique_ptr<SimCluster> cluster_;
};

TEST_F(QuotaControllerTest, FlagQuotasAreEnforcedFromTheStart) {
  Make({"ns=team-a,pods=2,requests.cpu=1", "ns=team-b,name=small,pods=1"});
  EXPECT_EQ(Status("quota"), "pods=0,requests.cpu=0 of pods=2,requests.cpu=1");
  EXPECT_EQ(Status("small", "team-b"), "pods=0 of pods=1");
  EXPECT_EQ(MessageOf(cluster_->CreatePod("team-a", Cpu("a", "500m"))), "created a");
  EXPECT_EQ(MessageOf(cluster_->CreatePod("team-a", Cpu("b", "600m"))),
            "pods \"b\" is forbidden: exceeded quota: quota, requested: requests.cpu=600m, "
            "used: requests.cpu=500m, limited: requests.cpu=1");
  // status.used is written by the controller's next pass, not by admission.
  EXPECT_EQ(Status("quota"), "pods=0,requests.cpu=0 of pods=2,requests.cpu=1");
  cluster_->quota().Sync();
  EXPECT_EQ(Status("quota"), "pods=1,requests.cpu=500m of pods=2,requests.cpu=1");
}

TEST_F(QuotaControllerTest, FinishedPodsFreeTheirQuota) {
  Make({"ns=team-a,pods=2"});
  ASSERT_TRUE(cluster_->CreatePod("team-a", PodBody("a")).ok());
  ASSERT_TRUE(cluster_->CreatePod("team-a", PodBody("b")).ok());
  EXPECT_FALSE(cluster_->CreatePod("team-a", PodBody("c")).ok());
  Advance(absl::Milliseconds(10));
  Advance(absl::Milliseconds(10));
  ASSERT_EQ(static_cast<const Pod&>(*cluster_->store().Find("pods", "team-a", "a")).phase(),
            PodPhase::kRunning);
  EXPECT_FALSE(cluster_->CreatePod("team-a", PodBody("c")).ok());  // running pods still count
  Advance(absl::Seconds(5));
  ASSERT_EQ(static_cast<const Pod&>(*cluster_->store().Find("pods", "team-a", "a")).phase(),
            PodPhase::kSucceeded);
  cluster_->quota().Sync();
  EXPECT_EQ(Status("quota"), "pods=0 of pods=2");
  EXPECT_EQ(MessageOf(cluster_->CreatePod("team-a", PodBody("c"))), "created c");
  // Deleting a pod that still runs frees its share too.
  ASSERT_TRUE(cluster_->CreatePod("team-a", PodBody("d")).ok());
  ASSERT_TRUE(cluster_->DeletePod("team-a", "d", 0, std::nullopt).ok());
  EXPECT_EQ(MessageOf(cluster_->CreatePod("team-a", PodBody("e"))), "created e");
}

TEST_F(QuotaControllerTest, AnApiQuotaIsUnknownUntilTheControllerSyncs) {
  Make({});
  auto created = cluster_->CreateQuota(
      "team-a", R"({"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"q"},)"
                R"("spec":{"hard":{"pods":"1","requests.memory":"1Gi"}}})");
  ASSERT_TRUE(created.ok()) << created.error().body;
  EXPECT_EQ(Status("q"), "no status");
  EXPECT_EQ(MessageOf(cluster_->CreatePod("team-a", PodBody("a"))),
            "pods \"a\" is forbidden: status unknown for quota: q, resources: "
            "pods,requests.memory");
  cluster_->quota().Sync();
  EXPECT_EQ(Status("q"), "pods=0,requests.memory=0 of pods=1,requests.memory=1Gi");
  EXPECT_EQ(MessageOf(cluster_->CreatePod("team-a", PodBody("a"))),
            "pods \"a\" is forbidden: failed quota: q: must specify requests.memory for: main");
}

TEST_F(QuotaControllerTest, ReplaceAndPatchChangeTheLimitAtTheNextSync) {
  Make({"ns=team-a,name=q,pods=1"});
  ASSERT_TRUE(cluster_->CreatePod("team-a", PodBody("a")).ok());
  EXPECT_FALSE(cluster_->CreatePod("team-a", PodBody("b")).ok());
  cluster_->quota().Sync();
  auto replaced = cluster_->ReplaceQuota(
      "team-a", "q", R"({"metadata":{"name":"q"},"spec":{"hard":{"pods":"2"}}})");
  ASSERT_TRUE(replaced.ok()) << replaced.error().body;
  EXPECT_EQ(Status("q"), "pods=1 of pods=1");  // the old status stays until the sync
  EXPECT_FALSE(cluster_->CreatePod("team-a", PodBody("b")).ok());
  cluster_->quota().Sync();
  EXPECT_EQ(Status("q"), "pods=1 of pods=2");
  EXPECT_TRUE(cluster_->CreatePod("team-a", PodBody("b")).ok());
  auto patched = cluster_->PatchQuota("team-a", "q", R"({"spec":{"hard":{"pods":"1"}}})");
  ASSERT_TRUE(patched.ok()) << patched.error().body;
  cluster_->quota().Sync();
  EXPECT_EQ(Status("q"), "pods=2 of pods=1");
  EXPECT_EQ(MessageOf(cluster_->CreatePod("team-a", PodBody("c"))),
            "pods \"c\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, "
            "limited: pods=1");
  ASSERT_TRUE(cluster_->DeleteQuota("team-a", "q").ok());
  EXPECT_TRUE(cluster_->CreatePod("team-a", PodBody("c")).ok());
}

TEST_F(QuotaControllerTest, SetQuotaCreatesOrReplacesAndSyncs) {
  Make({});
  QuotaSeed seed = *ParseQuotaFlag("ns=team-a,name=q,pods=1");
  ASSERT_TRUE(cluster_->SetQuota(seed).ok());
  EXPECT_EQ(Status("q"), "pods=0 of pods=1");
  ASSERT_TRUE(cluster_->CreatePod("team-a", PodBody("a")).ok());
  seed.spec.hard = *ResourceList::Parse("pods=3,count/pods=5");
  ASSERT_TRUE(cluster_->SetQuota(seed).ok());
  EXPECT_EQ(Status("q"), "count/pods=1,pods=1 of count/pods=5,pods=3");
}

TEST_F(QuotaControllerTest, ARefusedDuplicateDoesNotKeepItsCharge) {
  Make({"ns=team-a,pods=2"});
  ASSERT_TRUE(cluster_->CreatePod("team-a", PodBody("a")).ok());
  auto again = cluster_->CreatePod("team-a", PodBody("a"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().http_code, 409);
  EXPECT_EQ(MessageOf(cluster_->CreatePod("team-a", PodBody("b"))), "created b");
  cluster_->quota().Sync();
  EXPECT_EQ(Status("quota"), "pods=2 of pods=2");
}

TEST_F(QuotaControllerTest, DeletingTheNamespaceDeletesItsQuotas) {
  Make({"ns=team-a,pods=2"});
  ASSERT_TRUE(cluster_->DeleteNamespace("team-a").ok());
  EXPECT_EQ(Status("quota"), "absent");
}

TEST_F(QuotaControllerTest, ConcurrentCreatesNeverOvershoot) {
  Make({"ns=team-a,pods=50,requests.cpu=100"});
  constexpr size_t kThreads = 8;
  std::atomic<int> created{0}, refused{0};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        auto r = cluster_->CreatePod("team-a", Cpu(Cat("p-", t, "-", i), "1"));
        (r.ok() ? created : refused).fetch_add(1);
        if (!r.ok()) {
          EXPECT_EQ(r.error().http_code, 403);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(created.load(), 50);
  EXPECT_EQ(refused.load(), 110);
  cluster_->quota().Sync();
  EXPECT_EQ(Status("quota"), "pods=50,requests.cpu=50 of pods=50,requests.cpu=100");
  EXPECT_EQ(cluster_->quota().ledger().refused(), 110);
}

}  // namespace
}  // namespace sluice::kubesim
