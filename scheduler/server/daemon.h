#ifndef SLUICE_SCHEDULER_SERVER_DAEMON_H_
#define SLUICE_SCHEDULER_SERVER_DAEMON_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "scheduler/common/clock.h"
#include "scheduler/engine/engine.h"
#include "scheduler/server/config.h"
#include "scheduler/server/kube_bridge.h"

namespace grpc {
class Server;
class ServerCredentials;
}  // namespace grpc

namespace sluice {

class CostAttribution;
class EffectiveConfig;
class EngineLoop;
class EventLog;
class IntentIntake;
class MetricsServer;
class SchedulerService;
class SluiceMetrics;

// Everything that makes sluiced, wired together: the gRPC server, the engine
// thread, the event log, metrics and the Kubernetes side. main() is a thin
// shell around it, and integration tests start it in-process.
//
// Start/Shutdown from one thread.
class Daemon {
 public:
  struct Options {
    // Builds the Kubernetes side (REST client, dispatcher, informer).
    KubeBridgeFactory make_kube;
    // Replaces the Kubernetes side: the engine writes to this instead and
    // nothing is observed. Tests use it; must outlive the daemon.
    PodWriter* writer = nullptr;
    const Clock* clock = nullptr;  // default: the real clock
    std::string version = "dev";
    // The config file `config` came from, reported by GetStatus; empty: none.
    std::string config_source;
  };

  static absl::StatusOr<std::unique_ptr<Daemon>> Start(const SluicedConfig& config,
                                                       const Options& options);
  ~Daemon();

  // Stops intake (new RPCs are refused, running ones end), lets writes in
  // flight answer (up to `drain_timeout`), then stops every thread.
  void Shutdown(absl::Duration drain_timeout);

  // The address the gRPC server listens on, with the real port if 0 was asked.
  const std::string& listen_address() const { return listen_address_; }
  // Cost attribution, or null when the ledger is off.
  CostAttribution* cost() { return cost_.get(); }
  // The metrics port (0 if metrics are off).
  int metrics_port() const { return metrics_port_; }
  uint64_t epoch() const { return epoch_; }
  EngineLoop& loop() { return *loop_; }

  // Applies a new configuration without losing queued intents (budget,
  // weights, retry, queue cap, pools, intake limits and the namespace
  // allow-list; listen addresses, TLS files, the APIServer and the event
  // history size need a restart).
  void Reconfigure(const SluicedConfig& config);

 private:
  Daemon() = default;
  absl::Status Init(const SluicedConfig& config, const Options& options);
  // Builds and starts the gRPC server on config.listen (a Unix socket is
  // secured before this returns) and fills listen_address_.
  absl::Status StartGrpc(const SluicedConfig& config,
                         std::shared_ptr<grpc::ServerCredentials> credentials);

  const Clock* clock_ = nullptr;
  uint64_t epoch_ = 0;
  std::string listen_address_;
  int metrics_port_ = 0;
  std::unique_ptr<SluiceMetrics> metrics_;
  // Cost attribution (config.cost.ledger set); destroyed after the loop and
  // the Kubernetes side stop.
  std::unique_ptr<CostAttribution> cost_;
  std::unique_ptr<MetricsServer> metrics_server_;
  std::unique_ptr<EventLog> events_;
  std::unique_ptr<KubeBridge> kube_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<EngineLoop> loop_;
  std::unique_ptr<IntentIntake> intake_;
  std::unique_ptr<EffectiveConfig> effective_config_;
  std::string config_source_;
  std::unique_ptr<SchedulerService> service_;
  std::unique_ptr<grpc::Server> server_;
  bool shut_down_ = false;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_SERVER_DAEMON_H_
