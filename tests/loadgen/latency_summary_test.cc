#include "tools/loadgen/latency_summary.h"

#include <vector>

#include "gtest/gtest.h"

namespace sluice::loadgen {
namespace {

TEST(LatencySummaryTest, NearestRankPercentiles) {
  std::vector<double> samples;
  for (int i = 100; i >= 1; --i) samples.push_back(i);  // 1..100, unsorted
  LatencySummary s = Summarize(samples);
  EXPECT_EQ(s.count, 100u);
  EXPECT_EQ(s.p50_ms, 50);
  EXPECT_EQ(s.p90_ms, 90);
  EXPECT_EQ(s.p99_ms, 99);
  EXPECT_EQ(s.max_ms, 100);
}

TEST(LatencySummaryTest, SmallAndEmptySamples) {
  std::vector<double> one = {7.5};
  LatencySummary s = Summarize(one);
  EXPECT_EQ(s.p50_ms, 7.5);
  EXPECT_EQ(s.p99_ms, 7.5);
  EXPECT_EQ(s.max_ms, 7.5);
  std::vector<double> three = {3, 1, 2};
  s = Summarize(three);
  EXPECT_EQ(s.p50_ms, 2);  // ceil(1.5) = rank 2
  EXPECT_EQ(s.p90_ms, 3);
  std::vector<double> none;
  s = Summarize(none);
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.max_ms, 0);
}

}  // namespace
}  // namespace sluice::loadgen
