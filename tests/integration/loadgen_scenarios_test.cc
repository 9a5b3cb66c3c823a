// sluice-loadgen --spawn --scenario NAME --scale small, end to end: the report
// has the scenario's keys and the invariants hold (every pod created exactly
// once and found in the cluster, no 403 with Sluice as the only writer), and
// the SVG is written beside the JSON.
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tools/loadgen/child_process.h"
#include "tools/loadgen/local_stack.h"

namespace sluice::loadgen {
namespace {

constexpr absl::Duration kDeadline = absl::Seconds(55);

std::string BinDir() {
  const char* dir = std::getenv("SLUICE_BIN_DIR");
  return dir != nullptr ? dir : ExecutableDir() + "/../bin";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class LoadgenScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = (std::filesystem::temp_directory_path() / "sluice-scenario.XXXXXX").string();
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    dir_ = dir;
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // Runs loadgen with `args` plus --spawn and a report file; its exit code.
  int RunLoadgen(const std::string& name, const std::string& args) {
    ChildProcess::Spec spec;
    spec.binary = BinDir() + "/sluice-loadgen";
    spec.args = {"--spawn",       "--bin-dir", BinDir(), "--format", "json",
                 "--report-json", Json(name),  "--seed", "3",        "--keep-logs"};
    spec.extra_args = args;
    spec.stderr_path = absl::StrCat(dir_, "/", name, ".err");
    absl::StatusOr<std::unique_ptr<ChildProcess>> child = ChildProcess::Start(spec);
    EXPECT_TRUE(child.ok()) << child.status();
    if (!child.ok()) return -1;
    (*child)->DiscardOutput();
    const absl::Time deadline = absl::Now() + kDeadline;
    while (!(*child)->Exited() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(100));
    const int code = (*child)->Stop(absl::Seconds(3));
    if (code != 0) ADD_FAILURE() << "loadgen exited " << code << ": " << ReadFile(spec.stderr_path);
    return code;
  }
  std::string Json(const std::string& name) const { return absl::StrCat(dir_, "/", name, ".json"); }

  // Checks the invariants every scenario run under Sluice must keep.
  void ExpectNoPodLost(const rapidjson::Document& d) {
    const uint64_t pods = d["pods"].GetUint64();
    EXPECT_GT(pods, 0u);
    EXPECT_TRUE(d["complete"].GetBool());
    EXPECT_EQ(d["created"].GetUint64(), pods);
    EXPECT_EQ(d["unsettled"].GetUint64(), 0u);
    EXPECT_EQ(d["create_failed"].GetUint64(), 0u);
    ASSERT_TRUE(d["cluster_pods"].IsUint64());
    EXPECT_EQ(d["cluster_pods"].GetUint64(), pods);
    EXPECT_FALSE(d.HasMember("verify_error"));
    ASSERT_TRUE(d["apiserver"].IsObject());
    EXPECT_EQ(d["apiserver"]["creates"].GetUint64(), pods);
    EXPECT_EQ(d["apiserver"]["status_403"].GetUint64(), 0u);
    EXPECT_TRUE(d["elapsed_seconds"].IsNumber());
    EXPECT_TRUE(d["timeline"].IsArray());
    EXPECT_GT(d["timeline"].Size(), 1u);
  }

  void ExpectSvg(const std::string& name) {
    const std::string svg = ReadFile(absl::StrCat(dir_, "/", name, ".svg"));
    EXPECT_EQ(svg.rfind("<svg", 0), 0u);
    EXPECT_NE(svg.find("</svg>"), std::string::npos);
  }

  std::string dir_;
};

rapidjson::Document Parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

TEST_F(LoadgenScenarioTest, QuotaSmall) {
  ASSERT_EQ(RunLoadgen("quota", "--scenario quota --scale 0.1"), 0);
  rapidjson::Document d = Parse(ReadFile(Json("quota")));
  ASSERT_TRUE(d.IsObject());
  ExpectNoPodLost(d);
  EXPECT_STREQ(d["scenario"].GetString(), "quota");
  EXPECT_STREQ(d["wait"].GetString(), "finished");
  EXPECT_EQ(d["finished"].GetUint64(), d["pods"].GetUint64());
  ASSERT_TRUE(d["quota_utilization"].IsNumber());
  EXPECT_GT(d["quota_utilization"].GetDouble(), 0);
  EXPECT_LE(d["quota_utilization"].GetDouble(), 1);
  ExpectSvg("quota");
}

TEST_F(LoadgenScenarioTest, FanoutSmall) {
  ASSERT_EQ(RunLoadgen("fanout", "--scenario fanout --scale 0.05"), 0);
  rapidjson::Document d = Parse(ReadFile(Json("fanout")));
  ASSERT_TRUE(d.IsObject());
  ExpectNoPodLost(d);
  EXPECT_STREQ(d["scenario"].GetString(), "fanout");
  for (const char* key :
       {"fairness_jain", "small_first_create_worst_ratio",
        "small_first_create_worst_ratio_loadgen_clock", "time_to_create_all_seconds"}) {
    EXPECT_TRUE(d.HasMember(key)) << key;
  }
  ASSERT_TRUE(d["small_first_create_worst_ratio_loadgen_clock"].IsNumber());
  EXPECT_GT(d["small_first_create_worst_ratio_loadgen_clock"].GetDouble(), 0);
  ExpectSvg("fanout");
}

}  // namespace
}  // namespace sluice::loadgen
