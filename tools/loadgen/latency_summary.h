#ifndef SLUICE_TOOLS_LOADGEN_LATENCY_SUMMARY_H_
#define SLUICE_TOOLS_LOADGEN_LATENCY_SUMMARY_H_

#include <cstdint>
#include <vector>

namespace sluice::loadgen {

// Percentiles of a sample of durations in milliseconds, nearest-rank: pN is
// the smallest sample such that at least N% of the samples are <= it.
struct LatencySummary {
  uint64_t count = 0;
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

// Sorts `samples_ms` in place. All zero for an empty sample.
LatencySummary Summarize(std::vector<double>& samples_ms);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_LATENCY_SUMMARY_H_
