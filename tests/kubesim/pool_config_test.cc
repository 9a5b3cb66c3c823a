#include "tools/kubesim/pool_config.h"

#include "gtest/gtest.h"

namespace sluice::kubesim {
namespace {

TEST(PoolConfigTest, YamlFile) {
  auto pools = ParsePoolsText(R"(
pools:
  - name: spot
    class: spot
    capacity: {pods: 50, cpu: "100", memory: 200Gi}
    reclaim_per_minute: 2%
    reclaim_notice: 30s
    events:
      - {at: 40s, stockout: false}
      - {at: 20s, stockout: true, pods: 10}
  - name: on-demand
    nodeSelector: {alibabacloud.com/compute-class: general}
    pods: null
    capacity_reason: ""
)");
  ASSERT_TRUE(pools.ok()) << pools.status();
  ASSERT_EQ(pools->size(), 2u);
  const PoolConfig& spot = (*pools)[0];
  EXPECT_EQ(spot.pool_class, "spot");
  EXPECT_EQ(spot.capacity.pods, 50);
  EXPECT_EQ(spot.capacity.cpu_milli, 100000);
  EXPECT_EQ(spot.capacity.memory_bytes, int64_t{200} << 30);
  EXPECT_DOUBLE_EQ(spot.reclaim_per_minute, 0.02);
  EXPECT_EQ(spot.reclaim_notice, absl::Seconds(30));
  const StringMap want_labels = {{"sluice.dev/pool", "spot"}};
  EXPECT_EQ(spot.match_labels, want_labels);
  ASSERT_EQ(spot.events.size(), 2u);
  EXPECT_EQ(spot.events[0].at, absl::Seconds(20));  // sorted by time
  EXPECT_EQ(spot.events[0].stockout, true);
  ASSERT_TRUE(spot.events[0].pods.has_value());
  EXPECT_EQ(*spot.events[0].pods, 10);
  EXPECT_FALSE(spot.events[1].pods.has_value());
  const PoolConfig& od = (*pools)[1];
  EXPECT_TRUE(od.match_labels.empty());
  EXPECT_EQ(od.match_node_selector.size(), 1u);
  EXPECT_FALSE(od.capacity.pods.has_value());
  EXPECT_EQ(od.capacity_reason, "");
  EXPECT_EQ(od.stockout_reason, "NoStock");
}

TEST(PoolConfigTest, JsonListAndErrors) {
  auto pools = ParsePoolsText(R"([{"name":"a","pods":3},{"name":"b"}])");
  ASSERT_TRUE(pools.ok()) << pools.status();
  EXPECT_EQ((*pools)[0].capacity.pods, 3);
  EXPECT_FALSE((*pools)[1].capacity.pods.has_value());
  EXPECT_EQ(ParsePoolsText(R"([{"name":"a","podz":3}])").status().message(),
            "pools[0]: unknown key \"podz\"");
  EXPECT_EQ(ParsePoolsText(R"([{"pods":3}])").status().message(), "pools[0]: \"name\" is required");
  EXPECT_EQ(ParsePoolsText(R"([{"name":"a"},{"name":"a"}])").status().message(),
            "pools: \"a\" appears twice");
  EXPECT_FALSE(ParsePoolsText(R"([{"name":"a","pods":"1.5"}])").ok());
  EXPECT_FALSE(ParsePoolsText(R"([{"name":"a","events":[{"stockout":true}]}])").ok());
  EXPECT_FALSE(ParsePoolsText(R"([{"name":"a","reclaim_notice":"soon"}])").ok());
  EXPECT_FALSE(ParsePoolsText("{pools: [").ok());
}

TEST(PoolConfigTest, Flag) {
  auto p = ParsePoolFlag("spot=50,class=spot,cpu=8,memory=16Gi,reclaim_per_minute=0.02");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->name, "spot");
  EXPECT_EQ(p->capacity.pods, 50);
  EXPECT_EQ(p->capacity.cpu_milli, 8000);
  EXPECT_EQ(p->capacity.memory_bytes, int64_t{16} << 30);
  EXPECT_DOUBLE_EQ(p->reclaim_per_minute, 0.02);
  p = ParsePoolFlag("od=unlimited");
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->capacity.pods.has_value());
  EXPECT_FALSE(ParsePoolFlag("spot").ok());
  EXPECT_FALSE(ParsePoolFlag("spot=x").ok());
  EXPECT_FALSE(ParsePoolFlag("spot=1,colour=red").ok());
}

TEST(PoolConfigTest, Changes) {
  auto c = ParsePoolChanges(R"({"pods":null,"cpu":"4","stockout":true,"reclaim":2})", "spot");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->size(), 1u);
  EXPECT_EQ((*c)[0].name, "spot");
  ASSERT_TRUE((*c)[0].pods.has_value());
  EXPECT_FALSE((*c)[0].pods->has_value());
  EXPECT_EQ((*c)[0].cpu_milli, std::optional<int64_t>(4000));
  EXPECT_FALSE((*c)[0].memory_bytes.has_value());
  EXPECT_EQ((*c)[0].stockout, true);
  EXPECT_EQ((*c)[0].reclaim, 2);
  c = ParsePoolChanges(R"([{"name":"a","pods":1},{"name":"b","stockout":false}])", "");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->size(), 2u);
  EXPECT_FALSE(ParsePoolChanges(R"({"pods":1})", "").ok());
  EXPECT_FALSE(ParsePoolChanges(R"({"name":"a","size":1})", "").ok());
}

}  // namespace
}  // namespace sluice::kubesim
