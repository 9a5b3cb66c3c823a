#include "tools/loadgen/load_run.h"

#include <unistd.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tools/loadgen/argo_style_creator.h"
#include "tools/loadgen/arrival_schedule.h"
#include "tools/loadgen/cluster_pods.h"
#include "tools/loadgen/controller.h"
#include "tools/loadgen/cost_figures.h"
#include "tools/loadgen/kubesim_history.h"
#include "tools/loadgen/kubesim_stats.h"
#include "tools/loadgen/limit_script.h"
#include "tools/loadgen/pool_script.h"
#include "tools/loadgen/process_cpu.h"
#include "tools/loadgen/scenario_figures.h"
#include "tools/loadgen/scheduler_channel.h"
#include "tools/loadgen/spot_figures.h"
#include "tools/loadgen/timeline.h"
#include "tools/loadgen/workload_plan.h"

namespace sluice::loadgen {
namespace {

constexpr absl::Duration kConnectTimeout = absl::Seconds(10);

// Compares the run's pods listed in the cluster with what the events said:
// every pod created exactly once, nothing else. Empty if they match.
std::string VerifyCluster(const WorkloadPlan& plan, const std::vector<PodRecord>& records,
                          const PodListing& listing) {
  absl::flat_hash_set<uint32_t> seen;
  uint64_t foreign = 0, twice = 0, not_created = 0;
  for (const std::string& key : listing.keys) {
    const size_t slash = key.find('/');
    std::optional<uint32_t> pod = plan.FindPod(key.substr(0, slash), key.substr(slash + 1));
    if (!pod.has_value()) {
      ++foreign;
    } else if (!seen.insert(*pod).second) {
      ++twice;
    } else if (!records[*pod].created) {
      ++not_created;
    }
  }
  uint64_t missing = 0;
  for (uint32_t pod = 0; pod < records.size(); ++pod) {
    if (records[pod].created && !seen.contains(pod)) ++missing;
  }
  if (foreign + twice + not_created + missing == 0) return "";
  return absl::StrCat("cluster mismatch: ", missing, " created pods missing, ", twice,
                      " listed twice, ", not_created, " without a CREATED event, ", foreign,
                      " not of this run");
}

double CpuOrZero(pid_t pid) {
  absl::StatusOr<double> cpu = ProcessCpuSeconds(pid);
  return cpu.ok() ? *cpu : 0;
}

// The cost scenario's keys: the ledger (GetCost) checked against kubesim's
// record of pod times. An unreachable source is the report's error.
void AddCostFigures(const Scenario& scenario, const WorkloadPlan& plan,
                    const std::string& kubesim_url, v1::Scheduler::Stub* stub, LoadReport* report) {
  absl::StatusOr<std::vector<HistoryPod>> history =
      kubesim_url.empty() ? absl::FailedPreconditionError("the cost figures need kubesim")
                          : FetchSimHistory(kubesim_url, plan.run_id());
  absl::StatusOr<CostFigures> f = absl::UnknownError("");
  if (!history.ok()) {
    f = history.status();
  } else {
    f = stub == nullptr ? absl::FailedPreconditionError("the cost figures need sluiced")
                        : FetchCostFigures(stub, *history, scenario.cost_rules);
  }
  auto add = [&](std::string key, std::optional<double> value) {
    report->figures.push_back({std::move(key), value});
  };
  if (!f.ok()) {
    if (report->error.empty()) report->error = std::string(f.status().message());
    for (const char* key : {"attempts", "cost_total_nano", "cost_checked_pods", "cost_mismatches",
                            "cost_sum_checks_ok"}) {
      add(key, std::nullopt);
    }
    return;
  }
  add("attempts", static_cast<double>(history->size()));
  add("cost_ledger_attempts", static_cast<double>(f->ledger_attempts));
  add("cost_preempted", static_cast<double>(f->preempted));
  add("cost_total_nano", static_cast<double>(f->total_nano));
  add("cost_checked_pods", static_cast<double>(f->checked_pods));
  add("cost_unchecked_pods", static_cast<double>(f->unchecked));
  add("cost_mismatches", static_cast<double>(f->mismatches));
  add("cost_sum_checks_ok", f->sums_ok ? 1.0 : 0.0);
  for (const auto& [team, nano] : f->by_team) {
    add(absl::StrCat("cost_team_", team.empty() ? "none" : team, "_nano"),
        static_cast<double>(nano));
  }
  for (const auto& [workflow, nano] : f->by_workflow) {
    add(absl::StrCat("cost_workflow_", workflow, "_nano"), static_cast<double>(nano));
  }
  if (!f->first_mismatch.empty() && report->error.empty()) {
    report->error = absl::StrCat("cost mismatch: ", f->first_mismatch);
  }
}

// The scenario's own report keys (see tools/loadgen/README.md).
void AddScenarioFigures(const Scenario& scenario, const WorkloadPlan& plan,
                        const std::vector<PodRecord>& records,
                        const std::vector<BacklogChange>& backlog_log,
                        const std::vector<std::optional<double>>& stockout_detections,
                        const std::string& kubesim_url, absl::Time wall_at_mono_zero,
                        v1::Scheduler::Stub* stub, LoadReport* report) {
  const std::vector<TimelineSample>& samples = report->chart.samples;
  auto add = [&](const char* key, std::optional<double> value) {
    report->figures.push_back({key, value});
  };
  if (scenario.quota_figures) add("quota_utilization", MeanQuotaUtilization(samples));
  if (scenario.limit_figures) {
    const LimitFigures f = ComputeLimitFigures(samples, scenario.limit_steps);
    add("limit_utilization", f.limit_utilization);
    std::optional<double> worst;
    for (double c : f.convergence_seconds) worst = std::max(worst.value_or(0), c);
    add("convergence_seconds", worst);
    for (size_t i = 0; i < f.convergence_seconds.size(); ++i) {
      report->figures.push_back(
          {absl::StrCat("convergence_seconds_step", i), f.convergence_seconds[i]});
    }
  }
  if (scenario.limit_figures && report->apiserver.has_value() &&
      report->apiserver->mutating_requests > 0) {
    add("throttled_share", static_cast<double>(report->apiserver->status_429) /
                               static_cast<double>(report->apiserver->mutating_requests));
  } else if (scenario.limit_figures) {
    add("throttled_share", std::nullopt);
  }
  if (scenario.fairness_figures) {
    // On the APIServer's clock when kubesim's history is there (the order
    // kubesim committed the creates), else on loadgen's (events as received).
    std::optional<std::vector<std::optional<absl::Time>>> kube_created;
    if (!kubesim_url.empty()) {
      absl::StatusOr<std::vector<std::optional<absl::Time>>> times =
          FetchCreateTimes(kubesim_url, plan);
      if (times.ok()) kube_created = std::move(*times);
    }
    const SegmentedFairness segmented =
        kube_created.has_value()
            ? SegmentedJain(ApiServerBacklogLog(plan, records, *kube_created, wall_at_mono_zero))
            : SegmentedJain(backlog_log);
    auto defined = [](const SegmentedFairness& f, double v) {
      return f.defined ? std::optional<double>(v) : std::nullopt;
    };
    add("fairness_jain", defined(segmented, segmented.jain));
    add("fairness_jain_worst_segment", defined(segmented, segmented.worst));
    add("fairness_segments", static_cast<double>(segmented.segments));
    const SegmentedFairness events = SegmentedJain(backlog_log);
    add("fairness_jain_events", defined(events, events.jain));
    const SampledJain jain = MeanSampledJain(samples);
    add("fairness_jain_sluiced", jain.mean);
    {
      // The worst small workflow, and the distribution behind it: how many
      // missed their bound, the median and 99th percentile of the ratio.
      std::vector<SmallFirstCreate> smalls =
          SmallFirstCreates(plan, records, scenario.fixed_limit_qps, 10,
                            /*use_sluiced_clock=*/!scenario.baseline);
      const auto worst = std::max_element(smalls.begin(), smalls.end(),
                                          [](const SmallFirstCreate& a, const SmallFirstCreate& b) {
                                            return a.ratio() < b.ratio();
                                          });
      add("small_first_create_worst_ratio",
          worst == smalls.end() ? std::nullopt : std::optional<double>(worst->ratio()));
      std::vector<double> ratios;
      ratios.reserve(smalls.size());
      for (const SmallFirstCreate& s : smalls) ratios.push_back(s.ratio());
      std::sort(ratios.begin(), ratios.end());
      auto quantile = [&ratios](double q) -> std::optional<double> {
        if (ratios.empty()) return std::nullopt;
        return ratios[std::min(ratios.size() - 1,
                               static_cast<size_t>(q * static_cast<double>(ratios.size())))];
      };
      add("small_first_create_ratio_p50", quantile(0.5));
      add("small_first_create_ratio_p99", quantile(0.99));
      // When the worst one arrived, in seconds from the run's first send.
      int64_t first_send = std::numeric_limits<int64_t>::max();
      for (const PodRecord& r : records) {
        if (r.first_sent != MonoTime::Zero())
          first_send = std::min(first_send, r.first_sent.nanos());
      }
      add("small_first_create_worst_at_seconds",
          worst == smalls.end()
              ? std::nullopt
              : std::optional<double>(static_cast<double>(worst->arrival_nanos - first_send) /
                                      1e9));
      add("small_first_create_over_bound",
          static_cast<double>(
              std::count_if(ratios.begin(), ratios.end(), [](double r) { return r > 1.0; })));
    }
    add("small_first_create_worst_ratio_loadgen_clock",
        SmallFirstCreateWorstRatio(plan, records, scenario.fixed_limit_qps, 10,
                                   /*use_sluiced_clock=*/false));
    add("small_first_create_worst_ratio_apiserver_clock",
        kube_created.has_value()
            ? SmallFirstCreateWorstRatioApiServer(plan, records, *kube_created, wall_at_mono_zero,
                                                  scenario.fixed_limit_qps, 10)
            : std::nullopt);
  }
  if (!scenario.spot_figures_pool.empty()) {
    absl::StatusOr<std::vector<HistoryPod>> history =
        kubesim_url.empty() ? absl::FailedPreconditionError("the spot figures need kubesim")
                            : FetchSimHistory(kubesim_url, plan.run_id());
    if (!history.ok()) {
      if (report->error.empty()) report->error = std::string(history.status().message());
    } else {
      const SpotFigures f =
          ComputeSpotFigures(*history, records, scenario.spot_figures_pool, absl::Now());
      add("spot_share", f.spot_share);
      add("spot_pod_seconds", f.spot_pod_seconds);
      add("pod_seconds", f.pod_seconds);
      add("fallbacks", static_cast<double>(f.fallbacks));
      add("attempts", static_cast<double>(f.attempts));
      add("pods_recreated", static_cast<double>(f.pods_recreated));
      add("preempted", static_cast<double>(f.preempted));
      add("succeeded", static_cast<double>(f.succeeded));
      add("pods_lost", static_cast<double>(f.pods_lost));
    }
    // Worst over the stock-outs; null if one went unnoticed.
    std::optional<double> worst;
    if (!stockout_detections.empty() &&
        std::all_of(stockout_detections.begin(), stockout_detections.end(),
                    [](const std::optional<double>& d) { return d.has_value(); })) {
      worst = 0.0;
      for (const std::optional<double>& d : stockout_detections) worst = std::max(*worst, *d);
    }
    add("stockout_detect_seconds", worst);
  }
  if (!scenario.cost_rules.empty()) AddCostFigures(scenario, plan, kubesim_url, stub, report);
  // Time from the first pod sent to the last CREATED: what the bench compares.
  add("time_to_create_all_seconds",
      report->creates_per_second > 0
          ? std::optional<double>(static_cast<double>(report->created) / report->creates_per_second)
          : std::nullopt);
}

}  // namespace

LoadReport RunLoad(const LoadgenOptions& options, const RunTarget& target, const Clock& clock,
                   const ProgressFn& progress) {
  return RunLoad(options, nullptr, target, clock, progress);
}

LoadReport RunLoad(const LoadgenOptions& options, const Scenario* scenario, const RunTarget& target,
                   const Clock& clock, const ProgressFn& progress) {
  LoadReport report;
  report.target = target.sluiced;
  report.spawned = target.spawned;
  report.workflows = options.workflows;
  report.pods_per_workflow = options.pods_per_workflow;
  report.batch_size = options.batch_size;
  report.wait = options.wait == WaitFor::kCreated ? "created" : "finished";
  const bool baseline = scenario != nullptr ? scenario->baseline : options.baseline;
  report.baseline = baseline;
  if (scenario != nullptr) {
    report.scenario = scenario->name;
    report.scale = options.scale;
  }
  if (baseline) report.target = "kubesim directly (Argo controller's way)";

  WorkloadPlan::Options plan_options;
  plan_options.workflows = options.workflows;
  plan_options.pods_per_workflow = options.pods_per_workflow;
  plan_options.namespace_prefix = options.namespace_prefix;
  plan_options.namespaces = options.namespaces;
  plan_options.seed = options.seed != 0 ? options.seed : std::random_device()();
  if (scenario != nullptr) {
    plan_options.shapes = scenario->workflows;
    plan_options.workflow_prefix = scenario->name + "-";
  }
  const WorkloadPlan plan = WorkloadPlan::Make(plan_options);
  report.pods = plan.pod_count();
  if (scenario != nullptr) {
    report.workflows = static_cast<uint32_t>(plan.workflows().size());
    report.pods_per_workflow = 0;  // varies
  }

  const MonoTime deadline = clock.MonoNow() + absl::Seconds(options.timeout_seconds);
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::Scheduler::Stub> stub;
  if (!baseline) {
    channel = MakeSchedulerChannel(target.sluiced);
    if (!channel->WaitForConnected(absl::ToChronoTime(absl::Now() + kConnectTimeout))) {
      report.error = absl::StrCat("cannot connect to sluiced at ", target.sluiced);
      return report;
    }
    stub = v1::Scheduler::NewStub(channel);
  } else if (target.kubesim_url.empty()) {
    report.error = "the baseline needs kubesim";
    return report;
  }

  std::optional<ApiServerCounts> stats_before;
  if (!target.kubesim_url.empty()) {
    absl::StatusOr<ApiServerCounts> before = FetchKubesimStats(target.kubesim_url);
    if (!before.ok()) {
      report.error = std::string(before.status().message());
      return report;
    }
    stats_before = *before;
  }

  PodLedger ledger(&plan, &clock);
  std::unique_ptr<Controller> controller;
  if (!baseline) {
    Controller::Options controller_options;
    controller_options.wait = options.wait;
    controller_options.submit.batch_size = options.batch_size;
    controller_options.submit.window = options.window;
    controller_options.open_timeout = kConnectTimeout;
    controller =
        std::make_unique<Controller>(stub.get(), &plan, &ledger, &clock, controller_options);
    if (absl::Status s = controller->Start(); !s.ok()) {
      report.error = std::string(s.message());
      return report;
    }
  }

  // CPU used by each measured process from here to the end of the wait.
  std::vector<RunTarget::Process> measured = {{"loadgen", getpid()}};
  measured.insert(measured.end(), target.processes.begin(), target.processes.end());
  std::vector<double> cpu_start;
  for (const RunTarget::Process& p : measured) cpu_start.push_back(CpuOrZero(p.pid));

  TimelineSampler::Sources sources;
  sources.plan = &plan;
  sources.ledger = &ledger;
  sources.stub = stub.get();
  sources.kubesim_url = target.kubesim_url;
  sources.quotas = scenario != nullptr && scenario->quota_figures;
  TimelineSampler sampler(sources, &clock, absl::Seconds(options.sample_seconds));
  sampler.Start();
  const MonoTime run_start = clock.MonoNow();
  // Wall time at monotonic zero, to put loadgen's times beside kubesim's.
  const absl::Time wall_at_mono_zero = clock.WallNow() - absl::Nanoseconds(clock.MonoNow().nanos());
  LimitScript limits(target.kubesim_url,
                     scenario != nullptr ? scenario->limit_steps : std::vector<LimitStep>{},
                     &clock);
  absl::Status submitted = target.kubesim_url.empty() ? absl::OkStatus() : limits.Start();
  PoolScript pools(target.kubesim_url,
                   scenario != nullptr ? scenario->pool_steps : std::vector<PoolStep>{}, stub.get(),
                   &clock);
  if (submitted.ok() && !target.kubesim_url.empty()) submitted = pools.Start();

  std::unique_ptr<ArgoStyleCreator> creator;
  if (baseline) {
    ArgoStyleCreator::Options creator_options;
    creator_options.follow_finished = options.wait == WaitFor::kFinished;
    creator = std::make_unique<ArgoStyleCreator>(target.kubesim_url, &plan, &ledger, &clock,
                                                 creator_options);
    creator->Start();
  }
  // Workflows are submitted at their arrival times (all at once without a
  // scenario).
  ArrivalSchedule schedule(plan);
  while (submitted.ok() && !schedule.done()) {
    const MonoTime now = clock.MonoNow();
    std::vector<uint32_t> due = schedule.TakeDue(now - run_start);
    if (!due.empty()) {
      if (creator != nullptr) {
        creator->Enqueue(due);
      } else {
        submitted = controller->Submit(due, deadline);
      }
      continue;
    }
    if (now >= deadline) {
      submitted = absl::DeadlineExceededError("timed out before every workflow arrived");
      break;
    }
    absl::SleepFor(std::min(*schedule.next_arrival() - (now - run_start), deadline - now));
  }
  if (!submitted.ok()) report.error = std::string(submitted.message());

  bool settled = false;
  if (submitted.ok()) {
    auto report_progress = [&](const LedgerCounts& counts) {
      if (progress) progress(counts, clock.MonoNow() - ledger.first_sent());
      return true;
    };
    // The controller recovers from a broken event stream (sluiced
    // restarting) until the deadline.
    settled =
        controller != nullptr
            ? controller->AwaitSettled(deadline, absl::Milliseconds(500), report_progress)
            : ledger.AwaitSettled(options.wait, deadline, absl::Milliseconds(500), report_progress);
    if (!settled) {
      absl::Status watch = controller != nullptr ? controller->watch_status() : absl::OkStatus();
      report.error = watch.ok() ? absl::StrCat("timed out after ", options.timeout_seconds,
                                               " s waiting for pods to be ", report.wait)
                                : std::string(watch.message());
    }
  }
  const MonoTime settled_at = clock.MonoNow();
  for (size_t i = 0; i < measured.size(); ++i) {
    report.cpu.push_back({measured[i].name, CpuOrZero(measured[i].pid) - cpu_start[i]});
  }
  sampler.Stop();
  limits.Stop();
  pools.Stop();
  if (creator != nullptr) creator->Stop();
  if (controller != nullptr) {
    controller->Stop();
    report.sluiced_restarts_seen = controller->restarts_seen();
    report.resubmitted = controller->resubmitted();
  }
  FillFromLedger(ledger, settled_at, &report);

  if (stats_before.has_value()) {
    absl::StatusOr<ApiServerCounts> after = FetchKubesimStats(target.kubesim_url);
    if (after.ok()) {
      report.apiserver = CountsBetween(*stats_before, *after);
    } else if (report.error.empty()) {
      report.error = std::string(after.status().message());
    }
    if (options.verify) {
      absl::StatusOr<PodListing> listing =
          ListPods(target.kubesim_url, absl::StrCat("loadgen/run=", plan.run_id()));
      if (listing.ok()) {
        report.cluster_pods = listing->keys.size();
        report.verify_error = VerifyCluster(plan, ledger.Records(), *listing);
      } else {
        report.verify_error = std::string(listing.status().message());
      }
    }
  }
  const std::vector<PodRecord> records = ledger.Records();
  report.chart.title = absl::StrCat(scenario != nullptr ? scenario->name : "load", ": ",
                                    plan.workflows().size(), " workflows, ", plan.pod_count(),
                                    " pods", baseline ? " (baseline: Argo controller's way)" : "");
  report.chart.samples = sampler.samples();
  if (scenario != nullptr) {
    report.chart.limit_steps = scenario->limit_steps;
    report.chart.fixed_limit_qps = scenario->fixed_limit_qps;
  }
  report.chart.workflow_completed_seconds =
      WorkflowCompletionSeconds(plan, records, run_start, options.wait == WaitFor::kFinished);
  if (scenario != nullptr) {
    AddScenarioFigures(*scenario, plan, records, ledger.BacklogLog(), pools.detection_seconds(),
                       target.kubesim_url, wall_at_mono_zero, stub.get(), &report);
  }
  report.complete = settled && report.error.empty();
  return report;
}

}  // namespace sluice::loadgen
