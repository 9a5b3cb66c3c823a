// Capacity pools in a SimCluster on a SimulatedClock: capacity, FIFO
// placement, stock-outs (scripted and at run time), spot reclaims.
#include "tools/kubesim/capacity_pools.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "scheduler/common/clock.h"
#include "tests/kubesim/test_pods.h"
#include "tools/kubesim/json_parse.h"
#include "tools/kubesim/pod.h"
#include "tools/kubesim/sim_cluster.h"

namespace sluice::kubesim {
namespace {

using testing::PodBody;
using testing::PodWithContainers;

std::string InPool(std::string_view name, std::string_view pool) {
  return PodBody(name, Cat(R"("labels":{"sluice.dev/pool":")", pool, R"("})"));
}

std::string CpuInPool(std::string_view name, std::string_view pool, std::string_view cpu) {
  return PodWithContainers(
      name, Cat(R"([{"name":"main","image":"i","resources":{"requests":{"cpu":")", cpu, R"("}}}])"),
      "", Cat(R"("labels":{"sluice.dev/pool":")", pool, R"("})"));
}

class CapacityPoolsTest : public ::testing::Test {
 protected:
  void Make(std::vector<PoolConfig> pools, absl::Duration run = absl::ZeroDuration()) {
    ClusterOptions o;
    o.nodes = 4;
    o.store.watch_history = 1000;
    o.kubelet.schedule_delay = absl::Milliseconds(10);
    o.kubelet.start_delay = absl::Milliseconds(10);
    o.kubelet.run_duration = run;  // zero: run until deleted
    o.pools = std::move(pools);
    cluster_ = std::make_unique<SimCluster>(clock_, o);
  }
  static PoolConfig Pool(std::string_view flag) { return *ParsePoolFlag(flag); }
  void Create(const std::string& body) { ASSERT_TRUE(cluster_->CreatePod("ns", body).ok()); }
  // Advances in steps of at most 100 ms, running what is due at each.
  void Advance(absl::Duration d) {
    const MonoTime end = clock_.MonoNow() + d;
    while (clock_.MonoNow() < end) {
      clock_.AdvanceTo(std::min(end, clock_.MonoNow() + absl::Milliseconds(100)));
      for (int i = 0; i < 3; ++i) {
        cluster_->pools().RunDue();
        cluster_->kubelet().RunDue();
      }
    }
  }
  const Pod* Get(std::string_view name) {
    held_ = cluster_->store().Find("pods", "ns", name);
    return static_cast<const Pod*>(held_.get());
  }
  // "Running@node", "Pending: MESSAGE", "Failed(REASON)" ...
  std::string State(std::string_view name) {
    const Pod* p = Get(name);
    if (p == nullptr) return "gone";
    const PodState& s = p->state();
    std::string out(PodPhaseName(s.phase));
    if (s.phase == PodPhase::kPending && !s.unschedulable_message.empty()) {
      Append(&out, " (", s.unschedulable_reason, ": ", s.unschedulable_message, ")");
    }
    if (s.phase == PodPhase::kPending && !s.node_name.empty()) out += " (scheduled)";
    if (s.disruption_since.has_value())
      Append(&out, " [DisruptionTarget ", s.disruption_reason, "]");
    if (!s.reason.empty()) Append(&out, " reason=", s.reason);
    return out;
  }
  rapidjson::Document PoolsJson() {
    rapidjson::Document d;
    ParseJson(cluster_->pools().Json(), &d);
    return d;
  }

  SimulatedClock clock_;
  std::unique_ptr<SimCluster> cluster_;
  std::shared_ptr<const ApiObject> held_;
};

TEST_F(CapacityPoolsTest, PodsBeyondCapacityWaitAndGoInArrivalOrder) {
  Make({Pool("spot=2"), Pool("od=unlimited")});
  Create(InPool("a", "spot"));
  Create(InPool("b", "spot"));
  Create(InPool("c", "spot"));
  Create(InPool("d", "spot"));
  Create(InPool("e", "od"));
  Create(PodBody("plain"));
  Advance(absl::Milliseconds(100));
  EXPECT_EQ(State("a"), "Running");
  EXPECT_EQ(State("b"), "Running");
  EXPECT_EQ(State("c"),
            "Pending (Unschedulable: StockExhaust: capacity pool \"spot\" has no room for the pod "
            "(pods 2/2))");
  EXPECT_EQ(State("d"), State("c"));
  EXPECT_EQ(State("e"), "Running");
  EXPECT_EQ(State("plain"), "Running");
  auto pools = PoolsJson();
  EXPECT_EQ(pools["pools"][0]["used"]["pods"].GetInt(), 2);
  EXPECT_EQ(pools["pools"][0]["pending"].GetInt(), 2);
  EXPECT_EQ(pools["pools"][0]["running"].GetInt(), 2);
  EXPECT_TRUE(pools["pools"][1]["capacity"]["pods"].IsNull());

  // Deleting a running pod frees its place for the first waiting one only.
  ASSERT_TRUE(cluster_->DeletePod("ns", "b", 0, std::nullopt).ok());
  Advance(absl::Milliseconds(100));
  EXPECT_EQ(State("c"), "Running");
  EXPECT_EQ(State("d").rfind("Pending (Unschedulable: StockExhaust", 0), 0u) << State("d");
  // A waiting pod that is deleted leaves the queue.
  ASSERT_TRUE(cluster_->DeletePod("ns", "d", std::nullopt, std::nullopt).ok());
  Create(InPool("f", "spot"));
  ASSERT_TRUE(cluster_->DeletePod("ns", "a", 0, std::nullopt).ok());
  Advance(absl::Milliseconds(100));
  EXPECT_EQ(State("f"), "Running");
  EXPECT_EQ(PoolsJson()["pools"][0]["pending"].GetInt(), 0);
}

TEST_F(CapacityPoolsTest, FinishedPodsFreeCapacity) {
  Make({Pool("spot=1")}, absl::Seconds(5));
  Create(InPool("a", "spot"));
  Create(InPool("b", "spot"));
  Advance(absl::Seconds(1));
  EXPECT_EQ(State("a"), "Running");
  EXPECT_EQ(State("b").rfind("Pending (Unschedulable", 0), 0u);
  Advance(absl::Seconds(5));
  EXPECT_EQ(State("a"), "Succeeded");
  EXPECT_EQ(State("b"), "Running");
}

TEST_F(CapacityPoolsTest, CpuCapacityIsStrictFifo) {
  Make({Pool("big=unlimited,cpu=2")});
  Create(CpuInPool("a", "big", "1500m"));
  Create(CpuInPool("b", "big", "1"));     // does not fit
  Create(CpuInPool("c", "big", "500m"));  // would fit, but waits behind b
  Advance(absl::Milliseconds(100));
  EXPECT_EQ(State("a"), "Running");
  EXPECT_EQ(State("b"),
            "Pending (Unschedulable: StockExhaust: capacity pool \"big\" has no room for the pod "
            "(cpu 1500m/2))");
  EXPECT_EQ(State("c").rfind("Pending (Unschedulable", 0), 0u);
  ASSERT_TRUE(cluster_->DeletePod("ns", "a", 0, std::nullopt).ok());
  Advance(absl::Milliseconds(100));
  EXPECT_EQ(State("b"), "Running");
  EXPECT_EQ(State("c"), "Running");
  EXPECT_EQ(PoolsJson()["pools"][0]["used"]["cpu"].GetString(), std::string("1500m"));
}

TEST_F(CapacityPoolsTest, ScriptedStockOutAndRecovery) {
  PoolConfig spot = Pool("spot=unlimited");
  spot.events = {{absl::Seconds(20), true, {}, {}, {}}, {absl::Seconds(40), false, {}, {}, {}}};
  Make({spot});
  Create(InPool("early", "spot"));
  Advance(absl::Seconds(25));
  EXPECT_EQ(State("early"), "Running");  // a stock-out does not touch running pods
  Create(InPool("late", "spot"));
  Advance(absl::Seconds(1));
  EXPECT_EQ(State("late"),
            "Pending (Unschedulable: NoStock: capacity pool \"spot\" is out of stock)");
  EXPECT_TRUE(PoolsJson()["pools"][0]["stockout"].GetBool());
  Advance(absl::Milliseconds(13900));  // 39.9 s
  EXPECT_EQ(State("late").rfind("Pending", 0), 0u);
  Advance(absl::Milliseconds(200));
  EXPECT_EQ(State("late"), "Running");
  EXPECT_FALSE(PoolsJson()["pools"][0]["stockout"].GetBool());
}

TEST_F(CapacityPoolsTest, RunTimeChanges) {
  Make({Pool("spot=0")});
  Create(InPool("a", "spot"));
  Create(InPool("b", "spot"));
  Advance(absl::Milliseconds(100));
  EXPECT_EQ(State("a").rfind("Pending (Unschedulable: StockExhaust", 0), 0u);
  PoolChange raise;
  raise.name = "spot";
  raise.pods = std::optional<int64_t>(1);
  ASSERT_TRUE(cluster_->pools().Apply(raise).ok());
  Advance(absl::Milliseconds(100));
  EXPECT_EQ(State("a"), "Running");
  EXPECT_EQ(State("b").rfind("Pending", 0), 0u);
  PoolChange stockout;
  stockout.name = "spot";
  stockout.stockout = true;
  stockout.pods = std::optional<int64_t>();  // unlimited, but out of stock
  ASSERT_TRUE(cluster_->pools().Apply(stockout).ok());
  Create(InPool("c", "spot"));
  Advance(absl::Milliseconds(100));
  EXPECT_EQ(State("b").rfind("Pending", 0), 0u);
  EXPECT_EQ(State("c"), "Pending (Unschedulable: NoStock: capacity pool \"spot\" is out of stock)");
  stockout.stockout = false;
  ASSERT_TRUE(cluster_->pools().Apply(stockout).ok());
  Advance(absl::Milliseconds(100));
  EXPECT_EQ(State("b"), "Running");
  EXPECT_EQ(State("c"), "Running");
  PoolChange unknown;
  unknown.name = "nope";
  EXPECT_TRUE(absl::IsNotFound(cluster_->pools().Apply(unknown)));
}

TEST_F(CapacityPoolsTest, SpotReclaimGivesNoticeThenFails) {
  PoolConfig spot = Pool("spot=1,class=spot,reclaim_notice=2s");
  Make({spot});
  Create(InPool("a", "spot"));
  Create(InPool("b", "spot"));
  Advance(absl::Milliseconds(100));
  PoolChange reclaim;
  reclaim.name = "spot";
  reclaim.reclaim = 1;
  ASSERT_TRUE(cluster_->pools().Apply(reclaim).ok());
  EXPECT_EQ(State("a"), "Running [DisruptionTarget PreemptionByScheduler]");
  Advance(absl::Milliseconds(1900));
  EXPECT_EQ(State("a"), "Running [DisruptionTarget PreemptionByScheduler]");
  EXPECT_EQ(State("b").rfind("Pending", 0), 0u);  // the reclaimed pod holds its place
  Advance(absl::Milliseconds(200));
  EXPECT_EQ(State("a"), "Failed [DisruptionTarget PreemptionByScheduler] reason=Preempted");
  EXPECT_EQ(State("b"), "Running");
  auto pools = PoolsJson();
  EXPECT_EQ(pools["pools"][0]["reclaims"].GetInt(), 1);
  EXPECT_EQ(pools["pools"][0]["reclaiming"].GetInt(), 0);
  // The pod as a client reads it: the condition and the failure reason.
  const std::string json = Get("a")->Json();
  EXPECT_NE(json.find(R"({"type":"DisruptionTarget","status":"True","lastProbeTime":null,)"),
            std::string::npos);
  EXPECT_NE(json.find(R"("reason":"PreemptionByScheduler","message":"spot capacity of pool )"
                      R"(\"spot\" is being reclaimed by the provider"})"),
            std::string::npos);
  EXPECT_NE(json.find(R"("reason":"Preempted")"), std::string::npos);
  // /sim/history keeps the story: b waited, a got its notice and failed.
  for (const PodRecord& r : cluster_->history().Records()) {
    if (r.name == "a") {
      EXPECT_TRUE(r.disrupted.has_value());
      EXPECT_FALSE(r.unschedulable.has_value());
      EXPECT_EQ(r.reason, "Preempted");
      EXPECT_EQ(*r.finished - *r.disrupted, absl::Seconds(2));
    } else {
      EXPECT_EQ(r.unschedulable_message,
                "StockExhaust: capacity pool \"spot\" has no room for the pod (pods 1/1)");
      EXPECT_FALSE(r.disrupted.has_value());
    }
  }
}

TEST_F(CapacityPoolsTest, ReclaimRateIsAFractionOfRunningPodsPerMinute) {
  // 2 running pods x 0.5/min: one reclaim per minute.
  Make({Pool("spot=unlimited,class=spot,reclaim_per_minute=0.5,reclaim_notice=1s")});
  Create(InPool("a", "spot"));
  Create(InPool("b", "spot"));
  Advance(absl::Milliseconds(100));
  auto reclaims = [&] { return PoolsJson()["pools"][0]["reclaims"].GetInt(); };
  Advance(absl::Seconds(59));
  EXPECT_EQ(reclaims(), 0);
  Advance(absl::Seconds(2));
  EXPECT_EQ(reclaims(), 1);
  Advance(absl::Seconds(2));
  const int failed = (State("a").rfind("Failed", 0) == 0) + (State("b").rfind("Failed", 0) == 0);
  EXPECT_EQ(failed, 1);
  // One running pod left: 0.5 per minute, so the next one after two minutes.
  Advance(absl::Seconds(110));
  EXPECT_EQ(reclaims(), 1);
  Advance(absl::Seconds(15));
  EXPECT_EQ(reclaims(), 2);
}

TEST_F(CapacityPoolsTest, NodeSelectorAndBoundPods) {
  PoolConfig eci;
  eci.name = "eci";
  eci.match_node_selector = {{"alibabacloud.com/compute-class", "general"}};
  eci.capacity.pods = 1;
  Make({eci});
  Create(PodWithContainers("a", R"([{"name":"c","image":"i"}])",
                           R"("nodeSelector":{"alibabacloud.com/compute-class":"general"})"));
  Create(PodWithContainers("b", R"([{"name":"c","image":"i"}])",
                           R"("nodeSelector":{"alibabacloud.com/compute-class":"general"})"));
  Create(InPool("c", "eci"));  // the label alone does not match this pool
  Advance(absl::Milliseconds(100));
  EXPECT_EQ(State("a"), "Running");
  EXPECT_EQ(State("b").rfind("Pending (Unschedulable: StockExhaust", 0), 0u);
  EXPECT_EQ(State("c"), "Running");
}

}  // namespace
}  // namespace sluice::kubesim
