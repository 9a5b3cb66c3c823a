// Process-level: the cost scenario at a small scale (kubesim and sluiced with
// --ledger on ephemeral loopback ports, run in-process as sluice-loadgen
// --spawn --scenario cost does). Every attempt kubesim recorded is recomputed
// and equals its ledger row (cost_mismatches 0), the sums over teams and
// workflows equal the total, and `sluicectl cost --by pod -o json` lists
// every attempt with its times, billed quantities, pool and cost.
#include <stdio.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "scheduler/common/clock.h"
#include "tools/loadgen/child_process.h"
#include "tools/loadgen/load_run.h"
#include "tools/loadgen/loadgen_options.h"
#include "tools/loadgen/local_stack.h"
#include "tools/loadgen/scenario.h"

namespace sluice::loadgen {
namespace {

std::string BinDir() {
  const char* dir = std::getenv("SLUICE_BIN_DIR");
  return dir != nullptr ? dir : ExecutableDir() + "/../bin";
}

// Stdout of a shell command.
std::string Capture(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[65536];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  pclose(pipe);
  return out;
}

class CostScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = (std::filesystem::temp_directory_path() / "sluice-cost.XXXXXX").string();
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    dir_ = dir;
  }
  void TearDown() override {
    if (stack_ != nullptr) stack_->Stop();
    if (!HasFailure()) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
    }
  }

  std::string dir_;
  std::unique_ptr<LocalStack> stack_;
};

std::optional<double> Figure(const LoadReport& report, const std::string& key) {
  for (const LoadReport::Figure& f : report.figures) {
    if (f.key == key) return f.value;
  }
  return std::nullopt;
}

TEST_F(CostScenarioTest, EveryAttemptRecomputedAndListed) {
  absl::StatusOr<Scenario> scenario = MakeScenario("cost", 0.25, 5);
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  ASSERT_FALSE(scenario->cost_rules.empty());
  const std::string config = dir_ + "/sluiced.yaml";
  std::ofstream(config) << scenario->sluiced_config_yaml;
  LocalStack::Options spawn;
  spawn.bin_dir = BinDir();
  spawn.log_dir = dir_;
  spawn.kubesim_args = scenario->kubesim_args;
  spawn.sluiced_args =
      absl::StrCat(scenario->sluiced_args, " --config ", config, " --ledger ", dir_, "/cost.db");
  absl::StatusOr<std::unique_ptr<LocalStack>> started = LocalStack::Start(spawn);
  ASSERT_TRUE(started.ok()) << started.status();
  stack_ = std::move(*started);

  LoadgenOptions options;
  options.scenario = "cost";
  options.scale = 0.25;
  options.seed = 5;
  options.wait = scenario->wait;
  options.timeout_seconds = 45;
  RunTarget target;
  target.sluiced = stack_->sluiced_target();
  target.kubesim_url = stack_->kubesim_url();
  target.spawned = true;
  const LoadReport report = RunLoad(options, &*scenario, target, RealClock::Get(),
                                    [](const LedgerCounts&, absl::Duration) {});
  ASSERT_TRUE(report.complete) << report.error;
  EXPECT_EQ(report.finished, report.pods);

  const std::optional<double> attempts = Figure(report, "attempts");
  ASSERT_TRUE(attempts.has_value());
  EXPECT_GE(*attempts, static_cast<double>(report.pods));
  EXPECT_EQ(Figure(report, "cost_checked_pods"), attempts);
  EXPECT_EQ(Figure(report, "cost_ledger_attempts"), attempts);
  EXPECT_EQ(Figure(report, "cost_mismatches"), 0.0);
  EXPECT_EQ(Figure(report, "cost_sum_checks_ok"), 1.0);
  ASSERT_TRUE(Figure(report, "cost_total_nano").has_value());
  EXPECT_GT(*Figure(report, "cost_total_nano"), 0);
  EXPECT_TRUE(Figure(report, "cost_team_a_nano").has_value());
  EXPECT_TRUE(Figure(report, "cost_team_b_nano").has_value());

  // sluicectl lists every attempt kubesim recorded, with what it billed.
  const std::string json = Capture(absl::StrCat(
      BinDir(), "/sluicectl --address ", stack_->sluiced_target(), " cost --by pod -o json"));
  rapidjson::Document d;
  d.Parse(json.c_str());
  ASSERT_TRUE(d.IsObject()) << json.substr(0, 400);
  ASSERT_TRUE(d.HasMember("attempts") && d["attempts"].IsArray()) << json.substr(0, 400);
  EXPECT_EQ(static_cast<double>(d["attempts"].Size()), *attempts);
  absl::flat_hash_set<std::string> uids;
  std::map<std::string, int> pools;
  for (const rapidjson::Value& a : d["attempts"].GetArray()) {
    uids.insert(a["pod_uid"].GetString());
    pools[a["pool"].GetString()] += 1;
    EXPECT_TRUE(a["created"].IsString());
    EXPECT_TRUE(a["billing_end"].IsString());
    EXPECT_FALSE(a["end_reason"].GetString() == std::string());
    for (const char* key : {"vcpu_milli", "memory_bytes", "billed_seconds", "cost_nano"}) {
      EXPECT_TRUE(a.HasMember(key)) << key;
    }
  }
  EXPECT_EQ(static_cast<double>(uids.size()), *attempts);
  EXPECT_TRUE(pools.contains("spot"));
  EXPECT_TRUE(pools.contains("on-demand"));
}

}  // namespace
}  // namespace sluice::loadgen
