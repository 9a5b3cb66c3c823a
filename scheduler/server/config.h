#ifndef SLUICE_SCHEDULER_SERVER_CONFIG_H_
#define SLUICE_SCHEDULER_SERVER_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "scheduler/engine/engine.h"
#include "scheduler/server/intake.h"

namespace sluice {

// Everything sluiced is configured with. Defaults are usable as they stand;
// a YAML file (--config) overrides them and command-line flags override the file.
struct SluicedConfig {
  // unix:///path or HOST:PORT. Who may connect: see scheduler/server/listen_security.h.
  std::string listen = "unix:///var/run/sluice/sluice.sock";
  // With a unix:// listen address the socket is mode 0600 (sluiced's own user
  // only); naming a group here (a name or a numeric gid) makes it 0660 and
  // owned by that group, so a controller running as another user in that
  // group can connect. sluiced must be a member of the group.
  std::string listen_socket_group;
  // Mutual TLS for a TCP listen address: the server's certificate chain and
  // key, and the CA bundle client certificates must chain to (PEM files). All
  // three or none. The files are re-read when they change (certificate rotation).
  struct Tls {
    std::string cert_file;
    std::string key_file;
    std::string client_ca_file;
    bool configured() const {
      return !cert_file.empty() || !key_file.empty() || !client_ca_file.empty();
    }
  } tls;
  // Serve a non-loopback TCP address without TLS: anyone who reaches the port
  // can create pods with Sluice's credentials. For experiments only.
  bool insecure_tcp_without_tls = false;
  // HOST:PORT for /metrics; empty disables it.
  std::string metrics_listen = "127.0.0.1:9090";

  struct Kube {
    // An APIServer URL (http:// for kubesim). Empty: kubeconfig, else in-cluster.
    std::string server;
    std::string kubeconfig;
    std::string context;
    absl::Duration request_timeout = absl::Seconds(30);
    uint32_t max_connections = 64;
  } kube;

  // Cost attribution (the ledger is off unless `ledger` is set).
  struct Cost {
    // SQLite file of the cost ledger (--ledger); empty: no ledger, no cost
    // queries, no cost metrics.
    std::string ledger;
    // Rows whose attempt ended longer ago than this are deleted; 0 keeps all.
    absl::Duration retention = absl::Hours(24 * 400);
    // Pod label keys copied into every attempt's cost labels.
    std::vector<std::string> label_keys;
  } cost;

  EngineConfig engine;
  IntakeLimits intake;
  // Pod events kept for WatchEvents resumption.
  uint64_t event_history = 262'144;
  // trace, debug, info, warn, error.
  std::string log_level = "info";
};

// Parses a YAML config over the defaults. Every mistake is reported, each
// with its path, in one InvalidArgument status.
absl::StatusOr<SluicedConfig> ParseConfig(absl::string_view yaml);
absl::StatusOr<SluicedConfig> LoadConfigFile(const std::string& path);

// The effective configuration as YAML (for GetStatus and --print-config).
std::string ConfigToYaml(const SluicedConfig& config);

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_SERVER_CONFIG_H_
