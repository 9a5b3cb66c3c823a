#include "tools/loadgen/load_report.h"

#include "gtest/gtest.h"
#include "rapidjson/document.h"

namespace sluice::loadgen {
namespace {

LoadReport Sample() {
  LoadReport r;
  r.target = "127.0.0.1:7070";
  r.workflows = 2;
  r.pods_per_workflow = 3;
  r.pods = 6;
  r.batch_size = 1000;
  r.wait = "created";
  r.complete = true;
  r.submitted = r.accepted = r.created = 6;
  r.elapsed_seconds = 1.5;
  r.creates_per_second = 4;
  r.intake_intents_per_second = 600;
  r.submit_to_create_ms = {6, 10, 20, 30, 31};
  r.fairness = {true, 0.98, 4, 2};
  return r;
}

TEST(LoadReportTest, JsonHasEveryFigure) {
  LoadReport r = Sample();
  ApiServerCounts a;
  a.requests = 9;
  a.status_429 = 1;
  r.apiserver = a;
  rapidjson::Document doc;
  const std::string json = ReportJson(r);
  doc.Parse(json.c_str());
  ASSERT_FALSE(doc.HasParseError()) << json;
  for (const char* key : {"submitted", "accepted", "rejected", "duplicate", "created",
                          "elapsed_seconds", "creates_per_second", "intake_intents_per_second"}) {
    EXPECT_TRUE(doc.HasMember(key)) << key;
  }
  EXPECT_EQ(doc["created"].GetUint64(), 6u);
  EXPECT_EQ(doc["submit_to_create_ms"]["p50"].GetDouble(), 10);
  EXPECT_EQ(doc["submit_to_create_ms"]["p90"].GetDouble(), 20);
  EXPECT_EQ(doc["submit_to_create_ms"]["p99"].GetDouble(), 30);
  EXPECT_EQ(doc["submit_to_create_ms"]["max"].GetDouble(), 31);
  EXPECT_DOUBLE_EQ(doc["fairness_jain"].GetDouble(), 0.98);
  EXPECT_EQ(doc["apiserver"]["requests"].GetUint64(), 9u);
  EXPECT_EQ(doc["apiserver"]["status_429"].GetUint64(), 1u);
  EXPECT_EQ(doc["apiserver"]["status_403"].GetUint64(), 0u);
  EXPECT_EQ(doc["apiserver"]["status_5xx"].GetUint64(), 0u);
  EXPECT_TRUE(doc["error"].IsNull());
}

TEST(LoadReportTest, UnknownFiguresAreNull) {
  LoadReport r = Sample();
  r.fairness = FairnessResult{};
  r.complete = false;
  r.error = "timed out";
  rapidjson::Document doc;
  doc.Parse(ReportJson(r).c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_TRUE(doc["fairness_jain"].IsNull());
  EXPECT_TRUE(doc["apiserver"].IsNull());
  EXPECT_STREQ(doc["error"].GetString(), "timed out");
}

TEST(LoadReportTest, TableNamesTheFigures) {
  LoadReport r = Sample();
  const std::string table = ReportTable(r);
  EXPECT_NE(table.find("complete"), std::string::npos);
  EXPECT_NE(table.find("4 pods/s"), std::string::npos);
  EXPECT_NE(table.find("p50 10  p90 20  p99 30  max 31"), std::string::npos);
  EXPECT_NE(table.find("0.9800"), std::string::npos);
}

TEST(LoadReportTest, RestartFiguresAreReported) {
  LoadReport r = Sample();
  rapidjson::Document doc;
  doc.Parse(ReportJson(r).c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_EQ(doc["sluiced_restarts_seen"].GetUint64(), 0u);
  EXPECT_EQ(doc["resubmitted"].GetUint64(), 0u);
  EXPECT_FALSE(doc.HasMember("sluiced_kills"));  // no --chaos-kill-sluiced
  EXPECT_EQ(ReportTable(r).find("restarts"), std::string::npos);

  r.sluiced_restarts_seen = 5;
  r.resubmitted = 1234;
  r.sluiced_kills = 6;
  doc.Parse(ReportJson(r).c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_EQ(doc["sluiced_restarts_seen"].GetUint64(), 5u);
  EXPECT_EQ(doc["resubmitted"].GetUint64(), 1234u);
  EXPECT_EQ(doc["sluiced_kills"].GetUint64(), 6u);
  const std::string table = ReportTable(r);
  EXPECT_NE(table.find("sluiced restarts seen / resubmitted 5 / 1234"), std::string::npos) << table;
  EXPECT_NE(table.find("sluiced killed (chaos)"), std::string::npos) << table;
}

}  // namespace
}  // namespace sluice::loadgen
