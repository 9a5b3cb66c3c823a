#include "tools/loadgen/local_stack.h"

#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/loadgen/http_get.h"

namespace sluice::loadgen {
namespace {

constexpr char kKubesimPrefix[] = "kubesim listening on ";
constexpr char kSluicedPrefix[] = "sluiced listening on ";

// Adds the child's log file to an error, for people to look at.
absl::Status WithLog(const absl::Status& status, const ChildProcess& child) {
  if (child.stderr_path().empty()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(status.message(), " (see ", child.stderr_path(), ")"));
}

}  // namespace

std::string ExecutableDir() {
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  std::string path(self, n > 0 ? static_cast<size_t>(n) : 0);
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

absl::StatusOr<std::string> ParseKubesimLine(const std::string& line) {
  if (!absl::StartsWith(line, kKubesimPrefix)) {
    return absl::InternalError(absl::StrCat("kubesim: unexpected first line '", line, "'"));
  }
  return line.substr(sizeof(kKubesimPrefix) - 1);
}

absl::StatusOr<std::pair<std::string, int>> ParseSluicedLine(const std::string& line) {
  std::vector<std::string> words = absl::StrSplit(line, ' ');
  int port = 0;
  if (!absl::StartsWith(line, kSluicedPrefix) || words.size() != 6 || words[4] != "metrics" ||
      !absl::SimpleAtoi(words[5], &port)) {
    return absl::InternalError(absl::StrCat("sluiced: unexpected first line '", line, "'"));
  }
  return std::make_pair(words[3], port);
}

absl::StatusOr<std::unique_ptr<LocalStack>> LocalStack::Start(const Options& options) {
  auto stack = std::unique_ptr<LocalStack>(new LocalStack());
  auto log_path = [&](const char* name) {
    return options.log_dir.empty() ? std::string() : absl::StrCat(options.log_dir, "/", name);
  };

  ChildProcess::Spec kubesim;
  kubesim.binary = absl::StrCat(options.bin_dir, "/kubesim");
  kubesim.args = {"--listen", "127.0.0.1:0"};
  kubesim.extra_args = options.kubesim_args;
  kubesim.stderr_path = log_path("kubesim.log");
  absl::StatusOr<std::unique_ptr<ChildProcess>> k = ChildProcess::Start(kubesim);
  if (!k.ok()) return k.status();
  stack->kubesim_ = std::move(*k);
  absl::StatusOr<std::string> line = stack->kubesim_->ReadLine(options.start_timeout);
  if (!line.ok()) return WithLog(line.status(), *stack->kubesim_);
  absl::StatusOr<std::string> url = ParseKubesimLine(*line);
  if (!url.ok()) return WithLog(url.status(), *stack->kubesim_);
  stack->kubesim_url_ = *url;
  stack->kubesim_->DiscardOutput();
  absl::StatusOr<std::string> health = HttpGet(stack->kubesim_url_, "/healthz", absl::Seconds(5));
  if (!health.ok()) return WithLog(health.status(), *stack->kubesim_);
  if (!options.start_sluiced) return stack;

  ChildProcess::Spec sluiced;
  sluiced.binary = absl::StrCat(options.bin_dir, "/sluiced");
  sluiced.args = {"--listen",         "127.0.0.1:0",
                  "--metrics-listen", "127.0.0.1:0",
                  "--kube-server",    stack->kubesim_url_,
                  "--log-format",     "json",
                  "--drain-seconds",  "1"};
  sluiced.extra_args = options.sluiced_args;
  sluiced.stderr_path = log_path("sluiced.log");
  stack->log_dir_ = options.log_dir;
  stack->start_timeout_ = options.start_timeout;
  if (absl::Status s = stack->StartSluiced(sluiced, options.start_timeout); !s.ok()) return s;
  // Restarts listen where clients already connect.
  stack->sluiced_spec_ = sluiced;
  stack->sluiced_spec_.args[1] = stack->sluiced_target_;
  return stack;
}

absl::Status LocalStack::StartSluiced(const ChildProcess::Spec& spec, absl::Duration timeout) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> s = ChildProcess::Start(spec);
  if (!s.ok()) return s.status();
  std::unique_ptr<ChildProcess> child = std::move(*s);
  absl::StatusOr<std::string> line = child->ReadLine(timeout);
  if (!line.ok()) return WithLog(line.status(), *child);
  absl::StatusOr<std::pair<std::string, int>> address = ParseSluicedLine(*line);
  if (!address.ok()) return WithLog(address.status(), *child);
  if (!sluiced_target_.empty() && address->first != sluiced_target_) {
    return WithLog(absl::InternalError(absl::StrCat("sluiced: restarted on ", address->first,
                                                    ", not ", sluiced_target_)),
                   *child);
  }
  if (sluiced_target_.empty()) sluiced_target_ = address->first;
  child->DiscardOutput();
  absl::MutexLock lock(&mu_);
  sluiced_metrics_port_ = address->second;
  sluiced_ = std::move(child);
  ++sluiced_starts_;
  return absl::OkStatus();
}

absl::Status LocalStack::KillSluiced(absl::Duration timeout) {
  ChildProcess* child = nullptr;
  {
    absl::MutexLock lock(&mu_);
    if (sluiced_ == nullptr) return absl::FailedPreconditionError("no sluiced to kill");
    child = sluiced_.get();
  }
  child->KillNow();
  const absl::Time deadline = absl::Now() + timeout;
  while (!child->Exited()) {
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("sluiced (pid ", child->pid(), ") still there after SIGKILL"));
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  return absl::OkStatus();
}

absl::Status LocalStack::RestartSluiced() {
  if (sluiced_spec_.binary.empty()) return absl::FailedPreconditionError("sluiced never started");
  {
    absl::MutexLock lock(&mu_);
    if (sluiced_ != nullptr && !sluiced_->Exited()) {
      return absl::FailedPreconditionError("sluiced is still running");
    }
  }
  ChildProcess::Spec spec = sluiced_spec_;
  const int n = sluiced_starts() + 1;
  if (!log_dir_.empty()) spec.stderr_path = absl::StrCat(log_dir_, "/sluiced.", n, ".log");
  // The address may still be held for a moment after the kill; sluiced
  // exits at once when it cannot listen.
  const absl::Time give_up = absl::Now() + absl::Seconds(5);
  while (true) {
    absl::Status started = StartSluiced(spec, start_timeout_);
    if (started.ok() || absl::Now() >= give_up) return started;
    absl::SleepFor(absl::Milliseconds(100));
  }
}

int LocalStack::sluiced_starts() const {
  absl::MutexLock lock(&mu_);
  return sluiced_starts_;
}

LocalStack::~LocalStack() { Stop(); }

void LocalStack::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (sluiced_ != nullptr) sluiced_->Stop(absl::Seconds(3));
  }
  if (kubesim_ != nullptr) kubesim_->Stop(absl::Seconds(3));
}

void LocalStack::KillNow() {
  {
    absl::MutexLock lock(&mu_);
    if (sluiced_ != nullptr) sluiced_->KillNow();
  }
  if (kubesim_ != nullptr) kubesim_->KillNow();
}

}  // namespace sluice::loadgen
