#include "scheduler/server/config.h"

#include <fstream>
#include <sstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "scheduler/cost/price.h"
#include "scheduler/kube/object_names.h"
#include "scheduler/server/config_reader.h"

namespace sluice {
namespace {

constexpr double kMaxQps = 1e6;
constexpr double kMinWeight = 0.01;
constexpr double kMaxWeight = 100;

void ReadBudget(ConfigReader& r, const YAML::Node& node, EngineConfig& engine) {
  const std::string path = "budget";
  if (!r.ExpectMap(node, path)) return;
  r.CheckKeys(node, path,
              {"qps", "burst", "max_in_flight", "in_flight_gain", "min_in_flight_window",
               "default_retry_after", "adaptive"});
  r.ReadDouble(node["qps"], path + ".qps", &engine.budget.qps, 0, kMaxQps);
  r.ReadUint32(node["burst"], path + ".burst", &engine.budget.burst, 1, 1'000'000);
  r.ReadUint32(node["max_in_flight"], path + ".max_in_flight", &engine.budget.max_in_flight, 1,
               100'000);
  r.ReadDouble(node["in_flight_gain"], path + ".in_flight_gain", &engine.in_flight_gain, 0, 1000);
  r.ReadUint32(node["min_in_flight_window"], path + ".min_in_flight_window",
               &engine.min_in_flight_window, 1, 100'000);
  r.ReadDuration(node["default_retry_after"], path + ".default_retry_after",
                 &engine.default_retry_after, absl::Milliseconds(1), absl::Minutes(10));
  const YAML::Node adaptive = node["adaptive"];
  const std::string a_path = path + ".adaptive";
  if (!r.ExpectMap(adaptive, a_path) || !adaptive) return;
  r.CheckKeys(adaptive, a_path,
              {"enabled", "floor_qps", "ceiling_qps", "initial_qps", "doubling_time",
               "decrease_factor", "latency_decrease_factor", "latency_target", "recovery_time",
               "burst_window", "share_window", "pause_share"});
  AdaptiveRate::Options& a = engine.adaptive;
  r.ReadBool(adaptive["enabled"], a_path + ".enabled", &a.enabled);
  r.ReadDouble(adaptive["floor_qps"], a_path + ".floor_qps", &a.floor_qps, 0.1, kMaxQps);
  r.ReadDouble(adaptive["ceiling_qps"], a_path + ".ceiling_qps", &a.ceiling_qps, 0.1, kMaxQps);
  r.ReadDouble(adaptive["initial_qps"], a_path + ".initial_qps", &a.initial_qps, 0.1, kMaxQps);
  r.ReadDuration(adaptive["doubling_time"], a_path + ".doubling_time", &a.doubling_time,
                 absl::Milliseconds(10), absl::Minutes(10));
  r.ReadDouble(adaptive["decrease_factor"], a_path + ".decrease_factor", &a.decrease_factor, 0.1,
               0.99);
  r.ReadDouble(adaptive["latency_decrease_factor"], a_path + ".latency_decrease_factor",
               &a.latency_decrease_factor, 0.1, 1.0);
  r.ReadDuration(adaptive["latency_target"], a_path + ".latency_target", &a.latency_target,
                 absl::ZeroDuration(), absl::Minutes(10));
  r.ReadDuration(adaptive["recovery_time"], a_path + ".recovery_time", &a.recovery_time,
                 absl::Milliseconds(10), absl::Minutes(10));
  r.ReadDuration(adaptive["burst_window"], a_path + ".burst_window", &engine.adaptive_burst_window,
                 absl::Milliseconds(1), absl::Seconds(10));
  r.ReadDuration(adaptive["share_window"], a_path + ".share_window", &a.share_window,
                 absl::Milliseconds(10), absl::Minutes(10));
  r.ReadDouble(adaptive["pause_share"], a_path + ".pause_share", &a.pause_share, 0.01, 1.0);
  if (a.ceiling_qps < a.floor_qps) r.Error(a_path + ".ceiling_qps", "must be >= floor_qps");
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

// fairness.workflows: [{match: GLOB, namespace: NS, weight: W}], first match wins.
void ReadWorkflowWeights(ConfigReader& r, const YAML::Node& node, const std::string& path,
                         EngineConfig& engine) {
  if (!node) return;
  if (!node.IsSequence()) {
    r.Error(path, "must be a list of {match, namespace, weight}");
    return;
  }
  engine.workflow_weights.clear();
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string item_path = ConfigReader::Index(path, i);
    const YAML::Node item = node[i];
    if (!r.ExpectMap(item, item_path) || !item) continue;
    r.CheckKeys(item, item_path, {"match", "namespace", "weight"});
    EngineConfig::WorkflowWeight rule;
    r.ReadString(item["match"], item_path + ".match", &rule.name_glob);
    r.ReadString(item["namespace"], item_path + ".namespace", &rule.workflow_namespace);
    if (!item["match"]) r.Error(item_path + ".match", "required: a workflow name or glob (*)");
    if (!item["weight"]) r.Error(item_path + ".weight", "required");
    r.ReadDouble(item["weight"], item_path + ".weight", &rule.weight, kMinWeight, kMaxWeight);
    engine.workflow_weights.push_back(std::move(rule));
  }
}

void ReadFairness(ConfigReader& r, const YAML::Node& node, EngineConfig& engine) {
  const std::string path = "fairness";
  if (!r.ExpectMap(node, path)) return;
  r.CheckKeys(node, path,
              {"default_namespace_weight", "default_workflow_weight", "namespaces", "workflows",
               "small_workflow_pods"});
  r.ReadDouble(node["default_namespace_weight"], path + ".default_namespace_weight",
               &engine.default_namespace_weight, kMinWeight, kMaxWeight);
  r.ReadDouble(node["default_workflow_weight"], path + ".default_workflow_weight",
               &engine.default_workflow_weight, kMinWeight, kMaxWeight);
  ReadWorkflowWeights(r, node["workflows"], path + ".workflows", engine);
  r.ReadUint(node["small_workflow_pods"], path + ".small_workflow_pods",
             &engine.fairness_meter.small_workflow_pods, 1, 1'000'000);
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

// A list of namespace names (validated as DNS-1123 labels) into a set.
void ReadNamespaceSet(ConfigReader& r, const YAML::Node& node, const std::string& path,
                      absl::flat_hash_set<std::string>* out) {
  if (!node) return;
  if (!node.IsSequence()) {
    r.Error(path, "must be a list of namespaces");
    return;
  }
  out->clear();
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string item_path = ConfigReader::Index(path, i);
    std::string ns;
    r.ReadString(node[i], item_path, &ns);
    if (ns.empty()) {
      r.Error(item_path, "must be a namespace name");
      continue;
    }
    if (std::string error = kube::Dns1123LabelError(ns); !error.empty()) {
      r.Error(item_path, error);
      continue;
    }
    out->insert(ns);
  }
}

void ReadQuota(ConfigReader& r, const YAML::Node& node, EngineConfig& engine) {
  const std::string path = "quota";
  if (!r.ExpectMap(node, path)) return;
  r.CheckKeys(node, path, {"enabled", "backfill_scan", "strict_fifo_namespaces"});
  r.ReadBool(node["enabled"], path + ".enabled", &engine.quota.enabled);
  r.ReadUint32(node["backfill_scan"], path + ".backfill_scan", &engine.quota.backfill_scan, 0,
               10'000);
  ReadNamespaceSet(r, node["strict_fifo_namespaces"], path + ".strict_fifo_namespaces",
                   &engine.quota.strict_fifo_namespaces);
}

bool ParsePolicy(const std::string& text, CapacityPolicy* policy) {
  if (text == "ON_DEMAND") {
    *policy = CapacityPolicy::kOnDemand;
  } else if (text == "SPOT_PREFERRED") {
    *policy = CapacityPolicy::kSpotPreferred;
  } else if (text == "SPOT_ONLY") {
    *policy = CapacityPolicy::kSpotOnly;
  } else {
    return false;
  }
  return true;
}

void ReadPolicy(ConfigReader& r, const YAML::Node& node, const std::string& path,
                CapacityPolicy* policy) {
  std::string text;
  r.ReadString(node, path, &text);
  if (!text.empty() && !ParsePolicy(text, policy)) {
    r.Error(path, "must be ON_DEMAND, SPOT_PREFERRED or SPOT_ONLY");
  }
}

void ReadStringMap(ConfigReader& r, const YAML::Node& node, const std::string& path,
                   std::vector<std::pair<std::string, std::string>>* out) {
  if (!node) return;
  if (!node.IsMap()) {
    r.Error(path, "must be a map of strings");
    return;
  }
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>("");
    std::string value;
    r.ReadString(entry.second, ConfigReader::Join(path, key), &value);
    out->emplace_back(key, value);
  }
}

void ReadQuantity(ConfigReader& r, const YAML::Node& node, const std::string& path,
                  std::optional<Quantity>* out) {
  if (!node || node.IsNull()) return;
  if (!node.IsScalar()) {
    r.Error(path, "must be a quantity such as 100, 2500m or 64Gi");
    return;
  }
  absl::StatusOr<Quantity> q = Quantity::Parse(node.Scalar());
  if (!q.ok()) {
    r.Error(path, q.status().message());
  } else if (q->Sign() < 0) {
    r.Error(path, "must be >= 0");
  } else {
    *out = *q;
  }
}

// A price as an exact decimal (at most 9 decimal places) into nano-units.
void ReadExactPrice(ConfigReader& r, const YAML::Node& node, const std::string& path,
                    int64_t* out) {
  if (!node || node.IsNull() || !node.IsScalar()) return;  // ReadDouble reported it
  absl::StatusOr<int64_t> nanos = cost::ParseNanoUnits(node.Scalar());
  if (!nanos.ok()) {
    r.Error(path, absl::StrCat("must be an exact decimal price: ", nanos.status().message()));
    return;
  }
  *out = *nanos;
}

void ReadCost(ConfigReader& r, const YAML::Node& node, SluicedConfig::Cost& cost) {
  const std::string path = "cost";
  if (!r.ExpectMap(node, path) || !node) return;
  r.CheckKeys(node, path, {"ledger", "retention", "label_keys"});
  r.ReadString(node["ledger"], path + ".ledger", &cost.ledger);
  r.ReadDuration(node["retention"], path + ".retention", &cost.retention, absl::ZeroDuration(),
                 absl::Hours(24 * 3650));
  const YAML::Node keys = node["label_keys"];
  if (!keys) return;
  if (!keys.IsSequence()) {
    r.Error(path + ".label_keys", "must be a list of pod label keys");
    return;
  }
  cost.label_keys.clear();
  for (size_t i = 0; i < keys.size(); ++i) {
    const std::string item_path = ConfigReader::Index(path + ".label_keys", i);
    std::string key;
    r.ReadString(keys[i], item_path, &key);
    if (std::string error = kube::QualifiedNameError(key); !error.empty()) {
      r.Error(item_path, error);
      continue;
    }
    cost.label_keys.push_back(std::move(key));
  }
}

void ReadPool(ConfigReader& r, const YAML::Node& node, const std::string& path, PoolConfig& pool) {
  if (!node.IsMap()) {
    r.Error(path, "must be a map (name, class, inject, limits, prices, billing, ...)");
    return;
  }
  r.CheckKeys(
      node, path,
      {"name", "class", "order", "inject", "limits", "prices", "billing", "provisioning_timeout"});
  r.ReadString(node["name"], path + ".name", &pool.name);
  if (pool.name.empty()) r.Error(path + ".name", "required");
  std::string pool_class = "on-demand";
  r.ReadString(node["class"], path + ".class", &pool_class);
  if (pool_class == "spot") {
    pool.pool_class = PoolClass::kSpot;
  } else if (pool_class == "on-demand") {
    pool.pool_class = PoolClass::kOnDemand;
  } else {
    r.Error(path + ".class", "must be on-demand or spot");
  }
  uint64_t order = 0;
  r.ReadUint(node["order"], path + ".order", &order, 0, 1'000'000);
  pool.order = static_cast<int32_t>(order);
  const YAML::Node inject = node["inject"];
  const std::string inject_path = path + ".inject";
  if (r.ExpectMap(inject, inject_path) && inject) {
    r.CheckKeys(inject, inject_path, {"labels", "annotations", "node_selector", "tolerations"});
    ReadStringMap(r, inject["labels"], inject_path + ".labels", &pool.labels);
    ReadStringMap(r, inject["annotations"], inject_path + ".annotations", &pool.annotations);
    ReadStringMap(r, inject["node_selector"], inject_path + ".node_selector", &pool.node_selector);
    for (const auto& [key, value] : pool.labels) {
      if (absl::StartsWith(key, "sluice.dev/")) {
        r.Error(ConfigReader::Join(inject_path + ".labels", key),
                "labels under sluice.dev/ are Sluice's own");
      }
    }
    const YAML::Node tolerations = inject["tolerations"];
    if (tolerations) {
      if (!tolerations.IsSequence()) {
        r.Error(inject_path + ".tolerations", "must be a list");
      } else {
        for (size_t i = 0; i < tolerations.size(); ++i) {
          const std::string t_path = ConfigReader::Index(inject_path + ".tolerations", i);
          if (!r.ExpectMap(tolerations[i], t_path)) continue;
          r.CheckKeys(tolerations[i], t_path, {"key", "operator", "value", "effect"});
          PoolToleration t;
          r.ReadString(tolerations[i]["key"], t_path + ".key", &t.key);
          r.ReadString(tolerations[i]["operator"], t_path + ".operator", &t.op);
          r.ReadString(tolerations[i]["value"], t_path + ".value", &t.value);
          r.ReadString(tolerations[i]["effect"], t_path + ".effect", &t.effect);
          if (t.op != "Equal" && t.op != "Exists") {
            r.Error(t_path + ".operator", "must be Equal or Exists");
          }
          if (!t.effect.empty() && t.effect != "NoSchedule" && t.effect != "PreferNoSchedule" &&
              t.effect != "NoExecute") {
            r.Error(t_path + ".effect", "must be NoSchedule, PreferNoSchedule or NoExecute");
          }
          pool.tolerations.push_back(std::move(t));
        }
      }
    }
  }
  const YAML::Node limits = node["limits"];
  const std::string limits_path = path + ".limits";
  if (r.ExpectMap(limits, limits_path) && limits) {
    r.CheckKeys(limits, limits_path, {"vcpu", "memory", "gpu", "pods"});
    ReadQuantity(r, limits["vcpu"], limits_path + ".vcpu", &pool.max_vcpu);
    ReadQuantity(r, limits["memory"], limits_path + ".memory", &pool.max_memory);
    ReadQuantity(r, limits["gpu"], limits_path + ".gpu", &pool.max_gpu);
    if (limits["pods"]) {
      uint64_t pods = 0;
      r.ReadUint(limits["pods"], limits_path + ".pods", &pods, 0, 100'000'000);
      pool.max_pods = static_cast<int64_t>(pods);
    }
  }
  const YAML::Node prices = node["prices"];
  const std::string prices_path = path + ".prices";
  if (r.ExpectMap(prices, prices_path) && prices) {
    r.CheckKeys(prices, prices_path, {"currency", "vcpu_hour", "gib_hour", "gpu_hour"});
    r.ReadString(prices["currency"], prices_path + ".currency", &pool.currency);
    if (pool.currency.size() != 3) r.Error(prices_path + ".currency", "must be a 3-letter code");
    r.ReadDouble(prices["vcpu_hour"], prices_path + ".vcpu_hour", &pool.price_vcpu_hour, 0, 1e6);
    r.ReadDouble(prices["gib_hour"], prices_path + ".gib_hour", &pool.price_gib_hour, 0, 1e6);
    r.ReadDouble(prices["gpu_hour"], prices_path + ".gpu_hour", &pool.price_gpu_hour, 0, 1e6);
    ReadExactPrice(r, prices["vcpu_hour"], prices_path + ".vcpu_hour", &pool.price_vcpu_nano_hour);
    ReadExactPrice(r, prices["gib_hour"], prices_path + ".gib_hour", &pool.price_gib_nano_hour);
    ReadExactPrice(r, prices["gpu_hour"], prices_path + ".gpu_hour", &pool.price_gpu_nano_hour);
  }
  const YAML::Node billing = node["billing"];
  const std::string billing_path = path + ".billing";
  if (r.ExpectMap(billing, billing_path) && billing) {
    r.CheckKeys(billing, billing_path, {"granularity_seconds", "minimum_seconds", "start"});
    uint64_t v = static_cast<uint64_t>(pool.billing_granularity_seconds);
    r.ReadUint(billing["granularity_seconds"], billing_path + ".granularity_seconds", &v, 1,
               86'400);
    pool.billing_granularity_seconds = static_cast<int64_t>(v);
    v = static_cast<uint64_t>(pool.billing_minimum_seconds);
    r.ReadUint(billing["minimum_seconds"], billing_path + ".minimum_seconds", &v, 0, 86'400);
    pool.billing_minimum_seconds = static_cast<int64_t>(v);
    std::string start = "creation";
    r.ReadString(billing["start"], billing_path + ".start", &start);
    if (start == "creation") {
      pool.billing_start = BillingStart::kCreation;
    } else if (start == "scheduled") {
      pool.billing_start = BillingStart::kScheduled;
    } else if (start == "running") {
      pool.billing_start = BillingStart::kRunning;
    } else {
      r.Error(billing_path + ".start", "must be creation, scheduled or running");
    }
  }
  r.ReadDuration(node["provisioning_timeout"], path + ".provisioning_timeout",
                 &pool.provisioning_timeout, absl::Seconds(1), absl::Hours(24));
}

void ReadPools(ConfigReader& r, const YAML::Node& node, EngineConfig& engine) {
  if (!node) return;
  if (!node.IsSequence()) {
    r.Error("pools", "must be a list of pools");
    return;
  }
  engine.capacity.pools.clear();
  absl::flat_hash_set<std::string> names;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string path = ConfigReader::Index("pools", i);
    PoolConfig pool;
    ReadPool(r, node[i], path, pool);
    if (!pool.name.empty() && !names.insert(pool.name).second) {
      r.Error(path + ".name", absl::StrCat("duplicate pool name \"", pool.name, "\""));
    }
    engine.capacity.pools.push_back(std::move(pool));
  }
}

void ReadCapacity(ConfigReader& r, const YAML::Node& node, EngineConfig& engine) {
  const std::string path = "capacity";
  if (!r.ExpectMap(node, path) || !node) return;
  r.CheckKeys(node, path,
              {"default_policy", "namespaces", "timers", "stockout_reasons", "failure_reasons",
               "preemption_reasons"});
  ReadPolicy(r, node["default_policy"], path + ".default_policy", &engine.capacity.default_policy);
  const YAML::Node namespaces = node["namespaces"];
  if (r.ExpectMap(namespaces, path + ".namespaces") && namespaces) {
    for (const auto& entry : namespaces) {
      const std::string ns = entry.first.as<std::string>("");
      CapacityPolicy policy = engine.capacity.default_policy;
      ReadPolicy(r, entry.second, ConfigReader::Join(path + ".namespaces", ns), &policy);
      engine.capacity.namespace_policies[ns] = policy;
    }
  }
  const YAML::Node timers = node["timers"];
  const std::string timers_path = path + ".timers";
  if (r.ExpectMap(timers, timers_path) && timers) {
    r.CheckKeys(timers, timers_path,
                {"unavailable_ttl", "backoff_initial", "backoff_max", "backoff_reset_after",
                 "draining_ttl", "draining_threshold", "draining_window"});
    PoolTimers& t = engine.capacity.timers;
    r.ReadDuration(timers["unavailable_ttl"], timers_path + ".unavailable_ttl", &t.unavailable_ttl,
                   absl::Seconds(1), absl::Hours(24));
    r.ReadDuration(timers["backoff_initial"], timers_path + ".backoff_initial", &t.backoff_initial,
                   absl::Seconds(1), absl::Hours(24));
    r.ReadDuration(timers["backoff_max"], timers_path + ".backoff_max", &t.backoff_max,
                   absl::Seconds(1), absl::Hours(24));
    r.ReadDuration(timers["backoff_reset_after"], timers_path + ".backoff_reset_after",
                   &t.backoff_reset_after, absl::Seconds(1), absl::Hours(24 * 7));
    r.ReadDuration(timers["draining_ttl"], timers_path + ".draining_ttl", &t.draining_ttl,
                   absl::Seconds(1), absl::Hours(24));
    r.ReadDouble(timers["draining_threshold"], timers_path + ".draining_threshold",
                 &t.draining_threshold, 0, 1);
    r.ReadDuration(timers["draining_window"], timers_path + ".draining_window", &t.draining_window,
                   absl::Seconds(1), absl::Hours(24));
    if (t.backoff_max < t.backoff_initial) {
      r.Error(timers_path + ".backoff_max", "must be >= capacity.timers.backoff_initial");
    }
  }
  for (auto [key, list] : {std::pair{"stockout_reasons", &engine.capacity.stockout_reasons},
                           std::pair{"failure_reasons", &engine.capacity.failure_reasons},
                           std::pair{"preemption_reasons", &engine.capacity.preemption_reasons}}) {
    const YAML::Node words = node[key];
    if (!words) continue;
    const std::string words_path = ConfigReader::Join(path, key);
    if (!words.IsSequence()) {
      r.Error(words_path, "must be a list of words");
      continue;
    }
    list->clear();
    for (size_t i = 0; i < words.size(); ++i) {
      std::string word;
      r.ReadString(words[i], ConfigReader::Index(words_path, i), &word);
      if (!word.empty()) list->push_back(word);
    }
  }
}

void ReadLimits(ConfigReader& r, const YAML::Node& node, IntakeLimits& limits) {
  const std::string path = "limits";
  if (!r.ExpectMap(node, path)) return;
  r.CheckKeys(node, path,
              {"max_batch_intents", "max_manifest_bytes", "max_cost_labels", "namespaces"});
  ReadNamespaceSet(r, node["namespaces"], path + ".namespaces", &limits.allowed_namespaces);
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

// Reads the keys only: whether they fit the listen address is
// CheckListenSecurity's business (flags may change both).
void ReadTls(ConfigReader& r, const YAML::Node& node, SluicedConfig::Tls& tls) {
  const std::string path = "tls";
  if (!r.ExpectMap(node, path) || !node) return;
  r.CheckKeys(node, path, {"cert_file", "key_file", "client_ca_file"});
  r.ReadString(node["cert_file"], path + ".cert_file", &tls.cert_file);
  r.ReadString(node["key_file"], path + ".key_file", &tls.key_file);
  r.ReadString(node["client_ca_file"], path + ".client_ca_file", &tls.client_ca_file);
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
              {"listen", "listen_socket_group", "tls", "insecure_tcp_without_tls", "metrics_listen",
               "kube", "budget", "queue", "retry", "fairness", "quota", "capacity", "pools",
               "limits", "events", "log_level", "cost"});
  r.ReadString(root["listen"], "listen", &config.listen);
  r.ReadString(root["listen_socket_group"], "listen_socket_group", &config.listen_socket_group);
  ReadTls(r, root["tls"], config.tls);
  r.ReadBool(root["insecure_tcp_without_tls"], "insecure_tcp_without_tls",
             &config.insecure_tcp_without_tls);
  r.ReadString(root["metrics_listen"], "metrics_listen", &config.metrics_listen);
  r.ReadString(root["log_level"], "log_level", &config.log_level);
  ReadKube(r, root["kube"], config.kube);
  ReadBudget(r, root["budget"], config.engine);
  ReadQueue(r, root["queue"], config);
  ReadRetry(r, root["retry"], config.engine);
  ReadFairness(r, root["fairness"], config.engine);
  ReadQuota(r, root["quota"], config.engine);
  ReadCapacity(r, root["capacity"], config.engine);
  ReadPools(r, root["pools"], config.engine);
  ReadLimits(r, root["limits"], config.intake);
  ReadCost(r, root["cost"], config.cost);
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

namespace {

void EmitStringMap(YAML::Emitter& out, const char* key,
                   const std::vector<std::pair<std::string, std::string>>& entries) {
  out << YAML::Key << key << YAML::Value << YAML::BeginMap;
  for (const auto& [k, v] : entries) out << YAML::Key << k << YAML::Value << v;
  out << YAML::EndMap;
}

void EmitCapacity(YAML::Emitter& out, const EngineConfig& engine) {
  const auto& cap = engine.capacity;
  out << YAML::Key << "capacity" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "default_policy" << YAML::Value
      << std::string(CapacityPolicyName(cap.default_policy));
  std::vector<std::pair<std::string, CapacityPolicy>> policies(cap.namespace_policies.begin(),
                                                               cap.namespace_policies.end());
  std::sort(policies.begin(), policies.end());
  out << YAML::Key << "namespaces" << YAML::Value << YAML::BeginMap;
  for (const auto& [ns, policy] : policies) {
    out << YAML::Key << ns << YAML::Value << std::string(CapacityPolicyName(policy));
  }
  out << YAML::EndMap;
  out << YAML::Key << "timers" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "unavailable_ttl" << YAML::Value
      << absl::FormatDuration(cap.timers.unavailable_ttl);
  out << YAML::Key << "backoff_initial" << YAML::Value
      << absl::FormatDuration(cap.timers.backoff_initial);
  out << YAML::Key << "backoff_max" << YAML::Value << absl::FormatDuration(cap.timers.backoff_max);
  out << YAML::Key << "backoff_reset_after" << YAML::Value
      << absl::FormatDuration(cap.timers.backoff_reset_after);
  out << YAML::Key << "draining_ttl" << YAML::Value
      << absl::FormatDuration(cap.timers.draining_ttl);
  out << YAML::Key << "draining_threshold" << YAML::Value << cap.timers.draining_threshold;
  out << YAML::Key << "draining_window" << YAML::Value
      << absl::FormatDuration(cap.timers.draining_window);
  out << YAML::EndMap;
  out << YAML::Key << "stockout_reasons" << YAML::Value << YAML::Flow << cap.stockout_reasons;
  out << YAML::Key << "failure_reasons" << YAML::Value << YAML::Flow << cap.failure_reasons;
  out << YAML::Key << "preemption_reasons" << YAML::Value << YAML::Flow << cap.preemption_reasons;
  out << YAML::EndMap;

  out << YAML::Key << "pools" << YAML::Value << YAML::BeginSeq;
  for (const PoolConfig& p : cap.pools) {
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << p.name;
    out << YAML::Key << "class" << YAML::Value << std::string(PoolClassName(p.pool_class));
    out << YAML::Key << "order" << YAML::Value << p.order;
    out << YAML::Key << "inject" << YAML::Value << YAML::BeginMap;
    EmitStringMap(out, "labels", p.labels);
    EmitStringMap(out, "annotations", p.annotations);
    EmitStringMap(out, "node_selector", p.node_selector);
    out << YAML::Key << "tolerations" << YAML::Value << YAML::BeginSeq;
    for (const PoolToleration& t : p.tolerations) {
      out << YAML::BeginMap << YAML::Key << "key" << YAML::Value << t.key << YAML::Key << "operator"
          << YAML::Value << t.op << YAML::Key << "value" << YAML::Value << t.value << YAML::Key
          << "effect" << YAML::Value << t.effect << YAML::EndMap;
    }
    out << YAML::EndSeq << YAML::EndMap;
    out << YAML::Key << "limits" << YAML::Value << YAML::BeginMap;
    if (p.max_vcpu) out << YAML::Key << "vcpu" << YAML::Value << p.max_vcpu->String();
    if (p.max_memory) out << YAML::Key << "memory" << YAML::Value << p.max_memory->String();
    if (p.max_gpu) out << YAML::Key << "gpu" << YAML::Value << p.max_gpu->String();
    if (p.max_pods) out << YAML::Key << "pods" << YAML::Value << *p.max_pods;
    out << YAML::EndMap;
    out << YAML::Key << "prices" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "currency" << YAML::Value << p.currency;
    // Exact decimals (the double fields are rounded).
    out << YAML::Key << "vcpu_hour" << YAML::Value << cost::FormatNanoUnits(p.price_vcpu_nano_hour);
    out << YAML::Key << "gib_hour" << YAML::Value << cost::FormatNanoUnits(p.price_gib_nano_hour);
    out << YAML::Key << "gpu_hour" << YAML::Value << cost::FormatNanoUnits(p.price_gpu_nano_hour);
    out << YAML::EndMap;
    out << YAML::Key << "billing" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "start" << YAML::Value
        << (p.billing_start == BillingStart::kCreation    ? "creation"
            : p.billing_start == BillingStart::kScheduled ? "scheduled"
                                                          : "running");
    out << YAML::Key << "granularity_seconds" << YAML::Value << p.billing_granularity_seconds;
    out << YAML::Key << "minimum_seconds" << YAML::Value << p.billing_minimum_seconds;
    out << YAML::EndMap;
    out << YAML::Key << "provisioning_timeout" << YAML::Value
        << absl::FormatDuration(p.provisioning_timeout);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

}  // namespace

std::string ConfigToYaml(const SluicedConfig& c) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "listen" << YAML::Value << c.listen;
  out << YAML::Key << "listen_socket_group" << YAML::Value << c.listen_socket_group;
  out << YAML::Key << "tls" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "cert_file" << YAML::Value << c.tls.cert_file;
  out << YAML::Key << "key_file" << YAML::Value << c.tls.key_file;
  out << YAML::Key << "client_ca_file" << YAML::Value << c.tls.client_ca_file;
  out << YAML::EndMap;
  out << YAML::Key << "insecure_tcp_without_tls" << YAML::Value << c.insecure_tcp_without_tls;
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
  out << YAML::Key << "in_flight_gain" << YAML::Value << c.engine.in_flight_gain;
  out << YAML::Key << "min_in_flight_window" << YAML::Value << c.engine.min_in_flight_window;
  out << YAML::Key << "default_retry_after" << YAML::Value
      << absl::FormatDuration(c.engine.default_retry_after);
  const AdaptiveRate::Options& a = c.engine.adaptive;
  out << YAML::Key << "adaptive" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "enabled" << YAML::Value << a.enabled;
  out << YAML::Key << "floor_qps" << YAML::Value << a.floor_qps;
  out << YAML::Key << "ceiling_qps" << YAML::Value << a.ceiling_qps;
  out << YAML::Key << "initial_qps" << YAML::Value << a.initial_qps;
  out << YAML::Key << "doubling_time" << YAML::Value << absl::FormatDuration(a.doubling_time);
  out << YAML::Key << "decrease_factor" << YAML::Value << a.decrease_factor;
  out << YAML::Key << "latency_decrease_factor" << YAML::Value << a.latency_decrease_factor;
  out << YAML::Key << "latency_target" << YAML::Value << absl::FormatDuration(a.latency_target);
  out << YAML::Key << "recovery_time" << YAML::Value << absl::FormatDuration(a.recovery_time);
  out << YAML::Key << "burst_window" << YAML::Value
      << absl::FormatDuration(c.engine.adaptive_burst_window);
  out << YAML::Key << "share_window" << YAML::Value << absl::FormatDuration(a.share_window);
  out << YAML::Key << "pause_share" << YAML::Value << a.pause_share;
  out << YAML::EndMap;
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
  out << YAML::EndMap;
  out << YAML::Key << "workflows" << YAML::Value << YAML::BeginSeq;
  for (const EngineConfig::WorkflowWeight& rule : c.engine.workflow_weights) {
    out << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "match" << YAML::Value << rule.name_glob;
    if (!rule.workflow_namespace.empty()) {
      out << YAML::Key << "namespace" << YAML::Value << rule.workflow_namespace;
    }
    out << YAML::Key << "weight" << YAML::Value << rule.weight;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "small_workflow_pods" << YAML::Value
      << c.engine.fairness_meter.small_workflow_pods;
  out << YAML::EndMap;
  out << YAML::Key << "quota" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "enabled" << YAML::Value << c.engine.quota.enabled;
  out << YAML::Key << "backfill_scan" << YAML::Value << c.engine.quota.backfill_scan;
  std::vector<std::string> strict(c.engine.quota.strict_fifo_namespaces.begin(),
                                  c.engine.quota.strict_fifo_namespaces.end());
  std::sort(strict.begin(), strict.end());
  out << YAML::Key << "strict_fifo_namespaces" << YAML::Value << YAML::Flow << strict;
  out << YAML::EndMap;
  EmitCapacity(out, c.engine);
  out << YAML::Key << "limits" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "max_batch_intents" << YAML::Value << c.intake.max_batch_intents;
  out << YAML::Key << "max_manifest_bytes" << YAML::Value << c.intake.max_manifest_bytes;
  out << YAML::Key << "max_cost_labels" << YAML::Value << c.intake.max_cost_labels;
  std::vector<std::string> allowed(c.intake.allowed_namespaces.begin(),
                                   c.intake.allowed_namespaces.end());
  std::sort(allowed.begin(), allowed.end());
  out << YAML::Key << "namespaces" << YAML::Value << YAML::Flow << allowed;
  out << YAML::EndMap;
  out << YAML::Key << "events" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "history" << YAML::Value << c.event_history;
  out << YAML::EndMap;
  out << YAML::Key << "cost" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "ledger" << YAML::Value << c.cost.ledger;
  out << YAML::Key << "retention" << YAML::Value << absl::FormatDuration(c.cost.retention);
  out << YAML::Key << "label_keys" << YAML::Value << YAML::Flow << c.cost.label_keys;
  out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace sluice
