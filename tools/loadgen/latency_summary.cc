#include "tools/loadgen/latency_summary.h"

#include <algorithm>
#include <cmath>

namespace sluice::loadgen {
namespace {

double NearestRank(const std::vector<double>& sorted, double percent) {
  const double rank = std::ceil(percent / 100.0 * static_cast<double>(sorted.size()));
  const size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

}  // namespace

LatencySummary Summarize(std::vector<double>& samples_ms) {
  LatencySummary s;
  if (samples_ms.empty()) return s;
  std::sort(samples_ms.begin(), samples_ms.end());
  s.count = samples_ms.size();
  s.p50_ms = NearestRank(samples_ms, 50);
  s.p90_ms = NearestRank(samples_ms, 90);
  s.p99_ms = NearestRank(samples_ms, 99);
  s.max_ms = samples_ms.back();
  return s;
}

}  // namespace sluice::loadgen
