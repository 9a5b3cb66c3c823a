#ifndef SLUICE_TOOLS_LOADGEN_LOCAL_STACK_H_
#define SLUICE_TOOLS_LOADGEN_LOCAL_STACK_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "tools/loadgen/child_process.h"

namespace sluice::loadgen {

// kubesim and sluiced started as child processes on ephemeral loopback ports,
// sluiced pointed at kubesim: what `sluice-loadgen --spawn` and the
// integration tests run against.
//
// kubesim gets `--listen 127.0.0.1:0`; sluiced gets `--listen 127.0.0.1:0
// --metrics-listen 127.0.0.1:0 --kube-server URL --log-format json
// --drain-seconds 1`. The extra arguments come after these (CLI11 refuses a
// flag given twice: do not repeat them). Each program prints its address on
// its first stdout line; Start reads it and then checks that kubesim answers
// /healthz. Both are stopped (SIGTERM, then SIGKILL) by Stop or the
// destructor.
//
// KillSluiced and RestartSluiced stop sluiced hard and start it again with
// the same flags on the same gRPC address (what --chaos-kill-sluiced does);
// the restarted sluiced dies with the thread that restarted it
// (PR_SET_PDEATHSIG), so that thread must outlive it (see SluicedChaos).
//
// Start/Stop from the main thread (see ChildProcess); KillNow from anywhere;
// sluiced() not while another thread restarts it.
class LocalStack {
 public:
  struct Options {
    // Where `kubesim` and `sluiced` are (build/bin).
    std::string bin_dir;
    std::string kubesim_args;
    std::string sluiced_args;
    // The children's stderr files go here (kubesim.log, sluiced.log).
    std::string log_dir;
    // false: kubesim only (sluiced_target() empty, sluiced() must not be used).
    bool start_sluiced = true;
    absl::Duration start_timeout = absl::Seconds(15);
  };

  static absl::StatusOr<std::unique_ptr<LocalStack>> Start(const Options& options);
  ~LocalStack();

  // http://127.0.0.1:PORT
  const std::string& kubesim_url() const { return kubesim_url_; }
  // 127.0.0.1:PORT (a gRPC target)
  const std::string& sluiced_target() const { return sluiced_target_; }
  int sluiced_metrics_port() const {
    absl::MutexLock lock(&mu_);
    return sluiced_metrics_port_;
  }
  ChildProcess& kubesim() { return *kubesim_; }
  ChildProcess& sluiced() {
    absl::MutexLock lock(&mu_);
    return *sluiced_;
  }
  bool has_sluiced() const {
    absl::MutexLock lock(&mu_);
    return sluiced_ != nullptr;
  }

  // SIGKILL to sluiced; returns once it has exited (reaped).
  absl::Status KillSluiced(absl::Duration timeout = absl::Seconds(10));
  // Starts sluiced again after KillSluiced: same flags, `--listen` its first
  // address (clients reconnect there), metrics on a new ephemeral port. Its
  // stderr goes to sluiced.N.log (N = 2, 3, ...). Retried for a few seconds
  // if the address is not free yet.
  absl::Status RestartSluiced();
  // How many times sluiced was started (1 after Start).
  int sluiced_starts() const;

  // Stops sluiced, then kubesim. Idempotent.
  void Stop();
  // SIGKILL to both; async-signal-safe.
  void KillNow();

 private:
  LocalStack() = default;
  // Starts sluiced from spec and reads its first line.
  absl::Status StartSluiced(const ChildProcess::Spec& spec, absl::Duration timeout);

  std::unique_ptr<ChildProcess> kubesim_;
  mutable absl::Mutex mu_;  // sluiced_ is replaced on restarts
  std::unique_ptr<ChildProcess> sluiced_ ABSL_GUARDED_BY(mu_);
  ChildProcess::Spec sluiced_spec_;
  absl::Duration start_timeout_;
  std::string log_dir_;
  int sluiced_starts_ ABSL_GUARDED_BY(mu_) = 0;
  std::string kubesim_url_;
  std::string sluiced_target_;
  int sluiced_metrics_port_ ABSL_GUARDED_BY(mu_) = 0;
};

// The directory of the running executable (/proc/self/exe).
std::string ExecutableDir();

// The address in kubesim's first stdout line ("kubesim listening on URL").
absl::StatusOr<std::string> ParseKubesimLine(const std::string& line);
// The gRPC address and metrics port in sluiced's first stdout line
// ("sluiced listening on ADDR metrics PORT").
absl::StatusOr<std::pair<std::string, int>> ParseSluicedLine(const std::string& line);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_LOCAL_STACK_H_
