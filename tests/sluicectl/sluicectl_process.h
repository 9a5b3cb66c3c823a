#ifndef SLUICE_TESTS_SLUICECTL_SLUICECTL_PROCESS_H_
#define SLUICE_TESTS_SLUICECTL_SLUICECTL_PROCESS_H_

// Runs the real build/bin/sluicectl as a child process: to completion with
// its output captured, or in the background with its stdout read line by line
// (for `watch`). Children are killed by pid if a test leaves them running.

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern char** environ;

namespace sluice::ctl::testing {

// $SLUICE_BIN_DIR/sluicectl (set by CTest), else bin/ beside tests/.
inline std::string SluicectlBinary() {
  if (const char* dir = std::getenv("SLUICE_BIN_DIR")) return std::string(dir) + "/sluicectl";
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  std::string path(self, n > 0 ? static_cast<size_t>(n) : 0);
  return path.substr(0, path.rfind('/')) + "/../bin/sluicectl";
}

struct RunResult {
  int exit_code = -1;  // -1: killed by a signal
  std::string out;
  std::string err;
};

// A sluicectl child with stdout and stderr on pipes.
class SluicectlProcess {
 public:
  // `args` follow the program name; `env` entries (NAME=VALUE) are added to
  // this process's environment, `unset_env` names are removed from it.
  SluicectlProcess(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                   const std::vector<std::string>& unset_env = {"SLUICE_ADDRESS"}) {
    // Everything exec needs is built before fork: the child only calls
    // async-signal-safe functions (the test process has gRPC threads).
    std::vector<std::string> argv_storage = {SluicectlBinary()};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<std::string> env_storage;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry = *e;
      bool drop = false;
      for (const std::string& name : unset_env) drop |= entry.rfind(name + "=", 0) == 0;
      if (!drop) env_storage.push_back(entry);
    }
    env_storage.insert(env_storage.end(), env.begin(), env.end());
    std::vector<char*> argv;
    for (auto& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : env_storage) envp.push_back(e.data());
    envp.push_back(nullptr);

    int out[2];
    int err[2];
    if (pipe(out) != 0 || pipe(err) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      dup2(err[1], STDERR_FILENO);
      close(out[0]);
      close(out[1]);
      close(err[0]);
      close(err[1]);
      execve(argv[0], argv.data(), envp.data());
      _exit(127);
    }
    close(out[1]);
    close(err[1]);
    out_fd_ = out[0];
    err_fd_ = err[0];
  }
  ~SluicectlProcess() {
    if (pid_ > 0 && !waited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) close(out_fd_);
    if (err_fd_ >= 0) close(err_fd_);
  }
  SluicectlProcess(const SluicectlProcess&) = delete;
  SluicectlProcess& operator=(const SluicectlProcess&) = delete;

  // The next line of stdout (with its '\n'), or "" at end of file or when
  // nothing arrives for `timeout_ms` (a hung child fails the test instead of
  // blocking it).
  std::string ReadLine(int timeout_ms = 60'000) {
    while (true) {
      const size_t nl = out_buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string line = out_buffer_.substr(0, nl + 1);
        out_buffer_.erase(0, nl + 1);
        return line;
      }
      pollfd p{out_fd_, POLLIN, 0};
      if (poll(&p, 1, timeout_ms) <= 0) return "";
      char buf[4096];
      const ssize_t n = read(out_fd_, buf, sizeof(buf));
      if (n <= 0) return "";
      out_buffer_.append(buf, static_cast<size_t>(n));
    }
  }

  // Sends `sig`, then waits as Wait() does.
  RunResult Signal(int sig) {
    kill(pid_, sig);
    return Wait();
  }

  // Reads stdout and stderr to their ends, reaps the child.
  RunResult Wait() {
    RunResult result;
    result.out = out_buffer_;
    out_buffer_.clear();
    bool out_open = out_fd_ >= 0;
    bool err_open = err_fd_ >= 0;
    while (out_open || err_open) {
      pollfd fds[2] = {{out_open ? out_fd_ : -1, POLLIN, 0}, {err_open ? err_fd_ : -1, POLLIN, 0}};
      if (poll(fds, 2, -1) < 0) break;
      char buf[4096];
      if (out_open && fds[0].revents != 0) {
        const ssize_t n = read(out_fd_, buf, sizeof(buf));
        if (n <= 0)
          out_open = false;
        else
          result.out.append(buf, static_cast<size_t>(n));
      }
      if (err_open && fds[1].revents != 0) {
        const ssize_t n = read(err_fd_, buf, sizeof(buf));
        if (n <= 0)
          err_open = false;
        else
          result.err.append(buf, static_cast<size_t>(n));
      }
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    waited_ = true;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
  }

 private:
  pid_t pid_ = -1;
  bool waited_ = false;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_buffer_;
};

// Runs sluicectl with `args` to completion.
inline RunResult RunSluicectl(const std::vector<std::string>& args,
                              const std::vector<std::string>& env = {}) {
  SluicectlProcess process(args, env);
  return process.Wait();
}

}  // namespace sluice::ctl::testing

#endif  // SLUICE_TESTS_SLUICECTL_SLUICECTL_PROCESS_H_
