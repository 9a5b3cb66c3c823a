#include "tools/loadgen/loadgen_options.h"

#include <map>

#include "CLI/CLI.hpp"

namespace sluice::loadgen {

void AddLoadgenFlags(CLI::App& app, LoadgenOptions* o) {
  app.add_option("--target", o->target,
                 "sluiced gRPC address: unix:///path or HOST:PORT (required without --spawn)");
  app.add_option("--workflows", o->workflows, "workflows to submit")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--pods-per-workflow", o->pods_per_workflow, "pods in each workflow")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--batch-size", o->batch_size, "intents per Submit request")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  app.add_option("--window", o->window, "Submit requests awaiting their answer at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  const std::map<std::string, WaitFor> waits = {{"created", WaitFor::kCreated},
                                                {"finished", WaitFor::kFinished}};
  app.add_option("--wait", o->wait, "wait until every pod is created, or finished")
      ->transform(CLI::CheckedTransformer(waits, CLI::ignore_case))
      ->default_str("created");
  app.add_option("--timeout", o->timeout_seconds, "give up after this many seconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--report-json", o->report_json, "write the report as JSON to this file");
  app.add_option("--kubesim", o->kubesim_url,
                 "kubesim base URL (http://HOST:PORT): APIServer request counts from /sim/stats");
  app.add_flag("--verify,!--no-verify", o->verify,
               "with a kubesim URL, LIST the run's pods at the end and compare with the events")
      ->capture_default_str();
  const std::map<std::string, ReportFormat> formats = {{"table", ReportFormat::kTable},
                                                       {"json", ReportFormat::kJson}};
  app.add_option("--format", o->format, "report on stdout: table or json")
      ->transform(CLI::CheckedTransformer(formats, CLI::ignore_case))
      ->default_str("table");
  app.add_option("--namespace", o->namespace_prefix,
                 "namespace of the pods (prefix with --namespaces)")
      ->capture_default_str();
  app.add_option("--namespaces", o->namespaces,
                 "spread workflows round-robin over N namespaces: NS, NS-1, ...")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--seed", o->seed, "names of workflows and pods (0: random)")
      ->capture_default_str();
  app.add_flag("--spawn", o->spawn,
               "start kubesim and sluiced (from this executable's directory) on loopback ports, "
               "stop them at the end");
  app.add_option("--kubesim-args", o->kubesim_args, "extra kubesim flags with --spawn");
  app.add_option("--sluiced-args", o->sluiced_args, "extra sluiced flags with --spawn");
  app.add_option("--bin-dir", o->bin_dir,
                 "where kubesim and sluiced are (default: beside loadgen)");
  app.add_flag("--keep-logs", o->keep_logs, "keep the spawned programs' logs after a good run");
  app.add_option("--chaos-kill-sluiced", o->chaos_kills,
                 "with --spawn: SIGKILL sluiced this many times at random (seeded) moments "
                 "during the run and restart it with the same flags and address")
      ->capture_default_str();
  app.add_option("--chaos-min-gap", o->chaos_min_gap_seconds,
                 "seconds at least from a (re)start of sluiced to the next chaos kill")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--chaos-max-gap", o->chaos_max_gap_seconds,
                 "seconds at most from a (re)start of sluiced to the next chaos kill")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--scenario", o->scenario,
                 "a named load shape: quota, unknown-limit, fanout, burst, steady, baseline");
  app.add_option("--scale", o->scale, "multiply the scenario's sizes (workflows, pods, durations)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_flag("--baseline", o->baseline,
               "create the pods directly in kubesim the way Argo's controller does (20 QPS, burst "
               "30, refused pods retried after 10 s), without sluiced");
  app.add_option("--sample-period", o->sample_seconds, "timeline sampling period, seconds")
      ->capture_default_str()
      ->check(CLI::Range(0.05, 5.0));
}

absl::Status ValidateOptions(const LoadgenOptions& o) {
  if (o.baseline && !o.spawn && o.kubesim_url.empty()) {
    return absl::InvalidArgumentError("--baseline needs --spawn or --kubesim");
  }
  if (!o.spawn && o.target.empty() && !o.baseline) {
    return absl::InvalidArgumentError("--target is required without --spawn");
  }
  if (o.scale != 1 && o.scenario.empty()) {
    return absl::InvalidArgumentError("--scale needs --scenario");
  }
  if (o.spawn && !o.target.empty()) {
    return absl::InvalidArgumentError("--target and --spawn exclude each other");
  }
  if (!o.spawn && (!o.kubesim_args.empty() || !o.sluiced_args.empty())) {
    return absl::InvalidArgumentError("--kubesim-args and --sluiced-args need --spawn");
  }
  if (o.chaos_kills > 0 && !o.spawn) {
    return absl::InvalidArgumentError("--chaos-kill-sluiced needs --spawn");
  }
  if (o.chaos_kills > 0 && o.baseline) {
    return absl::InvalidArgumentError("--chaos-kill-sluiced: the baseline runs no sluiced");
  }
  if (o.chaos_min_gap_seconds > o.chaos_max_gap_seconds) {
    return absl::InvalidArgumentError("--chaos-min-gap must not exceed --chaos-max-gap");
  }
  if (static_cast<uint64_t>(o.workflows) * o.pods_per_workflow > 50'000'000) {
    return absl::InvalidArgumentError("more than 50 million pods");
  }
  return absl::OkStatus();
}

}  // namespace sluice::loadgen
