#include "tools/kubesim/pod_history.h"

#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "scheduler/common/clock.h"
#include "tests/kubesim/test_pods.h"
#include "tools/kubesim/json_parse.h"
#include "tools/kubesim/sim_cluster.h"

namespace sluice::kubesim {
namespace {

TEST(PodHistoryTest, RecordsTheLifeOfEveryPod) {
  SimulatedClock clock;
  ClusterOptions o;
  o.nodes = 1;
  SimCluster c(clock, o);
  ASSERT_TRUE(c.CreatePod("ns", testing::PodBody("p", R"("labels":{"wf":"w1"})",
                                                 R"("overhead":{"cpu":"250m"})"))
                  .ok());
  const absl::Time created = clock.WallNow();
  for (absl::Duration d : {absl::Milliseconds(50), absl::Milliseconds(500), absl::Seconds(5)}) {
    clock.Advance(d);
    c.kubelet().RunDue();
  }
  ASSERT_TRUE(c.DeletePod("ns", "p", std::nullopt, std::nullopt).ok());  // finished: at once
  ASSERT_TRUE(c.CreatePod("ns", testing::PodBody("p")).ok());

  std::vector<PodRecord> records = c.history().Records();
  ASSERT_EQ(records.size(), 2u);
  const PodRecord& r = records[0];
  EXPECT_EQ(r.name, "p");
  EXPECT_EQ(r.created, created);
  EXPECT_EQ(r.scheduled, created + absl::Milliseconds(50));
  EXPECT_EQ(r.started, created + absl::Milliseconds(550));
  EXPECT_EQ(r.finished, created + absl::Milliseconds(5550));
  EXPECT_EQ(r.deleted, created + absl::Milliseconds(5550));
  EXPECT_EQ(r.phase, PodPhase::kSucceeded);
  EXPECT_EQ(r.node, "kubesim-node-0");
  EXPECT_EQ(r.requests, (ResourceAmounts{{"cpu", 250}}));
  EXPECT_NE(records[1].uid, r.uid);
  EXPECT_EQ(records[1].deleted, std::nullopt);

  rapidjson::Document doc;
  ParseJson(c.history().Json(), &doc);
  ASSERT_TRUE(doc.IsArray());
  ASSERT_EQ(doc.Size(), 2u);
  EXPECT_STREQ(doc[0]["created"].GetString(), "2023-11-14T22:13:20Z");
  EXPECT_STREQ(doc[0]["scheduled"].GetString(), "2023-11-14T22:13:20.05Z");
  EXPECT_STREQ(doc[0]["phase"].GetString(), "Succeeded");
  EXPECT_STREQ(doc[0]["labels"]["wf"].GetString(), "w1");
  EXPECT_EQ(doc[0]["requestsMilli"]["cpu"].GetInt(), 250);
  EXPECT_TRUE(doc[1]["deleted"].IsNull());
  c.history().Clear();
  EXPECT_TRUE(c.history().Records().empty());
}

}  // namespace
}  // namespace sluice::kubesim
