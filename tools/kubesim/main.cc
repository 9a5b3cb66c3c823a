// kubesim: a simulated kube-apiserver for Sluice's tests, demo and benchmarks.
// See tools/kubesim/README.md for the endpoints and the models behind them.

#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "scheduler/common/clock.h"
#include "tools/kubesim/api_server.h"
#include "tools/kubesim/sim_cluster.h"

namespace {

bool SplitHostPort(const std::string& listen, std::string* host, int* port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  *host = listen.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  return absl::SimpleAtoi(listen.substr(colon + 1), port) && *port >= 0 && *port < 65536;
}

}  // namespace

int main(int argc, char** argv) {
  using sluice::kubesim::ApiServer;
  using sluice::kubesim::ClusterOptions;
  using sluice::kubesim::ServerOptions;
  using sluice::kubesim::SimCluster;

  CLI::App app{
      "kubesim: a simulated kube-apiserver (pods, namespaces, nodes, resourcequotas) for Sluice"};
  std::string listen = "127.0.0.1:0";
  std::string namespaces, qps_schedule;
  ServerOptions server;
  ClusterOptions cluster;
  bool no_kubelet = false;
  int64_t latency_ms = 0, latency_jitter_ms = 0, queue_wait_ms = 0;
  int64_t schedule_ms = 50, start_ms = 500, run_ms = 5000, termination_ms = -1;
  int64_t bookmark_interval_ms = 60000, min_request_timeout_s = 1800, snapshot_ttl_s = 300;
  std::vector<std::string> quotas, pool_flags;
  std::string pools_file;
  int64_t quota_sync_ms = 100;
  double spike_ms = 0, watch_cut_s = 0;
  sluice::kubesim::FaultSettings& faults = server.faults;

  app.add_option("--listen", listen, "HOST:PORT to listen on (port 0: ephemeral)")
      ->capture_default_str();
  app.add_option("--tls-cert", server.tls_cert_file, "serve HTTPS with this certificate (PEM)");
  app.add_option("--tls-key", server.tls_key_file, "private key of --tls-cert (PEM)");
  app.add_option("--token", server.token, "require 'Authorization: Bearer TOKEN' on the API");
  app.add_option("--namespaces", namespaces, "namespaces to create at start, comma-separated");
  app.add_flag("--auto-create-namespaces,!--no-auto-create-namespaces",
               cluster.auto_create_namespaces,
               "create unknown namespaces on pod create instead of answering 404")
      ->capture_default_str();
  app.add_option("--mutating-qps", server.limits.mutating_qps,
                 "sustained mutating requests per second (0: unlimited)")
      ->capture_default_str();
  app.add_option("--mutating-burst", server.limits.mutating_burst,
                 "token bucket size (0: ceil(qps))")
      ->capture_default_str();
  app.add_option("--max-inflight", server.limits.max_inflight,
                 "concurrent mutating requests (0: unlimited)")
      ->capture_default_str();
  app.add_option("--qps-schedule", qps_schedule,
                 "mutating QPS over time, e.g. \"0s=300,20s=150,40s=400\"");
  app.add_option("--queue-wait-ms", queue_wait_ms,
                 "how long a throttled request may queue before 429 (APF queuing)")
      ->capture_default_str();
  app.add_option("--latency-ms", latency_ms, "latency added to every API answer")
      ->capture_default_str();
  app.add_option("--latency-jitter-ms", latency_jitter_ms, "uniform extra latency in [0, J]")
      ->capture_default_str();
  app.add_option("--nodes", cluster.nodes, "fake nodes pods are scheduled on")
      ->capture_default_str();
  app.add_option("--schedule-ms", schedule_ms, "creation -> scheduled")->capture_default_str();
  app.add_option("--start-ms", start_ms, "scheduled -> Running")->capture_default_str();
  app.add_option("--run-ms", run_ms, "Running -> Succeeded/Failed (0: run until deleted)")
      ->capture_default_str();
  app.add_option("--exit-code", cluster.kubelet.exit_code, "exit code of finished containers")
      ->capture_default_str();
  app.add_option("--termination-ms", termination_ms,
                 "deletion -> containers stopped (-1: the whole grace period)")
      ->capture_default_str();
  app.add_flag("--no-kubelet", no_kubelet, "pods are never scheduled and stay Pending");
  app.add_option("--watch-history", cluster.store.watch_history,
                 "watch events kept per resource (older resourceVersions get 410)")
      ->capture_default_str();
  app.add_option("--bookmark-interval-ms", bookmark_interval_ms,
                 "BOOKMARK period for watches with allowWatchBookmarks")
      ->capture_default_str();
  app.add_option("--min-request-timeout-s", min_request_timeout_s,
                 "watches without timeoutSeconds last [T, 2T]")
      ->capture_default_str();
  app.add_option("--list-snapshot-ttl-s", snapshot_ttl_s,
                 "LIST continue tokens expire after this long (410)")
      ->capture_default_str();
  app.add_option("--fail-rate-5xx", faults.create_5xx_rate,
                 "fraction of pod creates answered 500 ServerTimeout / 504 Timeout")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--drop-connections-rate", faults.drop_after_headers_rate,
                 "fraction of API answers cut after the headers")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--fail-rate-500", faults.rate_500,
                 "fraction of API requests answered 500 InternalError (not executed)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--fail-rate-503", faults.rate_503,
                 "fraction of API requests answered 503 with Retry-After (not executed)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--retry-after-503-s", faults.retry_after_503_s, "Retry-After of those 503s")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--fail-rate-429", faults.rate_429,
                 "fraction of mutating requests rejected 429 as APF drops (Retry-After grows)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--reset-before-rate", faults.reset_before_rate,
                 "fraction of API requests whose connection is reset before execution")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--reset-after-rate", faults.reset_after_rate,
                 "fraction of API requests executed, then reset before the answer")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--latency-spike-rate", faults.spike_rate,
                 "fraction of API answers delayed by --latency-spike-ms more")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--latency-spike-ms", spike_ms, "the delay of a latency spike")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--watch-cut-s", watch_cut_s,
                 "cut every watch stream this long after it started (0: never)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--watch-410-rate", faults.watch_410_rate,
                 "fraction of watches resuming from a resourceVersion answered 410 Expired")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--fault-seed", server.fault_seed, "random seed of the injected faults")
      ->capture_default_str();
  app.add_option("--http-threads", server.http_threads,
                 "max connections served at once (watches and keep-alive each hold one)")
      ->capture_default_str();
  app.add_option("--keep-alive-timeout-s", server.keep_alive_timeout_s,
                 "idle keep-alive connections are closed after this long")
      ->capture_default_str();
  app.add_flag("--log-requests", server.log_requests, "log every request to stderr");
  app.add_option("--quota", quotas,
                 "a ResourceQuota set at start, e.g. "
                 "\"ns=team-a,pods=10,requests.cpu=4,requests.memory=8Gi\" (optional name=Q; "
                 "repeatable)");
  app.add_option("--quota-sync-ms", quota_sync_ms,
                 "quota controller period: changed quota specs take effect and status.used "
                 "is written at most this often")
      ->capture_default_str();
  app.add_option("--pools", pools_file,
                 "capacity pools file (YAML or JSON; see tools/kubesim/README.md)");
  app.add_option("--pool", pool_flags,
                 "a capacity pool, NAME=PODS[,class=spot][,cpu=Q][,memory=Q]"
                 "[,reclaim_per_minute=F][,reclaim_notice=D][,stockout=true] (repeatable)");
  app.add_option("--pool-seed", cluster.pool.seed, "random seed of spot reclaim victims")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  if (!SplitHostPort(listen, &server.host, &server.port)) {
    std::cerr << "kubesim: --listen must be HOST:PORT, got '" << listen << "'\n";
    return 2;
  }
  if (server.tls_cert_file.empty() != server.tls_key_file.empty()) {
    std::cerr << "kubesim: --tls-cert and --tls-key go together\n";
    return 2;
  }
  auto schedule = sluice::kubesim::ParseQpsSchedule(qps_schedule);
  if (!schedule.ok()) {
    std::cerr << "kubesim: --qps-schedule: " << schedule.status().message() << "\n";
    return 2;
  }
  server.qps_schedule = *schedule;
  server.queue_wait = absl::Milliseconds(queue_wait_ms);
  faults.latency = absl::Milliseconds(latency_ms);
  faults.latency_jitter = absl::Milliseconds(latency_jitter_ms);
  faults.spike = absl::Milliseconds(spike_ms);
  faults.watch_cut = absl::Seconds(watch_cut_s);
  server.bookmark_interval = absl::Milliseconds(std::max<int64_t>(bookmark_interval_ms, 1));
  server.min_request_timeout = absl::Seconds(std::max<int64_t>(min_request_timeout_s, 1));
  for (absl::string_view ns : absl::StrSplit(namespaces, ',', absl::SkipWhitespace())) {
    cluster.namespaces.emplace_back(ns);
  }
  cluster.kubelet.enabled = !no_kubelet;
  cluster.kubelet.schedule_delay = absl::Milliseconds(schedule_ms);
  cluster.kubelet.start_delay = absl::Milliseconds(start_ms);
  cluster.kubelet.run_duration = absl::Milliseconds(run_ms);
  if (termination_ms >= 0) cluster.kubelet.termination_delay = absl::Milliseconds(termination_ms);
  cluster.store.list_snapshot_ttl = absl::Seconds(snapshot_ttl_s);
  cluster.quota.sync_interval = absl::Milliseconds(std::max<int64_t>(quota_sync_ms, 1));
  for (const std::string& q : quotas) {
    auto seed = sluice::kubesim::ParseQuotaFlag(q);
    if (!seed.ok()) {
      std::cerr << "kubesim: --quota: " << seed.status().message() << "\n";
      return 2;
    }
    cluster.quotas.push_back(*std::move(seed));
  }

  if (!pools_file.empty()) {
    std::ifstream in(pools_file);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      std::cerr << "kubesim: --pools: cannot read " << pools_file << "\n";
      return 2;
    }
    auto pools = sluice::kubesim::ParsePoolsText(text.str());
    if (!pools.ok()) {
      std::cerr << "kubesim: --pools " << pools_file << ": " << pools.status().message() << "\n";
      return 2;
    }
    cluster.pools = *std::move(pools);
  }
  for (const std::string& p : pool_flags) {
    auto pool = sluice::kubesim::ParsePoolFlag(p);
    if (!pool.ok()) {
      std::cerr << "kubesim: " << pool.status().message() << "\n";
      return 2;
    }
    cluster.pools.push_back(*std::move(pool));
  }

  // Signals are taken synchronously below; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  const sluice::Clock& clock = sluice::RealClock::Get();
  SimCluster sim(clock, cluster);
  ApiServer api(&sim, server, clock);
  auto port = api.Start();
  if (!port.ok()) {
    std::cerr << "kubesim: " << port.status().message() << "\n";
    return 1;
  }
  sim.Start();
  std::printf("kubesim listening on %s\n", api.url().c_str());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&signals, &sig);
  std::fprintf(stderr, "kubesim: signal %d, shutting down\n", sig);
  // Watches end within 100 ms, but an idle keep-alive connection holds its
  // worker until --keep-alive-timeout-s: give the clean stop 2 s, then exit.
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    api.Stop();
    sim.Stop();
    stopped = true;
  });
  for (int i = 0; i < 200 && !stopped.load(); ++i) absl::SleepFor(absl::Milliseconds(10));
  if (!stopped.load()) {
    std::fflush(stderr);
    std::_Exit(0);
  }
  stopper.join();
  return 0;
}
