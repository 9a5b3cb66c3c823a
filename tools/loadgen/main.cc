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
#include <thread>

#include "CLI/CLI.hpp"
#include "tools/loadgen/load_run.h"
#include "tools/loadgen/loadgen_options.h"
#include "tools/loadgen/local_stack.h"
#include "tools/loadgen/progress_line.h"

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
  StartSignalThread();
  signal(SIGPIPE, SIG_IGN);

  RunTarget target;
  target.sluiced = options.target;
  target.kubesim_url = options.kubesim_url;
  std::unique_ptr<LocalStack> stack;
  std::string log_dir;
  if (options.spawn) {
    LocalStack::Options spawn;
    spawn.bin_dir = options.bin_dir.empty() ? ExecutableDir() : options.bin_dir;
    spawn.kubesim_args = options.kubesim_args;
    spawn.sluiced_args = options.sluiced_args;
    log_dir = MakeLogDir();
    spawn.log_dir = log_dir;
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
    target.processes = {{"sluiced", stack->sluiced().pid()}, {"kubesim", stack->kubesim().pid()}};
    std::cerr << "sluice-loadgen: kubesim " << target.kubesim_url << ", sluiced " << target.sluiced
              << " (logs in " << log_dir << ")\n";
  }

  ProgressLine line;
  const uint64_t pods = static_cast<uint64_t>(options.workflows) * options.pods_per_workflow;
  LoadReport report = RunLoad(options, target, sluice::RealClock::Get(),
                              [&](const LedgerCounts& counts, absl::Duration elapsed) {
                                line.Update(FormatProgress(counts, pods, elapsed));
                              });
  line.Finish();

  bool ok = report.complete && report.rejected == 0 && report.create_failed == 0 &&
            report.verify_error.empty();
  if (stack != nullptr) {
    // A child that died during the run is a failure too.
    const bool sluiced_alive = !stack->sluiced().Exited();
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
