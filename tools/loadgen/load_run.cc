#include "tools/loadgen/load_run.h"

#include <unistd.h>

#include <memory>
#include <numeric>
#include <random>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "tools/loadgen/cluster_pods.h"
#include "tools/loadgen/event_tracker.h"
#include "tools/loadgen/intent_submitter.h"
#include "tools/loadgen/kubesim_stats.h"
#include "tools/loadgen/process_cpu.h"
#include "tools/loadgen/scheduler_channel.h"
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

}  // namespace

LoadReport RunLoad(const LoadgenOptions& options, const RunTarget& target, const Clock& clock,
                   const ProgressFn& progress) {
  LoadReport report;
  report.target = target.sluiced;
  report.spawned = target.spawned;
  report.workflows = options.workflows;
  report.pods_per_workflow = options.pods_per_workflow;
  report.batch_size = options.batch_size;
  report.wait = options.wait == WaitFor::kCreated ? "created" : "finished";

  WorkloadPlan::Options plan_options;
  plan_options.workflows = options.workflows;
  plan_options.pods_per_workflow = options.pods_per_workflow;
  plan_options.namespace_prefix = options.namespace_prefix;
  plan_options.namespaces = options.namespaces;
  plan_options.seed = options.seed != 0 ? options.seed : std::random_device()();
  const WorkloadPlan plan = WorkloadPlan::Make(plan_options);
  report.pods = plan.pod_count();

  const MonoTime deadline = clock.MonoNow() + absl::Seconds(options.timeout_seconds);
  std::shared_ptr<grpc::Channel> channel = MakeSchedulerChannel(target.sluiced);
  if (!channel->WaitForConnected(absl::ToChronoTime(absl::Now() + kConnectTimeout))) {
    report.error = absl::StrCat("cannot connect to sluiced at ", target.sluiced);
    return report;
  }
  std::unique_ptr<v1::Scheduler::Stub> stub = v1::Scheduler::NewStub(channel);

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
  EventTracker tracker(stub.get(), &ledger);
  if (absl::Status s = tracker.Start(kConnectTimeout); !s.ok()) {
    report.error = std::string(s.message());
    return report;
  }

  // CPU used by each measured process from here to the end of the wait.
  std::vector<RunTarget::Process> measured = {{"loadgen", getpid()}};
  measured.insert(measured.end(), target.processes.begin(), target.processes.end());
  std::vector<double> cpu_start;
  for (const RunTarget::Process& p : measured) cpu_start.push_back(CpuOrZero(p.pid));

  std::vector<uint32_t> pods(plan.pod_count());
  std::iota(pods.begin(), pods.end(), 0u);
  IntentSubmitter::Options submit_options;
  submit_options.batch_size = options.batch_size;
  submit_options.window = options.window;
  IntentSubmitter submitter(stub.get(), &plan, &ledger, &clock, submit_options);
  absl::Status submitted = submitter.Submit(pods, deadline);
  if (!submitted.ok()) report.error = std::string(submitted.message());

  bool settled = false;
  if (submitted.ok()) {
    settled = ledger.AwaitSettled(options.wait, deadline, absl::Milliseconds(500),
                                  [&](const LedgerCounts& counts) {
                                    if (progress)
                                      progress(counts, clock.MonoNow() - ledger.first_sent());
                                    // A broken event stream means nothing more will settle.
                                    return tracker.status().ok();
                                  });
    if (!settled) {
      absl::Status watch = tracker.status();
      report.error = watch.ok() ? absl::StrCat("timed out after ", options.timeout_seconds,
                                               " s waiting for pods to be ", report.wait)
                                : std::string(watch.message());
    }
  }
  const MonoTime settled_at = clock.MonoNow();
  for (size_t i = 0; i < measured.size(); ++i) {
    report.cpu.push_back({measured[i].name, CpuOrZero(measured[i].pid) - cpu_start[i]});
  }
  tracker.Stop();
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
  report.complete = settled && report.error.empty();
  return report;
}

}  // namespace sluice::loadgen
