#include "tools/loadgen/fairness.h"

#include <algorithm>
#include <vector>

namespace sluice::loadgen {

double JainIndex(absl::Span<const double> x) {
  double sum = 0, sum_sq = 0;
  for (double v : x) {
    sum += v;
    sum_sq += v * v;
  }
  if (x.empty() || sum_sq == 0) return 0;
  return sum * sum / (static_cast<double>(x.size()) * sum_sq);
}

FairnessResult BackloggedJain(absl::Span<const BacklogChange> log) {
  uint32_t max_workflow = 0;
  for (const BacklogChange& c : log) max_workflow = std::max(max_workflow, c.workflow + 1);
  std::vector<bool> present(max_workflow, false);
  FairnessResult result;
  for (const BacklogChange& c : log) {
    if (!present[c.workflow]) {
      present[c.workflow] = true;
      ++result.workflows;
    }
  }
  std::vector<int64_t> backlog(max_workflow, 0);
  std::vector<double> counted(max_workflow, 0);
  uint32_t backlogged = 0;  // workflows with backlog > 0
  for (const BacklogChange& c : log) {
    int64_t& b = backlog[c.workflow];
    if (c.kind == BacklogChange::Kind::kArrival) {
      if (b++ == 0) ++backlogged;
      continue;
    }
    if (b == 0) continue;  // a departure without an arrival
    if (c.kind == BacklogChange::Kind::kCreated && backlogged == result.workflows) {
      counted[c.workflow] += 1;
      ++result.window_creates;
    }
    if (--b == 0) --backlogged;
  }
  if (result.window_creates == 0) return result;
  std::vector<double> shares;
  shares.reserve(result.workflows);
  for (uint32_t w = 0; w < max_workflow; ++w) {
    if (present[w]) shares.push_back(counted[w]);
  }
  result.defined = true;
  result.jain = JainIndex(shares);
  return result;
}

}  // namespace sluice::loadgen
