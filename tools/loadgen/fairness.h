#ifndef SLUICE_TOOLS_LOADGEN_FAIRNESS_H_
#define SLUICE_TOOLS_LOADGEN_FAIRNESS_H_

#include <cstdint>

#include "absl/types/span.h"

namespace sluice::loadgen {

// One change of a workflow's backlog, in the order loadgen observed it: a pod
// arrived (its intent was accepted), or left the backlog because it was
// created, or left it without being created (refused for good, cancelled).
struct BacklogChange {
  enum class Kind : uint8_t { kArrival, kCreated, kGoneUncreated };
  uint32_t workflow = 0;
  Kind kind = Kind::kArrival;
};

struct FairnessResult {
  // False when no create happened while every workflow was backlogged (one
  // workflow, or one drained before the last arrived): there is no figure.
  bool defined = false;
  double jain = 0;
  // Creates counted (made while every workflow was backlogged).
  uint64_t window_creates = 0;
  // n: workflows that appear in the log.
  uint32_t workflows = 0;
};

// Jain's fairness index of x_1..x_n: (sum x)^2 / (n * sum x^2). 1 when every
// x_i is equal, 1/n when one x_i has everything. 0 for an empty or all-zero x.
double JainIndex(absl::Span<const double> x);

// Jain's index over backlogged workflows' shares of creates.
//
// Definition. Let W be the n workflows that appear in `log`. Replay `log` in
// order, keeping each workflow's backlog b_w = arrivals - departures (kCreated
// and kGoneUncreated are departures). A kCreated change of workflow w is
// *counted* if, just before it, b_v > 0 for every v in W: at that moment every
// workflow had a pod waiting, so a fair scheduler would have served each at
// the same rate. x_w is the number of counted creates of w, and the result is
// JainIndex(x_1..x_n): 1.0 when every workflow got the same number of creates
// while all were waiting, lower when some were served ahead of others.
//
// The counted creates form one or more windows; in a run that submits every
// workflow up front, one window from the last workflow's first arrival to the
// first workflow to drain. Departures without an arrival (a pod created
// before loadgen saw its answer is logged as an arrival first) are ignored.
FairnessResult BackloggedJain(absl::Span<const BacklogChange> log);

// Jain's index among backlogged workflows when workflows come and go (the
// fanout and burst scenarios, where the set of backlogged workflows keeps
// changing and BackloggedJain has no window).
//
// Definition. Replay `log` as BackloggedJain does. Cut it into segments at
// every change of the set B of backlogged workflows (one starts waiting, one
// drains). In a segment, x_w is the number of creates of each w in B (zero
// included). A segment counts when |B| >= 2 and it holds at least 2|B|
// creates (shorter ones measure rounding, not fairness). The result is the
// mean of the counted segments' JainIndex(x), weighted by their creates.
struct SegmentedFairness {
  bool defined = false;
  double jain = 0;
  uint64_t segments = 0;  // counted
  uint64_t creates = 0;   // in counted segments
  double worst = 0;       // the lowest counted segment's index
};
SegmentedFairness SegmentedJain(absl::Span<const BacklogChange> log);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_FAIRNESS_H_
