#ifndef SLUICE_TOOLS_LOADGEN_CHILD_PROCESS_H_
#define SLUICE_TOOLS_LOADGEN_CHILD_PROCESS_H_

#include <sys/types.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sluice::loadgen {

// A program loadgen (or a test) started: its stdout on a pipe, its stderr in
// a file. It gets SIGKILL if the thread that started it dies (PR_SET_PDEATHSIG:
// start children from the main thread), and is
// stopped by pid in the destructor: nothing outlives its owner.
//
// Not thread-safe, except KillNow (async-signal-safe).
class ChildProcess {
 public:
  struct Spec {
    std::string binary;
    std::vector<std::string> args;
    // More arguments as shell words (quotes honoured), appended after `args`:
    // the --kubesim-args / --sluiced-args pass-through.
    std::string extra_args;
    // The child's stderr goes here (truncated); empty: inherited.
    std::string stderr_path;
  };

  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(const Spec& spec);
  ~ChildProcess();

  // The next line the child writes on stdout (without the newline), waiting
  // at most `timeout`. Errors: timeout, or the child closed stdout (exited).
  absl::StatusOr<std::string> ReadLine(absl::Duration timeout);
  // From now on, the child's stdout is read and thrown away on a thread, so
  // that it never blocks on a full pipe.
  void DiscardOutput();

  // SIGTERM, then SIGKILL if it has not exited after `grace`. Returns its
  // exit code (128 + signal if killed). Idempotent.
  int Stop(absl::Duration grace = absl::Seconds(5));
  // SIGKILL without waiting; safe in a signal handler.
  void KillNow();
  // True if it has exited (reaps it).
  bool Exited();

  pid_t pid() const { return pid_; }
  const std::string& stderr_path() const { return stderr_path_; }

 private:
  ChildProcess() = default;
  int Reap(int status);

  pid_t pid_ = -1;
  std::atomic<bool> reaped_{false};
  int exit_code_ = -1;
  int stdout_fd_ = -1;
  std::string buffered_;  // read from stdout, not yet returned
  std::string stderr_path_;
  std::thread drain_;
};

// Splits shell words: whitespace separates, '...' and "..." quote, backslash
// escapes the next character (outside single quotes).
absl::StatusOr<std::vector<std::string>> SplitShellWords(const std::string& s);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_CHILD_PROCESS_H_
