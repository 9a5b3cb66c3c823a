#ifndef SLUICE_SCHEDULER_SERVER_METRICS_SERVER_H_
#define SLUICE_SCHEDULER_SERVER_METRICS_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "prometheus/registry.h"

namespace httplib {
class Server;
}

namespace sluice {

// Serves GET /metrics (Prometheus text format) and GET /healthz over HTTP.
//
// prometheus-cpp's own Exposer embeds civetweb, whose mg_stop waits up to two
// seconds (civetweb issue #1163, fixed after the version Debian ships); every
// restart and every test would pay it. This server stops at once.
//
// Start/Stop from one thread; requests are served on the server's threads.
class MetricsServer {
 public:
  // Binds `address` (HOST:PORT, port 0 for an ephemeral one) and starts serving.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(
      const std::string& address, std::shared_ptr<prometheus::Registry> registry);
  ~MetricsServer();

  int port() const { return port_; }
  void Stop();

 private:
  MetricsServer() = default;

  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_SERVER_METRICS_SERVER_H_
