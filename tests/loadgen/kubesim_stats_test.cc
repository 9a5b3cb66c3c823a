#include "tools/loadgen/kubesim_stats.h"

#include "gtest/gtest.h"

namespace sluice::loadgen {
namespace {

// The members of kubesim's /sim/stats (tools/kubesim/server_stats.cc).
constexpr char kStats[] = R"({"requests":{"create":{"201":900,"409":3,"429":7}},
  "requests_total":950,"creates_accepted":900,"duplicates_refused":3,"rejected_429":7,
  "forbidden_403":1,"conflict_409":3,"server_error_5xx":2,"mutating_requests":910,
  "max_mutating_per_second":420,"max_admitted_mutating_per_second":400,
  "dropped_connections":0,"watchers":1,"watch_events_sent":1800,"since":"2024-05-01T12:00:00Z"})";

TEST(KubesimStatsTest, ParsesTheCounters) {
  absl::StatusOr<ApiServerCounts> c = ParseKubesimStats(kStats);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->requests, 950);
  EXPECT_EQ(c->creates, 900);
  EXPECT_EQ(c->status_409, 3);
  EXPECT_EQ(c->status_429, 7);
  EXPECT_EQ(c->status_403, 1);
  EXPECT_EQ(c->status_5xx, 2);
  EXPECT_EQ(c->mutating_requests, 910);
  EXPECT_EQ(c->max_admitted_mutating_per_second, 400);
  EXPECT_EQ(c->max_mutating_per_second, 420);
}

TEST(KubesimStatsTest, RefusesOtherBodies) {
  EXPECT_FALSE(ParseKubesimStats("not json").ok());
  EXPECT_FALSE(ParseKubesimStats(R"({"requests_total":"many"})").ok());
}

TEST(KubesimStatsTest, CountsBetweenSubtractsCountersAndKeepsTheLaterMaxima) {
  ApiServerCounts start, end;
  start.requests = 10;
  start.status_429 = 2;
  start.max_admitted_mutating_per_second = 50;
  end.requests = 110;
  end.status_429 = 2;
  end.creates = 100;
  end.max_admitted_mutating_per_second = 300;
  ApiServerCounts d = CountsBetween(start, end);
  EXPECT_EQ(d.requests, 100);
  EXPECT_EQ(d.status_429, 0);
  EXPECT_EQ(d.creates, 100);
  EXPECT_EQ(d.max_admitted_mutating_per_second, 300);
}

}  // namespace
}  // namespace sluice::loadgen
