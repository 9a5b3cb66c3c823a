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

SegmentedFairness SegmentedJain(absl::Span<const BacklogChange> log) {
  uint32_t max_workflow = 0;
  for (const BacklogChange& c : log) max_workflow = std::max(max_workflow, c.workflow + 1);
  std::vector<int64_t> backlog(max_workflow, 0);
  std::vector<double> creates(max_workflow, 0);  // in the current segment
  std::vector<uint32_t> members;                 // B of the current segment
  uint64_t segment_creates = 0;
  SegmentedFairness out;
  double weighted = 0;
  auto close_segment = [&] {
    const size_t n = members.size();
    if (n >= 2 && segment_creates >= 2 * n) {
      std::vector<double> x;
      x.reserve(n);
      for (uint32_t w : members) x.push_back(creates[w]);
      const double j = JainIndex(x);
      weighted += j * static_cast<double>(segment_creates);
      out.creates += segment_creates;
      out.worst = out.segments == 0 ? j : std::min(out.worst, j);
      ++out.segments;
    }
    for (uint32_t w : members) creates[w] = 0;
    segment_creates = 0;
    members.clear();
    for (uint32_t w = 0; w < max_workflow; ++w) {
      if (backlog[w] > 0) members.push_back(w);
    }
  };
  for (const BacklogChange& c : log) {
    int64_t& b = backlog[c.workflow];
    if (c.kind == BacklogChange::Kind::kArrival) {
      if (b++ == 0) close_segment();
      continue;
    }
    if (b == 0) continue;
    if (c.kind == BacklogChange::Kind::kCreated) {
      creates[c.workflow] += 1;
      ++segment_creates;
    }
    if (--b == 0) close_segment();
  }
  if (out.creates > 0) {
    out.defined = true;
    out.jain = weighted / static_cast<double>(out.creates);
  }
  return out;
}

}  // namespace sluice::loadgen
