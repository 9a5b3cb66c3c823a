#include "tools/kubesim/server_stats.h"

#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tools/kubesim/json_parse.h"
#include "tools/kubesim/json_writer.h"

namespace sluice::kubesim {
namespace {

rapidjson::Document Json(const ServerStats& s) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  s.WriteJson(w);
  w.EndObject();
  rapidjson::Document doc;
  ParseJson(out, &doc);
  EXPECT_FALSE(doc.HasParseError()) << out;
  return doc;
}

TEST(ServerStatsTest, CountsByVerbAndCode) {
  SimulatedClock clock;
  ServerStats s(clock);
  s.RecordRequest("create", 201);
  s.RecordRequest("create", 201);
  s.RecordRequest("create", 409);
  s.RecordRequest("create", 429);
  s.RecordRequest("create", 403);
  s.RecordRequest("create", 500);
  s.RecordRequest("delete", 504);
  s.RecordRequest("get", 404);
  rapidjson::Document d = Json(s);
  EXPECT_EQ(d["requests"]["create"]["201"].GetInt(), 2);
  EXPECT_EQ(d["requests"]["get"]["404"].GetInt(), 1);
  EXPECT_EQ(d["requests_total"].GetInt(), 8);
  EXPECT_EQ(d["creates_accepted"].GetInt(), 2);
  EXPECT_EQ(d["duplicates_refused"].GetInt(), 1);
  EXPECT_EQ(d["rejected_429"].GetInt(), 1);
  EXPECT_EQ(d["forbidden_403"].GetInt(), 1);
  EXPECT_EQ(d["conflict_409"].GetInt(), 1);
  EXPECT_EQ(d["server_error_5xx"].GetInt(), 2);
  s.Reset();
  EXPECT_EQ(Json(s)["requests_total"].GetInt(), 0);
}

TEST(ServerStatsTest, MaxMutatingPerSlidingSecond) {
  SimulatedClock clock;
  ServerStats s(clock);
  // 3 at t=0, 4 at t=0.5 s, 2 at t=1.2 s: the busiest one-second window
  // [0.5, 1.5) holds 6, [0, 1) holds 7.
  for (int i = 0; i < 3; ++i) s.RecordMutating(true);
  clock.Advance(absl::Milliseconds(500));
  for (int i = 0; i < 4; ++i) s.RecordMutating(i < 2);
  clock.Advance(absl::Milliseconds(700));
  for (int i = 0; i < 2; ++i) s.RecordMutating(true);
  rapidjson::Document d = Json(s);
  EXPECT_EQ(d["max_mutating_per_second"].GetInt(), 7);
  EXPECT_EQ(d["max_admitted_mutating_per_second"].GetInt(), 5);
  EXPECT_EQ(d["mutating_requests"].GetInt(), 9);
  // Exactly one second apart: not in the same window.
  ServerStats t(clock);
  t.RecordMutating(true);
  clock.Advance(absl::Seconds(1));
  t.RecordMutating(true);
  EXPECT_EQ(Json(t)["max_mutating_per_second"].GetInt(), 1);
}

}  // namespace
}  // namespace sluice::kubesim
