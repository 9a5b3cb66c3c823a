// sluiced: the Sluice daemon. A thin shell: flags, signals, and the Daemon.
#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "scheduler/common/log.h"
#include "scheduler/server/config.h"
#include "scheduler/server/daemon.h"
#include "scheduler/server/http_kube_bridge.h"
#include "scheduler/server/listen_security.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "dev"
#endif

namespace {

struct Flags {
  std::string config_file;
  std::string check_config;
  bool print_config = false;
  std::string listen;
  std::string listen_socket_group;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  bool insecure_tcp_without_tls = false;
  std::string metrics_listen;
  std::string ledger;
  std::string kube_server;
  std::string kubeconfig;
  std::string log_level;
  std::string log_format = "auto";
  double qps = -1;
  double adaptive_ceiling = -1;
  int64_t burst = -1;
  int64_t max_in_flight = -1;
  int64_t queue_cap = -1;
  double drain_seconds = 10;
};

// Applies flags over the file's values.
// What tells a changed file: modification time and size (a ConfigMap update
// swaps a symlink, which stat follows).
struct FileStamp {
  int64_t mtime_nanos = -1;
  int64_t size = -1;
  bool operator==(const FileStamp&) const = default;
};

FileStamp StampOf(const std::string& path) {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return FileStamp{};
  return FileStamp{static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
                   static_cast<int64_t>(st.st_size)};
}

void ApplyFlags(const Flags& f, sluice::SluicedConfig& c) {
  if (!f.ledger.empty()) c.cost.ledger = f.ledger;
  if (!f.listen.empty()) c.listen = f.listen;
  if (!f.listen_socket_group.empty()) c.listen_socket_group = f.listen_socket_group;
  if (!f.tls_cert_file.empty()) c.tls.cert_file = f.tls_cert_file;
  if (!f.tls_key_file.empty()) c.tls.key_file = f.tls_key_file;
  if (!f.tls_client_ca_file.empty()) c.tls.client_ca_file = f.tls_client_ca_file;
  if (f.insecure_tcp_without_tls) c.insecure_tcp_without_tls = true;
  if (!f.metrics_listen.empty())
    c.metrics_listen = f.metrics_listen == "off" ? "" : f.metrics_listen;
  if (!f.kube_server.empty()) c.kube.server = f.kube_server;
  if (!f.kubeconfig.empty()) c.kube.kubeconfig = f.kubeconfig;
  if (!f.log_level.empty()) c.log_level = f.log_level;
  if (f.qps >= 0) c.engine.budget.qps = f.qps;
  if (f.adaptive_ceiling > 0) {
    c.engine.adaptive.enabled = true;
    c.engine.adaptive.ceiling_qps = f.adaptive_ceiling;
  }
  if (f.burst > 0) c.engine.budget.burst = static_cast<uint32_t>(f.burst);
  if (f.max_in_flight > 0) c.engine.budget.max_in_flight = static_cast<uint32_t>(f.max_in_flight);
  if (f.queue_cap > 0) c.engine.queue_cap = static_cast<uint64_t>(f.queue_cap);
}

absl::StatusOr<sluice::SluicedConfig> BuildConfig(const Flags& flags) {
  sluice::SluicedConfig config;
  if (!flags.config_file.empty()) {
    absl::StatusOr<sluice::SluicedConfig> loaded = sluice::LoadConfigFile(flags.config_file);
    if (!loaded.ok()) return loaded.status();
    config = std::move(*loaded);
  }
  ApplyFlags(flags, config);
  return config;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  CLI::App app{"sluiced: the Sluice pod batch scheduler daemon"};
  app.add_option("--config", flags.config_file, "YAML configuration file");
  app.add_option("--check-config", flags.check_config,
                 "Validate a configuration file, print every error with its path, and exit");
  app.add_flag("--print-config", flags.print_config, "Print the effective configuration and exit");
  app.add_option("--listen", flags.listen,
                 "gRPC address: unix:///path (default unix:///var/run/sluice/sluice.sock) or "
                 "HOST:PORT (a TCP address other than loopback needs --tls-* or "
                 "--insecure-tcp-without-tls)");
  app.add_option("--listen-socket-group", flags.listen_socket_group,
                 "Group (name or gid) given the Unix socket, then mode 0660 (default: 0600)");
  app.add_option("--tls-cert-file", flags.tls_cert_file,
                 "PEM server certificate chain for mutual TLS on TCP (tls.cert_file)");
  app.add_option("--tls-key-file", flags.tls_key_file, "PEM private key (tls.key_file)");
  app.add_option("--tls-client-ca-file", flags.tls_client_ca_file,
                 "PEM CA bundle client certificates must chain to (tls.client_ca_file)");
  app.add_flag("--insecure-tcp-without-tls", flags.insecure_tcp_without_tls,
               "Serve a non-loopback TCP address without TLS: anyone who reaches it can create "
               "pods (insecure_tcp_without_tls)");
  app.add_option("--ledger", flags.ledger,
                 "SQLite file of the cost ledger (cost.ledger); default: off, no cost "
                 "attribution");
  app.add_option("--metrics-listen", flags.metrics_listen,
                 "HOST:PORT for Prometheus /metrics (default 127.0.0.1:9090; 'off' disables)");
  app.add_option("--kube-server", flags.kube_server,
                 "APIServer URL (http:// for kubesim); default: kubeconfig, else in-cluster");
  app.add_option("--kubeconfig", flags.kubeconfig, "kubeconfig file");
  app.add_option("--apiserver-qps", flags.qps, "Mutating requests per second (0 = unlimited)");
  app.add_option("--apiserver-burst", flags.burst, "Token bucket burst");
  app.add_option("--adaptive-ceiling", flags.adaptive_ceiling,
                 "Learn the APIServer's mutating limit from its answers, never above this QPS "
                 "(budget.adaptive in the config)");
  app.add_option("--max-inflight", flags.max_in_flight, "Writes in flight at most");
  app.add_option("--queue-cap", flags.queue_cap, "Queued intents at most");
  app.add_option("--log-level", flags.log_level, "trace, debug, info, warn or error");
  app.add_option("--log-format", flags.log_format, "auto (JSON unless a terminal), json or text");
  app.add_option("--drain-seconds", flags.drain_seconds,
                 "On SIGTERM, how long to wait for writes in flight");
  app.set_version_flag("--version", SLUICE_VERSION);
  CLI11_PARSE(app, argc, argv);

  if (flags.log_format == "json") {
    sluice::log::SetFormat(sluice::log::Format::kJson);
  } else if (flags.log_format == "text") {
    sluice::log::SetFormat(sluice::log::Format::kText);
  }

  if (!flags.check_config.empty()) {
    absl::StatusOr<sluice::SluicedConfig> config = sluice::LoadConfigFile(flags.check_config);
    if (!config.ok()) {
      std::fprintf(stderr, "%s\n", std::string(config.status().message()).c_str());
      return 1;
    }
    // The file alone (no flags) must describe a listener sluiced accepts.
    if (absl::Status listen = sluice::CheckListenSecurity(*config); !listen.ok()) {
      std::fprintf(stderr, "%s: %s\n", flags.check_config.c_str(),
                   std::string(listen.message()).c_str());
      return 1;
    }
    std::printf("%s: ok\n", flags.check_config.c_str());
    return 0;
  }

  absl::StatusOr<sluice::SluicedConfig> config = BuildConfig(flags);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", std::string(config.status().message()).c_str());
    return 1;
  }
  if (flags.print_config) {
    std::fputs(sluice::ConfigToYaml(*config).c_str(), stdout);
    return 0;
  }
  sluice::log::Level level;
  if (!sluice::log::ParseLevel(config->log_level, &level)) {
    std::fprintf(stderr, "--log-level: must be trace, debug, info, warn or error\n");
    return 1;
  }
  sluice::log::SetLevel(level);

  // Signals are taken by this thread only; every thread started below
  // inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  sluice::Daemon::Options options;
  options.version = SLUICE_VERSION;
  options.config_source = flags.config_file;
  options.make_kube = &sluice::HttpKubeBridge::Make;
  absl::StatusOr<std::unique_ptr<sluice::Daemon>> daemon = sluice::Daemon::Start(*config, options);
  if (!daemon.ok()) {
    SLUICE_LOG(kError, "cannot start", {"error", std::string(daemon.status().message())});
    return 1;
  }
  SLUICE_LOG(kInfo, "sluiced started", {"listen", (*daemon)->listen_address()},
             {"metrics_port", (*daemon)->metrics_port()},
             {"epoch", absl::StrCat(absl::Hex((*daemon)->epoch()))},
             {"qps", config->engine.budget.qps}, {"burst", config->engine.budget.burst});
  // Parents (loadgen, tests) read this line to find the ports.
  std::printf("sluiced listening on %s metrics %d\n", (*daemon)->listen_address().c_str(),
              (*daemon)->metrics_port());
  std::fflush(stdout);

  // SIGHUP reloads the configuration; so does a change of the file's
  // modification time or size (a ConfigMap update), looked at every 2 s.
  FileStamp config_stamp = StampOf(flags.config_file);
  while (true) {
    const timespec poll_period{2, 0};
    int sig = sigtimedwait(&signals, nullptr, &poll_period);
    if (sig < 0) {
      if (errno != EAGAIN || flags.config_file.empty()) continue;
      const FileStamp now_stamp = StampOf(flags.config_file);
      if (now_stamp == config_stamp) continue;
      config_stamp = now_stamp;
      SLUICE_LOG(kInfo, "config file changed; reloading", {"file", flags.config_file});
      sig = SIGHUP;
    }
    if (sig == SIGHUP) {
      absl::StatusOr<sluice::SluicedConfig> reloaded = BuildConfig(flags);
      if (!reloaded.ok()) {
        SLUICE_LOG(kError, "config reload refused; keeping the running configuration",
                   {"error", std::string(reloaded.status().message())});
        continue;
      }
      (*daemon)->Reconfigure(*reloaded);
      SLUICE_LOG(kInfo, "config reloaded", {"qps", reloaded->engine.budget.qps});
      continue;
    }
    SLUICE_LOG(kInfo, "shutting down", {"signal", sig});
    break;
  }
  (*daemon)->Shutdown(absl::Seconds(flags.drain_seconds));
  SLUICE_LOG(kInfo, "stopped");
  return 0;
}
