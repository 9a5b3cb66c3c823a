// The spot scenario's figures from kubesim's history and loadgen's records,
// and the stock-out test on GetCapacity answers.
#include "tools/loadgen/spot_figures.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/loadgen/pool_script.h"

namespace sluice::loadgen {
namespace {

using ::testing::HasSubstr;

constexpr const char* kHistory = R"([
 {"namespace":"argo","name":"a","uid":"u1","created":"2026-12-02T10:00:00Z",
  "scheduled":"2026-12-02T10:00:01Z","started":"2026-12-02T10:00:02Z",
  "finished":"2026-12-02T10:00:12Z","deletionRequested":null,"deleted":null,
  "requestsMilli":{"cpu":1010,"memory":603979776000},
  "phase":"Succeeded","labels":{"loadgen/run":"r1","sluice.dev/pool":"spot"},"reason":""},
 {"namespace":"argo","name":"b","uid":"u2","created":"2026-12-02T10:00:00Z",
  "started":null,"finished":null,"deleted":"2026-12-02T10:00:05.5Z",
  "phase":"Pending","labels":{"loadgen/run":"r1","sluice.dev/pool":"spot"},"reason":""},
 {"namespace":"argo","name":"b","uid":"u3","created":"2026-12-02T10:00:06.02Z",
  "creationTimestamp":"2026-12-02T10:00:05Z","started":"2026-12-02T10:00:07Z","finished":"2026-12-02T10:00:37Z",
  "phase":"Succeeded","labels":{"loadgen/run":"r1","sluice.dev/pool":"on-demand"},"reason":""},
 {"namespace":"argo","name":"c","uid":"u4","created":"2026-12-02T10:00:00Z",
  "started":"2026-12-02T10:00:01Z","finished":"2026-12-02T10:00:11Z",
  "phase":"Failed","labels":{"loadgen/run":"r1","sluice.dev/pool":"spot"},"reason":"Preempted"},
 {"namespace":"argo","name":"x","uid":"u9","created":"2026-12-02T10:00:00Z",
  "started":"2026-12-02T10:00:01Z","finished":"2026-12-02T10:09:01Z",
  "phase":"Succeeded","labels":{"loadgen/run":"other"},"reason":""}
])";

TEST(SpotFiguresTest, HistoryKeepsOnlyThisRunsAttempts) {
  absl::StatusOr<std::vector<HistoryPod>> h = ParseSimHistory(kHistory, "r1");
  ASSERT_TRUE(h.ok()) << h.status();
  ASSERT_EQ(h->size(), 4u);
  EXPECT_EQ(*(*h)[0].scheduled, absl::FromUnixSeconds(1796205601));
  EXPECT_EQ((*h)[0].cpu_milli, 1010);
  EXPECT_EQ((*h)[0].memory_milli, 603979776000);
  EXPECT_EQ((*h)[1].cpu_milli, 0);
  EXPECT_EQ((*h)[1].uid, "u2");
  EXPECT_FALSE((*h)[1].started.has_value());
  EXPECT_EQ(*(*h)[1].deleted, absl::FromUnixMillis(1796205605500));
  EXPECT_EQ((*h)[2].pool, "on-demand");
  EXPECT_EQ(*(*h)[2].creation_timestamp, absl::FromUnixSeconds(1796205605));
  EXPECT_FALSE((*h)[0].creation_timestamp.has_value());
  EXPECT_EQ((*h)[3].reason, "Preempted");
}

TEST(SpotFiguresTest, BadHistoryIsAnError) {
  EXPECT_FALSE(ParseSimHistory("{", "r1").ok());
  EXPECT_THAT(ParseSimHistory(R"([{"labels":{"loadgen/run":"r1"},"started":"yesterday"}])", "r1")
                  .status()
                  .message(),
              HasSubstr("started \"yesterday\""));
}

TEST(SpotFiguresTest, ShareFallbacksAndLostPods) {
  absl::StatusOr<std::vector<HistoryPod>> h = ParseSimHistory(kHistory, "r1");
  ASSERT_TRUE(h.ok());
  std::vector<PodRecord> records(4);
  records[0].finished = true;  // a: succeeded on spot
  records[0].terminal_event = v1::EVENT_TYPE_SUCCEEDED;
  records[1].finished = true;  // b: rescheduled to on-demand, succeeded
  records[1].terminal_event = v1::EVENT_TYPE_SUCCEEDED;
  records[1].rescheduled_events = 1;
  records[2].finished = true;  // c: preempted, and told why
  records[2].terminal_event = v1::EVENT_TYPE_PREEMPTED;
  records[2].terminal_reason = "Preempted";
  // records[3]: never settled: lost.
  const SpotFigures f = ComputeSpotFigures(*h, records, "spot", absl::FromUnixSeconds(1796205700));
  // Spot: a 10 s + c 10 s; on-demand: b 30 s. b's first attempt never started.
  EXPECT_DOUBLE_EQ(f.spot_pod_seconds, 20);
  EXPECT_DOUBLE_EQ(f.pod_seconds, 50);
  ASSERT_TRUE(f.spot_share.has_value());
  EXPECT_DOUBLE_EQ(*f.spot_share, 0.4);
  EXPECT_EQ(f.fallbacks, 1u);
  EXPECT_EQ(f.attempts, 4u);
  EXPECT_EQ(f.pods_recreated, 1u);
  EXPECT_EQ(f.preempted, 1u);
  EXPECT_EQ(f.succeeded, 2u);
  EXPECT_EQ(f.pods_lost, 1u);

  // A failure the controller was not told the reason of is lost too.
  records[2].terminal_reason.clear();
  EXPECT_EQ(ComputeSpotFigures(*h, records, "spot", absl::Now()).pods_lost, 2u);
}

TEST(SpotFiguresTest, RunningPodsCountUntilTheEnd) {
  std::vector<HistoryPod> h(1);
  h[0].pool = "spot";
  h[0].started = absl::FromUnixSeconds(100);
  const SpotFigures f = ComputeSpotFigures(h, {}, "spot", absl::FromUnixSeconds(160));
  EXPECT_DOUBLE_EQ(f.pod_seconds, 60);
  EXPECT_DOUBLE_EQ(*f.spot_share, 1);
}

TEST(StockoutNoticedTest, UnavailableOrANewStockoutCount) {
  v1::GetCapacityResponse capacity;
  v1::PoolStatus* spot = capacity.add_pools();
  spot->set_name("spot");
  spot->set_state("Available");
  spot->set_stockouts(2);
  capacity.add_pools()->set_name("on-demand");
  EXPECT_FALSE(StockoutNoticed(capacity, "spot", 2));
  EXPECT_TRUE(StockoutNoticed(capacity, "spot", 1));
  spot->set_state("Unavailable");
  EXPECT_TRUE(StockoutNoticed(capacity, "spot", 2));
  EXPECT_FALSE(StockoutNoticed(capacity, "gone", 0));
  spot->set_state("Draining");
  EXPECT_FALSE(StockoutNoticed(capacity, "spot", 2));
}

}  // namespace
}  // namespace sluice::loadgen
