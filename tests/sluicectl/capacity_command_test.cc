// `sluicectl capacity`: the real binary against an in-process sluiced with
// pools, and the human form of a GetCapacityResponse.
#include "tools/sluicectl/capacity_command.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/sluicectl/in_process_daemon.h"
#include "tests/sluicectl/sluicectl_process.h"

namespace sluice::ctl {
namespace {

using ::sluice::ctl::testing::InProcessDaemonTest;
using ::sluice::ctl::testing::RunResult;
using ::sluice::ctl::testing::RunSluicectl;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;

class CapacityCommandTest : public InProcessDaemonTest {
 protected:
  void StartWithPools() {
    SluicedConfig config;
    PoolConfig spot;
    spot.name = "spot-a";
    spot.pool_class = PoolClass::kSpot;
    spot.max_pods = 10;
    config.engine.capacity.pools.push_back(spot);
    PoolConfig on_demand;
    on_demand.name = "on-demand";
    on_demand.order = 1;
    config.engine.capacity.pools.push_back(on_demand);
    StartDaemon(config);
  }
};

TEST_F(CapacityCommandTest, TableHasOneRowPerPool) {
  StartWithPools();
  const RunResult r = RunSluicectl({"--address", address(), "capacity"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("intents waiting on capacity"));
  EXPECT_THAT(r.out, ContainsRegex("POOL +CLASS +ORDER +STATE +PODS +VCPU"));
  EXPECT_THAT(r.out, ContainsRegex("\nspot-a +spot +0 +Available +0/10 +0/- "));
  EXPECT_THAT(r.out, ContainsRegex("\non-demand +on-demand +1 +Available +0/- "));
}

TEST_F(CapacityCommandTest, JsonIsTheGetCapacityResponse) {
  StartWithPools();
  const RunResult r = RunSluicectl({"--address", address(), "capacity", "-o", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rapidjson::Document doc;
  ASSERT_FALSE(doc.Parse(r.out.c_str()).HasParseError()) << r.out;
  EXPECT_EQ(std::string(doc["epoch"].GetString()), std::to_string(daemon_->epoch()));
  ASSERT_EQ(doc["pools"].Size(), 2u);
  EXPECT_STREQ(doc["pools"][0]["name"].GetString(), "spot-a");
  EXPECT_STREQ(doc["pools"][0]["max_pods"].GetString(), "10");
}

TEST_F(CapacityCommandTest, WithoutPoolsSaysSo) {
  const RunResult r = RunSluicectl({"--address", address(), "capacity"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("No capacity pools are configured"));
}

TEST(CapacityTextTest, StateTimeLeftLimitsAndRecentFailures) {
  v1::GetCapacityResponse c;
  c.set_default_policy(v1::CAPACITY_POLICY_SPOT_PREFERRED);
  c.set_waiting_on_capacity(3);
  v1::PoolStatus* p = c.add_pools();
  p->set_name("spot-b");
  p->set_class_("spot");
  p->set_state("Unavailable");
  p->set_state_remaining_ms(240'000);
  p->set_used_pods(4);
  p->set_max_pods(8);
  p->set_used_vcpu("2");
  p->set_max_vcpu("16");
  p->set_used_memory("4Gi");
  p->set_used_gpu("0");
  p->set_in_flight_pods(1);
  p->set_in_flight_vcpu("500m");
  p->set_stockouts(2);
  v1::PoolStatus::Failure* f = p->add_recent_failures();
  f->mutable_time()->set_seconds(1'700'000'000);
  f->set_reason("StockOut");
  f->set_message("no spot capacity in zone a");
  EXPECT_EQ(
      CapacityText(c),
      "Default policy SPOT_PREFERRED; 3 intents waiting on capacity.\n"
      "\n"
      "POOL    CLASS  ORDER  STATE                  PODS  VCPU  MEMORY  GPU  IN-FLIGHT         "
      "STOCKOUTS  BACKOFFS  INTERRUPTIONS\n"
      "spot-b  spot   0      Unavailable (4m left)  4/8   2/16  4Gi/-   0/-  1 pod, 500m vCPU  "
      "2          0         0\n"
      "\n"
      "Recent failures:\n"
      "POOL    TIME                  REASON    MESSAGE\n"
      "spot-b  2023-11-14T22:13:20Z  StockOut  no spot capacity in zone a\n");
}

}  // namespace
}  // namespace sluice::ctl
