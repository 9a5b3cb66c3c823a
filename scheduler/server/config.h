#ifndef SLUICE_SCHEDULER_SERVER_CONFIG_H_
#define SLUICE_SCHEDULER_SERVER_CONFIG_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "scheduler/engine/engine.h"
#include "scheduler/server/intake.h"

namespace sluice {

// Everything sluiced is configured with. Defaults are usable as they stand;
// a YAML file (--config) overrides them and command-line flags override the file.
struct SluicedConfig {
  // unix:///path or HOST:PORT.
  std::string listen = "unix:///var/run/sluice/sluice.sock";
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
