#include "tools/loadgen/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace sluice::loadgen {

absl::StatusOr<std::vector<std::string>> SplitShellWords(const std::string& s) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      const size_t end = s.find('\'', i + 1);
      if (end == std::string::npos) return absl::InvalidArgumentError("unterminated '");
      word += s.substr(i + 1, end - i - 1);
      i = end;
    } else if (c == '"') {
      size_t j = i + 1;
      for (; j < s.size() && s[j] != '"'; ++j) {
        if (s[j] == '\\' && j + 1 < s.size()) ++j;
        word += s[j];
      }
      if (j >= s.size()) return absl::InvalidArgumentError("unterminated \"");
      i = j;
    } else if (c == '\\' && i + 1 < s.size()) {
      word += s[++i];
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(const Spec& spec) {
  absl::StatusOr<std::vector<std::string>> extra = SplitShellWords(spec.extra_args);
  if (!extra.ok()) return extra.status();
  std::vector<std::string> argv_strings = {spec.binary};
  argv_strings.insert(argv_strings.end(), spec.args.begin(), spec.args.end());
  argv_strings.insert(argv_strings.end(), extra->begin(), extra->end());
  if (access(spec.binary.c_str(), X_OK) != 0) {
    return absl::NotFoundError(absl::StrCat(spec.binary, ": not an executable (build it first)"));
  }
  int err_fd = -1;
  if (!spec.stderr_path.empty()) {
    err_fd = open(spec.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (err_fd < 0) {
      return absl::InternalError(absl::StrCat(spec.stderr_path, ": ", std::strerror(errno)));
    }
  }
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    if (err_fd >= 0) close(err_fd);
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  std::vector<char*> argv;
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(out[0]);
    close(out[1]);
    if (err_fd >= 0) close(err_fd);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    // The child: only async-signal-safe calls until exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    dup2(out[1], STDOUT_FILENO);
    if (err_fd >= 0) dup2(err_fd, STDERR_FILENO);
    // Signals loadgen blocks must not stay blocked in the child.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  if (err_fd >= 0) close(err_fd);
  auto child = std::unique_ptr<ChildProcess>(new ChildProcess());
  child->pid_ = pid;
  child->stdout_fd_ = out[0];
  child->stderr_path_ = spec.stderr_path;
  return child;
}

ChildProcess::~ChildProcess() {
  Stop(absl::Seconds(2));
  if (drain_.joinable()) drain_.join();
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

absl::StatusOr<std::string> ChildProcess::ReadLine(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    const size_t nl = buffered_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffered_.substr(0, nl);
      buffered_.erase(0, nl + 1);
      return line;
    }
    const int64_t left_ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (left_ms <= 0) {
      return absl::DeadlineExceededError(absl::StrCat("pid ", pid_, " wrote no line on stdout in ",
                                                      absl::FormatDuration(timeout)));
    }
    pollfd p{stdout_fd_, POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(std::min<int64_t>(left_ms, 100)));
    if (ready < 0 && errno != EINTR) {
      return absl::InternalError(absl::StrCat("poll: ", std::strerror(errno)));
    }
    if (ready <= 0) continue;
    char buf[4096];
    const ssize_t n = read(stdout_fd_, buf, sizeof(buf));
    if (n == 0) {
      return absl::UnavailableError(absl::StrCat("pid ", pid_, " closed stdout (exited?)"));
    }
    if (n > 0) buffered_.append(buf, static_cast<size_t>(n));
  }
}

void ChildProcess::DiscardOutput() {
  if (drain_.joinable() || stdout_fd_ < 0) return;
  const int fd = stdout_fd_;
  drain_ = std::thread([fd] {
    char buf[4096];
    while (true) {
      const ssize_t n = read(fd, buf, sizeof(buf));
      if (n == 0 || (n < 0 && errno != EINTR)) return;
    }
  });
}

int ChildProcess::Reap(int status) {
  reaped_ = true;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return exit_code_;
}

bool ChildProcess::Exited() {
  if (reaped_) return true;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    Reap(status);
    return true;
  }
  return false;
}

int ChildProcess::Stop(absl::Duration grace) {
  if (pid_ <= 0 || Exited()) return exit_code_;
  kill(pid_, SIGTERM);
  const absl::Time deadline = absl::Now() + grace;
  while (absl::Now() < deadline) {
    if (Exited()) return exit_code_;
    absl::SleepFor(absl::Milliseconds(10));
  }
  kill(pid_, SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  return Reap(status);
}

void ChildProcess::KillNow() {
  if (pid_ > 0 && !reaped_) kill(pid_, SIGKILL);
}

}  // namespace sluice::loadgen
