#ifndef SLUICE_TOOLS_LOADGEN_TIMELINE_SVG_H_
#define SLUICE_TOOLS_LOADGEN_TIMELINE_SVG_H_

#include <string>
#include <vector>

#include "tools/loadgen/scenario.h"
#include "tools/loadgen/timeline.h"

namespace sluice::loadgen {

// What the picture of a run shows.
struct TimelineChart {
  std::string title;  // e.g. "fanout: 50,500 pods"
  std::vector<TimelineSample> samples;
  // kubesim's limit over time (drawn dashed on the creates/s panel); empty
  // with a fixed limit of 0: none drawn.
  std::vector<LimitStep> limit_steps;
  double fixed_limit_qps = 0;
  // Per workflow: seconds from the sampler's start to the moment its last pod
  // was settled (created, or finished with --wait finished); negative: never.
  std::vector<double> workflow_completed_seconds;
};

// A self-contained SVG document (hand-written, no scripts or external
// references) with four panels sharing the time axis: creates/s (kubesim's
// 201s per interval, or loadgen's CREATED events without kubesim) with the
// limit, sluiced's queue depth, kubesim's 429s/s, and cumulative completed
// workflows. Each panel has a title, a y-axis maximum label and one
// <polyline class="series">.
std::string TimelineSvg(const TimelineChart& chart);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_TIMELINE_SVG_H_
