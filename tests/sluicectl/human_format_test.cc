#include "tools/sluicectl/human_format.h"

#include "gtest/gtest.h"

namespace sluice::ctl {
namespace {

TEST(HumanFormatTest, EnumWords) {
  EXPECT_EQ(StateWord(v1::INTENT_STATE_CREATE_FAILED), "CreateFailed");
  EXPECT_EQ(StateWord(v1::INTENT_STATE_RUNNING), "Running");
  EXPECT_EQ(StateWord(static_cast<v1::IntentState>(99)), "99");
  EXPECT_EQ(EventWord(v1::EVENT_TYPE_RESCHEDULED), "Rescheduled");
  EXPECT_EQ(PolicyWord(v1::CAPACITY_POLICY_SPOT_PREFERRED), "SPOT_PREFERRED");
  EXPECT_EQ(PolicyWord(v1::CAPACITY_POLICY_UNSPECIFIED), "UNSPECIFIED");
}

TEST(HumanFormatTest, MillisAtTheUnitBoundaries) {
  EXPECT_EQ(MillisText(0), "0ms");
  EXPECT_EQ(MillisText(999), "999ms");
  EXPECT_EQ(MillisText(1000), "1s");
  EXPECT_EQ(MillisText(1500), "1.5s");
  EXPECT_EQ(MillisText(59'999), "59.9s");
  EXPECT_EQ(MillisText(60'000), "1m");
  EXPECT_EQ(MillisText(192'000), "3m12s");
  EXPECT_EQ(MillisText(3'599'999), "59m59s");
  EXPECT_EQ(MillisText(3'600'000), "1h");
  EXPECT_EQ(MillisText(7'500'000), "2h5m");
  EXPECT_EQ(MillisText(86'400'000), "1d");
  EXPECT_EQ(MillisText(90'000'000), "1d1h");
}

TEST(HumanFormatTest, NumbersTimesEpochsAndMaps) {
  EXPECT_EQ(NumberText(50), "50");
  EXPECT_EQ(NumberText(12.25), "12.25");
  EXPECT_EQ(NumberText(0.001), "0.001");
  EXPECT_EQ(NumberText(0.0001), "0");
  EXPECT_EQ(NumberText(-0.0001), "0");
  google::protobuf::Timestamp t;
  t.set_seconds(1'700'000'000);
  EXPECT_EQ(TimestampText(t), "2023-11-14T22:13:20Z");
  EXPECT_EQ(EpochText(0xdeadbeef01ULL), "deadbeef01");
  google::protobuf::Map<std::string, std::string> m;
  m["pods"] = "3";
  m["limits.cpu"] = "2";
  EXPECT_EQ(KeyValues(m), "limits.cpu=2 pods=3");
}

}  // namespace
}  // namespace sluice::ctl
