#include "scheduler/server/config.h"

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "scheduler/server/config_reader.h"

namespace sluice {
namespace {

constexpr double kMaxQps = 1e6;
constexpr double kMinWeight = 0.01;
constexpr double kMaxWeight = 100;

void ReadBudget(ConfigReader& r, const YAML::Node& node, EngineConfig& engine) {
  const std::string path = "budget";
  if (!r.ExpectMap(node, path)) return;
  r.CheckKeys(node, path, {"qps", "burst", "max_in_flight", "default_retry_after"});
  r.ReadDouble(node["qps"], path + ".qps", &engine.budget.qps, 0, kMaxQps);
  r.ReadUint32(node["burst"], path + ".burst", &engine.budget.burst, 1, 1'000'000);
  r.ReadUint32(node["max_in_flight"], path + ".max_in_flight", &engine.budget.max_in_flight, 1,
               100'000);
  r.ReadDuration(node["default_retry_after"], path + ".default_retry_after",
                 &engine.default_retry_after, absl::Milliseconds(1), absl::Minutes(10));
}

void ReadQueue(ConfigReader& r, const YAML::Node& node, SluicedConfig& config) {
  const std::string path = "queue";
  if (!r.ExpectMap(node, path)) return;
  r.CheckKeys(node, path, {"cap", "terminal_retention", "max_terminal_retained"});
  r.ReadUint(node["cap"], path + ".cap", &config.engine.queue_cap, 1, 100'000'000);
  r.ReadDuration(node["terminal_retention"], path + ".terminal_retention",
                 &config.engine.terminal_retention, absl::ZeroDuration(), absl::Hours(24 * 7));
  r.ReadUint(node["max_terminal_retained"], path + ".max_terminal_retained",
             &config.engine.max_terminal_retained, 0, 100'000'000);
}

void ReadRetry(ConfigReader& r, const YAML::Node& node, EngineConfig& engine) {
  const std::string path = "retry";
  if (!r.ExpectMap(node, path)) return;
  r.CheckKeys(node, path, {"initial", "max", "multiplier", "jitter", "max_attempts"});
  auto& b = engine.retry_backoff;
  r.ReadDuration(node["initial"], path + ".initial", &b.initial, absl::Milliseconds(1),
                 absl::Hours(1));
  r.ReadDuration(node["max"], path + ".max", &b.max, absl::Milliseconds(1), absl::Hours(24));
  r.ReadDouble(node["multiplier"], path + ".multiplier", &b.multiplier, 1, 10);
  r.ReadDouble(node["jitter"], path + ".jitter", &b.jitter, 0, 1);
  r.ReadUint32(node["max_attempts"], path + ".max_attempts", &engine.max_attempts, 0, 1'000'000);
  if (b.max < b.initial) r.Error(path + ".max", "must be >= retry.initial");
}

void ReadFairness(ConfigReader& r, const YAML::Node& node, EngineConfig& engine) {
  const std::string path = "fairness";
  if (!r.ExpectMap(node, path)) return;
  r.CheckKeys(node, path, {"default_namespace_weight", "default_workflow_weight", "namespaces"});
  r.ReadDouble(node["default_namespace_weight"], path + ".default_namespace_weight",
               &engine.default_namespace_weight, kMinWeight, kMaxWeight);
  r.ReadDouble(node["default_workflow_weight"], path + ".default_workflow_weight",
               &engine.default_workflow_weight, kMinWeight, kMaxWeight);
  const YAML::Node namespaces = node["namespaces"];
  const std::string ns_path = path + ".namespaces";
  if (!r.ExpectMap(namespaces, ns_path) || !namespaces) return;
  for (const auto& entry : namespaces) {
    const std::string name = entry.first.as<std::string>("");
    double weight = engine.default_namespace_weight;
    r.ReadDouble(entry.second, ConfigReader::Join(ns_path, name), &weight, kMinWeight, kMaxWeight);
    engine.namespace_weights[name] = weight;
  }
}

void ReadQuota(ConfigReader& r, const YAML::Node& node, EngineConfig& engine) {
  const std::string path = "quota";
  if (!r.ExpectMap(node, path)) return;
  r.CheckKeys(node, path, {"enabled", "backfill_scan", "strict_fifo_namespaces"});
  r.ReadBool(node["enabled"], path + ".enabled", &engine.quota.enabled);
  r.ReadUint32(node["backfill_scan"], path + ".backfill_scan", &engine.quota.backfill_scan, 0,
               10'000);
  const YAML::Node strict = node["strict_fifo_namespaces"];
  if (!strict) return;
  if (!strict.IsSequence()) {
    r.Error(path + ".strict_fifo_namespaces", "must be a list of namespaces");
    return;
  }
  engine.quota.strict_fifo_namespaces.clear();
  for (size_t i = 0; i < strict.size(); ++i) {
    std::string ns;
    r.ReadString(strict[i], ConfigReader::Index(path + ".strict_fifo_namespaces", i), &ns);
    if (!ns.empty()) engine.quota.strict_fifo_namespaces.insert(ns);
  }
}

void ReadLimits(ConfigReader& r, const YAML::Node& node, IntakeLimits& limits) {
  const std::string path = "limits";
  if (!r.ExpectMap(node, path)) return;
  r.CheckKeys(node, path, {"max_batch_intents", "max_manifest_bytes", "max_cost_labels"});
  uint64_t v = limits.max_batch_intents;
  r.ReadUint(node["max_batch_intents"], path + ".max_batch_intents", &v, 1, 1'000'000);
  limits.max_batch_intents = v;
  v = limits.max_manifest_bytes;
  r.ReadUint(node["max_manifest_bytes"], path + ".max_manifest_bytes", &v, 1024, 3 << 20);
  limits.max_manifest_bytes = v;
  v = limits.max_cost_labels;
  r.ReadUint(node["max_cost_labels"], path + ".max_cost_labels", &v, 0, 1024);
  limits.max_cost_labels = v;
}

void ReadKube(ConfigReader& r, const YAML::Node& node, SluicedConfig::Kube& kube) {
  const std::string path = "kube";
  if (!r.ExpectMap(node, path)) return;
  r.CheckKeys(node, path,
              {"server", "kubeconfig", "context", "request_timeout", "max_connections"});
  r.ReadString(node["server"], path + ".server", &kube.server);
  r.ReadString(node["kubeconfig"], path + ".kubeconfig", &kube.kubeconfig);
  r.ReadString(node["context"], path + ".context", &kube.context);
  r.ReadDuration(node["request_timeout"], path + ".request_timeout", &kube.request_timeout,
                 absl::Milliseconds(100), absl::Minutes(10));
  r.ReadUint32(node["max_connections"], path + ".max_connections", &kube.max_connections, 1,
               10'000);
  if (!kube.server.empty() && !absl::StartsWith(kube.server, "http://") &&
      !absl::StartsWith(kube.server, "https://")) {
    r.Error(path + ".server", "must start with http:// or https://");
  }
}

}  // namespace

absl::StatusOr<SluicedConfig> ParseConfig(absl::string_view yaml) {
  SluicedConfig config;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("config is not valid YAML: line ",
                                                   e.mark.line + 1, ", column ", e.mark.column + 1,
                                                   ": ", e.msg));
  }
  if (!root || root.IsNull()) return config;
  ConfigReader r;
  if (!root.IsMap()) {
    r.Error("", "the config must be a map of sections (budget, queue, ...)");
    return r.ToStatus("config");
  }
  r.CheckKeys(root, "",
              {"listen", "metrics_listen", "kube", "budget", "queue", "retry", "fairness", "quota",
               "limits", "events", "log_level"});
  r.ReadString(root["listen"], "listen", &config.listen);
  r.ReadString(root["metrics_listen"], "metrics_listen", &config.metrics_listen);
  r.ReadString(root["log_level"], "log_level", &config.log_level);
  ReadKube(r, root["kube"], config.kube);
  ReadBudget(r, root["budget"], config.engine);
  ReadQueue(r, root["queue"], config);
  ReadRetry(r, root["retry"], config.engine);
  ReadFairness(r, root["fairness"], config.engine);
  ReadQuota(r, root["quota"], config.engine);
  ReadLimits(r, root["limits"], config.intake);
  const YAML::Node events = root["events"];
  if (r.ExpectMap(events, "events")) {
    r.CheckKeys(events, "events", {"history"});
    r.ReadUint(events["history"], "events.history", &config.event_history, 1, 100'000'000);
  }
  static constexpr absl::string_view kLevels[] = {"trace", "debug", "info", "warn", "error"};
  if (std::find(std::begin(kLevels), std::end(kLevels), config.log_level) == std::end(kLevels)) {
    r.Error("log_level", "must be one of trace, debug, info, warn, error");
  }
  if (!r.ok()) return r.ToStatus("config");
  return config;
}

absl::StatusOr<SluicedConfig> LoadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<SluicedConfig> config = ParseConfig(text.str());
  if (!config.ok()) {
    return absl::Status(config.status().code(),
                        absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

std::string ConfigToYaml(const SluicedConfig& c) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "listen" << YAML::Value << c.listen;
  out << YAML::Key << "metrics_listen" << YAML::Value << c.metrics_listen;
  out << YAML::Key << "log_level" << YAML::Value << c.log_level;
  out << YAML::Key << "kube" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "server" << YAML::Value << c.kube.server;
  out << YAML::Key << "kubeconfig" << YAML::Value << c.kube.kubeconfig;
  out << YAML::Key << "context" << YAML::Value << c.kube.context;
  out << YAML::Key << "request_timeout" << YAML::Value
      << absl::FormatDuration(c.kube.request_timeout);
  out << YAML::Key << "max_connections" << YAML::Value << c.kube.max_connections;
  out << YAML::EndMap;
  out << YAML::Key << "budget" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "qps" << YAML::Value << c.engine.budget.qps;
  out << YAML::Key << "burst" << YAML::Value << c.engine.budget.burst;
  out << YAML::Key << "max_in_flight" << YAML::Value << c.engine.budget.max_in_flight;
  out << YAML::Key << "default_retry_after" << YAML::Value
      << absl::FormatDuration(c.engine.default_retry_after);
  out << YAML::EndMap;
  out << YAML::Key << "queue" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "cap" << YAML::Value << c.engine.queue_cap;
  out << YAML::Key << "terminal_retention" << YAML::Value
      << absl::FormatDuration(c.engine.terminal_retention);
  out << YAML::Key << "max_terminal_retained" << YAML::Value << c.engine.max_terminal_retained;
  out << YAML::EndMap;
  const auto& b = c.engine.retry_backoff;
  out << YAML::Key << "retry" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "initial" << YAML::Value << absl::FormatDuration(b.initial);
  out << YAML::Key << "max" << YAML::Value << absl::FormatDuration(b.max);
  out << YAML::Key << "multiplier" << YAML::Value << b.multiplier;
  out << YAML::Key << "jitter" << YAML::Value << b.jitter;
  out << YAML::Key << "max_attempts" << YAML::Value << c.engine.max_attempts;
  out << YAML::EndMap;
  out << YAML::Key << "fairness" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "default_namespace_weight" << YAML::Value
      << c.engine.default_namespace_weight;
  out << YAML::Key << "default_workflow_weight" << YAML::Value << c.engine.default_workflow_weight;
  out << YAML::Key << "namespaces" << YAML::Value << YAML::BeginMap;
  std::vector<std::pair<std::string, double>> weights(c.engine.namespace_weights.begin(),
                                                      c.engine.namespace_weights.end());
  std::sort(weights.begin(), weights.end());
  for (const auto& [ns, w] : weights) out << YAML::Key << ns << YAML::Value << w;
  out << YAML::EndMap << YAML::EndMap;
  out << YAML::Key << "quota" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "enabled" << YAML::Value << c.engine.quota.enabled;
  out << YAML::Key << "backfill_scan" << YAML::Value << c.engine.quota.backfill_scan;
  std::vector<std::string> strict(c.engine.quota.strict_fifo_namespaces.begin(),
                                  c.engine.quota.strict_fifo_namespaces.end());
  std::sort(strict.begin(), strict.end());
  out << YAML::Key << "strict_fifo_namespaces" << YAML::Value << YAML::Flow << strict;
  out << YAML::EndMap;
  out << YAML::Key << "limits" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "max_batch_intents" << YAML::Value << c.intake.max_batch_intents;
  out << YAML::Key << "max_manifest_bytes" << YAML::Value << c.intake.max_manifest_bytes;
  out << YAML::Key << "max_cost_labels" << YAML::Value << c.intake.max_cost_labels;
  out << YAML::EndMap;
  out << YAML::Key << "events" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "history" << YAML::Value << c.event_history;
  out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace sluice
