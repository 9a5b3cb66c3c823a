#include "tools/loadgen/scenario_figures.h"

#include <algorithm>
#include <limits>

namespace sluice::loadgen {
namespace {

// kubesim's cumulative creates at time t, linear between samples.
double CreatesAt(const std::vector<TimelineSample>& s, double t) {
  if (s.empty()) return 0;
  if (t <= s.front().t_seconds)
    return static_cast<double>(std::max<int64_t>(0, s.front().kube_creates));
  for (size_t i = 1; i < s.size(); ++i) {
    if (t <= s[i].t_seconds) {
      const double a = static_cast<double>(s[i - 1].kube_creates);
      const double b = static_cast<double>(s[i].kube_creates);
      const double span = s[i].t_seconds - s[i - 1].t_seconds;
      const double f = span > 0 ? (t - s[i - 1].t_seconds) / span : 1;
      return a + (b - a) * f;
    }
  }
  return static_cast<double>(s.back().kube_creates);
}

}  // namespace

LimitFigures ComputeLimitFigures(const std::vector<TimelineSample>& samples,
                                 const std::vector<LimitStep>& steps) {
  LimitFigures out;
  std::vector<TimelineSample> s;
  for (const TimelineSample& x : samples) {
    if (x.kube_creates >= 0) s.push_back(x);
  }
  if (s.size() < 2 || steps.empty()) return out;
  // The last moment creates still happened.
  double last_create = s.front().t_seconds;
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i].kube_creates > s[i - 1].kube_creates) last_create = s[i].t_seconds;
  }
  const double end_of_run = s.back().t_seconds;
  double made = 0, allowed = 0;
  constexpr double kStep = 0.05;  // window starts are tried every 50 ms
  for (size_t i = 0; i < steps.size(); ++i) {
    const double start = steps[i].at_seconds;
    const double end = i + 1 < steps.size() ? steps[i + 1].at_seconds : end_of_run;
    if (start >= end_of_run) break;
    std::optional<double> converged;
    for (double w = start; w + 1 <= end + 1e-9; w += kStep) {
      if (CreatesAt(s, w + 1) - CreatesAt(s, w) >= 0.9 * steps[i].qps) {
        converged = w - start;
        break;
      }
    }
    if (!converged.has_value()) {
      out.converged_everywhere = false;
      out.convergence_seconds.push_back(end - start);
      continue;
    }
    out.convergence_seconds.push_back(*converged);
    const double from = start + *converged;
    const double to = std::min(end, last_create);
    if (to > from) {
      made += CreatesAt(s, to) - CreatesAt(s, from);
      allowed += steps[i].qps * (to - from);
    }
  }
  if (allowed > 0) out.limit_utilization = made / allowed;
  return out;
}

SampledJain MeanSampledJain(const std::vector<TimelineSample>& samples) {
  SampledJain out;
  double sum = 0;
  for (const TimelineSample& s : samples) {
    if (!s.jain.has_value()) continue;
    sum += *s.jain;
    out.min = out.min.has_value() ? std::min(*out.min, *s.jain) : *s.jain;
    ++out.samples;
  }
  if (out.samples > 0) out.mean = sum / out.samples;
  return out;
}

std::optional<double> MeanQuotaUtilization(const std::vector<TimelineSample>& samples) {
  double sum = 0;
  int n = 0;
  for (const TimelineSample& s : samples) {
    if (!s.quota_utilization.has_value()) continue;
    sum += *s.quota_utilization;
    ++n;
  }
  if (n == 0) return std::nullopt;
  return sum / n;
}

std::vector<SmallFirstCreate> SmallFirstCreates(const WorkloadPlan& plan,
                                                const std::vector<PodRecord>& records,
                                                double rate_qps, uint32_t small_pods,
                                                bool use_sluiced_clock) {
  std::vector<SmallFirstCreate> out;
  if (!(rate_qps > 0)) return out;
  const size_t n = plan.workflows().size();
  constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
  std::vector<int64_t> arrival(n, kNever), first_create(n, kNever), done(n, 0);
  std::vector<uint64_t> sluiced_ms(n, std::numeric_limits<uint64_t>::max());
  for (uint32_t pod = 0; pod < records.size(); ++pod) {
    const uint32_t w = plan.pods()[pod].workflow;
    const PodRecord& r = records[pod];
    if (r.first_sent != MonoTime::Zero()) arrival[w] = std::min(arrival[w], r.first_sent.nanos());
    if (r.created && r.created_at != MonoTime::Zero()) {
      first_create[w] = std::min(first_create[w], r.created_at.nanos());
      if (done[w] != kNever) done[w] = std::max(done[w], r.created_at.nanos());
    } else {
      done[w] = kNever;
    }
    if (r.sluiced_submit_to_create_ms.has_value()) {
      sluiced_ms[w] = std::min(sluiced_ms[w], *r.sluiced_submit_to_create_ms);
    }
  }
  for (size_t w = 0; w < n; ++w) {
    if (plan.workflows()[w].pod_count > small_pods || arrival[w] == kNever) continue;
    double delay_s;
    if (use_sluiced_clock) {
      if (sluiced_ms[w] == std::numeric_limits<uint64_t>::max()) continue;
      delay_s = static_cast<double>(sluiced_ms[w]) / 1000.0;
    } else {
      if (first_create[w] == kNever) continue;
      delay_s = static_cast<double>(first_create[w] - arrival[w]) / 1e9;
    }
    int active = 0;
    for (size_t v = 0; v < n; ++v) {
      if (arrival[v] <= arrival[w] && done[v] > arrival[w]) ++active;
    }
    out.push_back({static_cast<uint32_t>(w), delay_s, 2.0 * std::max(active, 1) / rate_qps,
                   std::max(active, 1), arrival[w]});
  }
  return out;
}

std::optional<double> SmallFirstCreateWorstRatio(const WorkloadPlan& plan,
                                                 const std::vector<PodRecord>& records,
                                                 double rate_qps, uint32_t small_pods,
                                                 bool use_sluiced_clock) {
  std::optional<double> worst;
  for (const SmallFirstCreate& s :
       SmallFirstCreates(plan, records, rate_qps, small_pods, use_sluiced_clock)) {
    worst = worst.has_value() ? std::max(*worst, s.ratio()) : s.ratio();
  }
  return worst;
}

std::vector<BacklogChange> ApiServerBacklogLog(
    const WorkloadPlan& plan, const std::vector<PodRecord>& records,
    const std::vector<std::optional<absl::Time>>& kube_created, absl::Time wall_at_mono_zero) {
  struct Timed {
    absl::Time at;
    int order;  // arrivals (0) before departures (1) at the same instant
    BacklogChange change;
  };
  std::vector<Timed> timed;
  for (uint32_t pod = 0; pod < records.size(); ++pod) {
    const uint32_t w = plan.pods()[pod].workflow;
    if (records[pod].first_sent == MonoTime::Zero()) continue;
    absl::Time sent = wall_at_mono_zero + absl::Nanoseconds(records[pod].first_sent.nanos());
    // Arrival at sluiced: kubesim's commit minus sluiced's acceptance-to-201
    // time, when both are known (1 ms resolution); else loadgen's send.
    if (pod < kube_created.size() && kube_created[pod].has_value() &&
        records[pod].sluiced_submit_to_create_ms.has_value()) {
      sent = std::max(
          sent, *kube_created[pod] - absl::Milliseconds(*records[pod].sluiced_submit_to_create_ms));
    }
    timed.push_back({sent, 0, {w, BacklogChange::Kind::kArrival}});
    if (pod < kube_created.size() && kube_created[pod].has_value()) {
      // A create committed before loadgen's send time (clock skew between
      // the two processes' reads) departs right after its arrival.
      timed.push_back({std::max(*kube_created[pod], sent), 1, {w, BacklogChange::Kind::kCreated}});
    }
  }
  std::stable_sort(timed.begin(), timed.end(), [](const Timed& a, const Timed& b) {
    return a.at != b.at ? a.at < b.at : a.order < b.order;
  });
  std::vector<BacklogChange> log;
  log.reserve(timed.size());
  for (const Timed& t : timed) log.push_back(t.change);
  return log;
}

std::optional<double> SmallFirstCreateWorstRatioApiServer(
    const WorkloadPlan& plan, const std::vector<PodRecord>& records,
    const std::vector<std::optional<absl::Time>>& kube_created, absl::Time wall_at_mono_zero,
    double rate_qps, uint32_t small_pods) {
  // The same computation with created_at replaced by kubesim's commit time.
  std::vector<PodRecord> shifted = records;
  for (uint32_t pod = 0; pod < shifted.size(); ++pod) {
    PodRecord& r = shifted[pod];
    if (pod < kube_created.size() && kube_created[pod].has_value()) {
      r.created = true;
      r.created_at =
          MonoTime::FromNanos(absl::ToInt64Nanoseconds(*kube_created[pod] - wall_at_mono_zero));
      if (r.first_sent != MonoTime::Zero() && r.created_at < r.first_sent)
        r.created_at = r.first_sent;
    } else {
      r.created = false;
    }
  }
  return SmallFirstCreateWorstRatio(plan, shifted, rate_qps, small_pods, false);
}

std::vector<double> WorkflowCompletionSeconds(const WorkloadPlan& plan,
                                              const std::vector<PodRecord>& records, MonoTime start,
                                              bool finished) {
  std::vector<double> out(plan.workflows().size(), 0);
  for (uint32_t pod = 0; pod < records.size(); ++pod) {
    double& o = out[plan.pods()[pod].workflow];
    if (o < 0) continue;
    const PodRecord& r = records[pod];
    const bool reached = finished ? r.finished : r.created;
    const MonoTime at = finished ? r.finished_at : r.created_at;
    if (!reached || at == MonoTime::Zero()) {
      o = -1;
      continue;
    }
    o = std::max(o, absl::ToDoubleSeconds(at - start));
  }
  return out;
}

}  // namespace sluice::loadgen
