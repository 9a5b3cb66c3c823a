#include "tools/loadgen/fairness.h"

#include <vector>

#include "gtest/gtest.h"

namespace sluice::loadgen {
namespace {

using Kind = BacklogChange::Kind;

BacklogChange Arrive(uint32_t w) { return {w, Kind::kArrival}; }
BacklogChange Create(uint32_t w) { return {w, Kind::kCreated}; }
BacklogChange Gone(uint32_t w) { return {w, Kind::kGoneUncreated}; }

TEST(JainIndexTest, EqualSharesGiveOneAndOneTakerGivesOneOverN) {
  EXPECT_DOUBLE_EQ(JainIndex(std::vector<double>{5, 5, 5, 5}), 1.0);
  EXPECT_DOUBLE_EQ(JainIndex(std::vector<double>{8, 0, 0, 0}), 0.25);
  // (1+2+3)^2 / (3 * (1+4+9)) = 36/42.
  EXPECT_DOUBLE_EQ(JainIndex(std::vector<double>{1, 2, 3}), 36.0 / 42.0);
  EXPECT_DOUBLE_EQ(JainIndex(std::vector<double>{}), 0.0);
  EXPECT_DOUBLE_EQ(JainIndex(std::vector<double>{0, 0}), 0.0);
}

TEST(BackloggedJainTest, CountsOnlyCreatesMadeWhileEveryWorkflowWaits) {
  const std::vector<BacklogChange> log = {
      Arrive(0), Arrive(0), Arrive(0),
      Create(0),  // workflow 1 has not arrived: not counted
      Arrive(1), Arrive(1),
      Create(0),  // both backlogged: counted
      Create(1),  // counted
      Create(1),  // counted: workflow 1 had one left just before
      Create(0),  // workflow 1 drained: not counted
  };
  FairnessResult r = BackloggedJain(log);
  ASSERT_TRUE(r.defined);
  EXPECT_EQ(r.workflows, 2u);
  EXPECT_EQ(r.window_creates, 3u);
  // Shares 1 and 2: 9 / (2 * 5).
  EXPECT_DOUBLE_EQ(r.jain, 0.9);
}

TEST(BackloggedJainTest, RoundRobinIsPerfectlyFair) {
  std::vector<BacklogChange> log;
  for (uint32_t w = 0; w < 4; ++w) {
    for (int i = 0; i < 10; ++i) log.push_back(Arrive(w));
  }
  for (int round = 0; round < 10; ++round) {
    for (uint32_t w = 0; w < 4; ++w) log.push_back(Create(w));
  }
  FairnessResult r = BackloggedJain(log);
  ASSERT_TRUE(r.defined);
  // The last round ends when workflow 0 drains: 9 full rounds + 1 create.
  EXPECT_EQ(r.window_creates, 37u);
  EXPECT_NEAR(r.jain, 37.0 * 37.0 / (4.0 * (100 + 81 + 81 + 81)), 1e-12);
}

TEST(BackloggedJainTest, UndefinedWhenOneWorkflowDrainsBeforeAnotherArrives) {
  const std::vector<BacklogChange> log = {Arrive(0), Create(0), Arrive(1), Create(1)};
  FairnessResult r = BackloggedJain(log);
  EXPECT_FALSE(r.defined);
  EXPECT_EQ(r.workflows, 2u);
  EXPECT_EQ(r.window_creates, 0u);
}

TEST(BackloggedJainTest, UncreatedDeparturesEndABacklogWithoutAShare) {
  const std::vector<BacklogChange> log = {Arrive(0), Arrive(0), Arrive(1),
                                          Gone(1),  // workflow 1 no longer waits
                                          Create(0), Create(0)};
  EXPECT_FALSE(BackloggedJain(log).defined);
}

TEST(BackloggedJainTest, IgnoresDeparturesWithoutArrival) {
  const std::vector<BacklogChange> log = {Create(0), Arrive(0), Arrive(1), Create(1), Create(0)};
  FairnessResult r = BackloggedJain(log);
  ASSERT_TRUE(r.defined);
  EXPECT_EQ(r.window_creates, 1u);  // only Create(1): after it workflow 1 drains
  EXPECT_DOUBLE_EQ(r.jain, 0.5);
}

TEST(SegmentedJainTest, AlternatingServiceIsFairAcrossChangingSets) {
  // 0 arrives with 6 pods; 1 arrives with 2 and is served alternately with 0;
  // when 1 drains, 0 continues alone (not counted: one workflow).
  std::vector<BacklogChange> log;
  for (int i = 0; i < 6; ++i) log.push_back(Arrive(0));
  log.push_back(Create(0));
  log.push_back(Arrive(1));
  log.push_back(Arrive(1));
  log.push_back(Create(0));
  log.push_back(Create(1));
  log.push_back(Create(0));
  log.push_back(Create(1));  // 1 drains: segment {0, 1} with 2 + 2 creates
  log.push_back(Create(0));
  SegmentedFairness f = SegmentedJain(log);
  ASSERT_TRUE(f.defined);
  EXPECT_EQ(f.segments, 1u);
  EXPECT_EQ(f.creates, 4u);
  EXPECT_DOUBLE_EQ(f.jain, 1.0);
}

TEST(SegmentedJainTest, ServingOnlyTheBigOneWhileTheSmallWaitsIsUnfair) {
  std::vector<BacklogChange> log;
  for (int i = 0; i < 10; ++i) log.push_back(Arrive(0));
  log.push_back(Arrive(1));
  for (int i = 0; i < 4; ++i) log.push_back(Create(0));
  log.push_back(Create(1));  // {0, 1}: 4 and 1 creates
  SegmentedFairness f = SegmentedJain(log);
  ASSERT_TRUE(f.defined);
  EXPECT_DOUBLE_EQ(f.jain, 25.0 / (2 * 17));
  EXPECT_DOUBLE_EQ(f.worst, f.jain);
}

TEST(SegmentedJainTest, ShortSegmentsAreNotCounted) {
  std::vector<BacklogChange> log = {Arrive(0), Arrive(0), Arrive(1), Create(1), Create(0)};
  EXPECT_FALSE(SegmentedJain(log).defined);
}

}  // namespace
}  // namespace sluice::loadgen
