// sluice-loadgen: submits Argo-shaped pods to sluiced, follows their events,
// and reports intake and create rates, latencies, fairness and the
// APIServer's answers. See tools/loadgen/README.md.
//
//   build/bin/sluice-loadgen --spawn --workflows 200 --pods-per-workflow 100
//       --kubesim-args "--mutating-qps 400" --sluiced-args "--apiserver-qps 400"
//   build/bin/sluice-loadgen --target unix:///var/run/sluice/sluice.sock --workflows 10
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tools/loadgen/load_run.h"
#include "tools/loadgen/loadgen_options.h"
#include "tools/loadgen/local_stack.h"
#include "tools/loadgen/progress_line.h"
#include "tools/loadgen/scenario.h"
#include "tools/loadgen/sluiced_chaos.h"
#include "tools/loadgen/timeline_svg.h"

namespace {

using sluice::loadgen::LocalStack;

std::atomic<LocalStack*> g_stack{nullptr};

// Takes SIGINT/SIGTERM on a thread of its own: kills the children by pid and
// exits. Every other thread has the signals blocked.
void StartSignalThread() {
  static sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread([] {
    int sig = 0;
    while (sigwait(&signals, &sig) != 0) {
    }
    if (LocalStack* stack = g_stack.load()) stack->KillNow();
    std::fprintf(stderr, "\nsluice-loadgen: signal %d, stopped\n", sig);
    _exit(128 + sig);
  }).detach();
}

std::string MakeLogDir() {
  std::string dir = (std::filesystem::temp_directory_path() / "sluice-loadgen.XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) return "";
  return dir;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sluice::loadgen;
  LoadgenOptions options;
  CLI::App app{"sluice-loadgen: submit Argo-shaped pods to sluiced and report what happened"};
  AddLoadgenFlags(app, &options);
  CLI11_PARSE(app, argc, argv);
  if (absl::Status s = ValidateOptions(options); !s.ok()) {
    std::cerr << "sluice-loadgen: " << s.message() << "\n";
    return 2;
  }
  std::optional<Scenario> scenario;
  if (!options.scenario.empty()) {
    if (options.seed == 0) options.seed = std::random_device()() | 1;
    absl::StatusOr<Scenario> made = MakeScenario(options.scenario, options.scale, options.seed);
    if (!made.ok()) {
      std::cerr << "sluice-loadgen: --scenario: " << made.status().message() << "\n";
      return 2;
    }
    scenario = std::move(*made);
    if (options.baseline) scenario->baseline = true;
    // The scenario's wait and timeout, unless given on the command line.
    if (app.count("--wait") == 0) options.wait = scenario->wait;
    if (app.count("--timeout") == 0) options.timeout_seconds = scenario->timeout_seconds;
    if (scenario->baseline && !options.spawn && options.kubesim_url.empty()) {
      std::cerr << "sluice-loadgen: the baseline needs --spawn or --kubesim\n";
      return 2;
    }
  }
  const bool baseline = scenario.has_value() ? scenario->baseline : options.baseline;
  if (baseline && options.chaos_kills > 0) {
    std::cerr << "sluice-loadgen: --chaos-kill-sluiced: the baseline runs no sluiced\n";
    return 2;
  }
  StartSignalThread();
  signal(SIGPIPE, SIG_IGN);

  RunTarget target;
  target.sluiced = options.target;
  target.kubesim_url = options.kubesim_url;
  std::atomic<bool> all_settled{false};
  // Declared before the stack: its thread must outlive the sluiced it
  // restarted (see SluicedChaos).
  std::unique_ptr<SluicedChaos> chaos;
  std::unique_ptr<LocalStack> stack;
  std::string log_dir;
  if (options.spawn) {
    LocalStack::Options spawn;
    spawn.bin_dir = options.bin_dir.empty() ? ExecutableDir() : options.bin_dir;
    spawn.kubesim_args = options.kubesim_args;
    spawn.sluiced_args = options.sluiced_args;
    log_dir = MakeLogDir();
    spawn.log_dir = log_dir;
    spawn.start_sluiced = !baseline;
    if (scenario.has_value()) {
      // The scenario's flags first; the command line's extra flags after them.
      spawn.kubesim_args = absl::StrCat(scenario->kubesim_args, " ", options.kubesim_args);
      std::string sluiced_args = scenario->sluiced_args;
      if (!scenario->sluiced_config_yaml.empty()) {
        const std::string config = log_dir + "/sluiced.yaml";
        std::ofstream(config) << scenario->sluiced_config_yaml;
        absl::StrAppend(&sluiced_args, " --config ", config);
      }
      if (!scenario->cost_rules.empty())
        absl::StrAppend(&sluiced_args, " --ledger ", log_dir, "/cost.db");
      spawn.sluiced_args = absl::StrCat(sluiced_args, " ", options.sluiced_args);
    }
    absl::StatusOr<std::unique_ptr<LocalStack>> started = LocalStack::Start(spawn);
    if (!started.ok()) {
      std::cerr << "sluice-loadgen: --spawn: " << started.status().message() << "\n";
      return 1;
    }
    stack = std::move(*started);
    g_stack = stack.get();
    target.sluiced = stack->sluiced_target();
    target.kubesim_url = stack->kubesim_url();
    target.spawned = true;
    // A sluiced killed and restarted is a new process: its CPU is not measured.
    if (stack->has_sluiced() && options.chaos_kills == 0) {
      target.processes.push_back({"sluiced", stack->sluiced().pid()});
    }
    target.processes.push_back({"kubesim", stack->kubesim().pid()});
    std::cerr << "sluice-loadgen: kubesim " << target.kubesim_url << ", sluiced " << target.sluiced
              << " (logs in " << log_dir << ")\n";
  }

  ProgressLine line;
  uint64_t pods = static_cast<uint64_t>(options.workflows) * options.pods_per_workflow;
  if (scenario.has_value()) {
    pods = 0;
    for (const WorkflowShape& w : scenario->workflows) pods += w.pods;
  }
  if (options.chaos_kills > 0 && stack != nullptr) {
    SluicedChaos::Options c;
    c.kills = options.chaos_kills;
    c.seed = options.seed != 0 ? options.seed : std::random_device()();
    c.min_gap = absl::Seconds(options.chaos_min_gap_seconds);
    c.max_gap = absl::Seconds(options.chaos_max_gap_seconds);
    c.busy = [&all_settled] { return !all_settled.load(); };
    chaos = std::make_unique<SluicedChaos>(stack.get(), std::move(c));
    chaos->Start();
  }
  const WaitFor wait = options.wait;
  LoadReport report =
      RunLoad(options, scenario.has_value() ? &*scenario : nullptr, target,
              sluice::RealClock::Get(), [&](const LedgerCounts& counts, absl::Duration elapsed) {
                line.Update(FormatProgress(counts, pods, elapsed));
                if ((wait == WaitFor::kCreated ? counts.settled_created
                                               : counts.settled_finished) >= pods) {
                  all_settled = true;
                }
              });
  all_settled = true;
  line.Finish();
  if (chaos != nullptr) {
    const absl::Status s = chaos->Finish();
    report.sluiced_kills = chaos->kills().size();
    if (!s.ok() && report.error.empty()) {
      report.error = std::string(s.message());
      report.complete = false;
    }
  }

  bool ok = report.complete && report.rejected == 0 && report.create_failed == 0 &&
            report.verify_error.empty();
  if (stack != nullptr) {
    // A child that died during the run is a failure too.
    const bool sluiced_alive = !stack->has_sluiced() || !stack->sluiced().Exited();
    const bool kubesim_alive = !stack->kubesim().Exited();
    if (!sluiced_alive || !kubesim_alive) {
      ok = false;
      if (report.error.empty()) {
        report.error = !sluiced_alive ? "sluiced exited during the run" : "kubesim exited";
      }
    }
    g_stack = nullptr;
    stack->Stop();
  }

  std::cout << (options.format == ReportFormat::kJson ? ReportJson(report) : ReportTable(report));
  std::cout.flush();
  if (!options.report_json.empty()) {
    std::ofstream out(options.report_json);
    out << ReportJson(report);
    if (!out) {
      std::cerr << "sluice-loadgen: cannot write " << options.report_json << "\n";
      ok = false;
    }
    // The picture beside it: X.json -> X.svg.
    std::string svg_path = options.report_json;
    if (absl::EndsWith(svg_path, ".json")) svg_path.resize(svg_path.size() - 5);
    svg_path += ".svg";
    std::ofstream svg(svg_path);
    svg << TimelineSvg(report.chart);
    if (!svg) {
      std::cerr << "sluice-loadgen: cannot write " << svg_path << "\n";
      ok = false;
    }
  }
  if (!log_dir.empty()) {
    if (ok && !options.keep_logs) {
      std::error_code ignored;
      std::filesystem::remove_all(log_dir, ignored);
    } else {
      std::cerr << "sluice-loadgen: kubesim and sluiced logs in " << log_dir << "\n";
    }
  }
  if (!ok && !report.error.empty()) std::cerr << "sluice-loadgen: " << report.error << "\n";
  if (!ok && !report.verify_error.empty()) {
    std::cerr << "sluice-loadgen: " << report.verify_error << "\n";
  }
  return ok ? 0 : 1;
}
