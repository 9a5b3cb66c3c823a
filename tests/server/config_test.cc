#include "scheduler/server/config.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sluice {
namespace {

using ::testing::HasSubstr;

TEST(ConfigTest, EmptyConfigKeepsDefaults) {
  absl::StatusOr<SluicedConfig> config = ParseConfig("");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen, "unix:///var/run/sluice/sluice.sock");
  EXPECT_EQ(config->engine.budget.qps, 100);
}

TEST(ConfigTest, ReadsEverySection) {
  absl::StatusOr<SluicedConfig> config = ParseConfig(R"(
listen: 127.0.0.1:7000
metrics_listen: ""
log_level: debug
kube:
  server: http://127.0.0.1:8080
  request_timeout: 5s
  max_connections: 16
budget:
  qps: 250.5
  burst: 400
  max_in_flight: 128
  default_retry_after: 2s
queue:
  cap: 5000
  terminal_retention: 1h
retry:
  initial: 100ms
  max: 10s
  multiplier: 3
  jitter: 0
  max_attempts: 7
fairness:
  default_namespace_weight: 1
  default_workflow_weight: 2
  namespaces:
    team-a: 3
    team-b: 0.5
quota:
  enabled: false
  backfill_scan: 4
  strict_fifo_namespaces: [batch, ci]
limits:
  max_batch_intents: 2000
  max_manifest_bytes: 65536
  max_cost_labels: 8
events:
  history: 1000
)");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen, "127.0.0.1:7000");
  EXPECT_EQ(config->metrics_listen, "");
  EXPECT_EQ(config->kube.server, "http://127.0.0.1:8080");
  EXPECT_EQ(config->kube.request_timeout, absl::Seconds(5));
  EXPECT_EQ(config->engine.budget.qps, 250.5);
  EXPECT_EQ(config->engine.budget.burst, 400u);
  EXPECT_EQ(config->engine.default_retry_after, absl::Seconds(2));
  EXPECT_EQ(config->engine.queue_cap, 5000u);
  EXPECT_EQ(config->engine.terminal_retention, absl::Hours(1));
  EXPECT_EQ(config->engine.retry_backoff.initial, absl::Milliseconds(100));
  EXPECT_EQ(config->engine.retry_backoff.multiplier, 3);
  EXPECT_EQ(config->engine.max_attempts, 7u);
  EXPECT_EQ(config->engine.default_workflow_weight, 2);
  EXPECT_EQ(config->engine.namespace_weights.at("team-b"), 0.5);
  EXPECT_FALSE(config->engine.quota.enabled);
  EXPECT_EQ(config->engine.quota.backfill_scan, 4u);
  EXPECT_TRUE(config->engine.quota.strict_fifo_namespaces.contains("ci"));
  EXPECT_EQ(config->intake.max_batch_intents, 2000u);
  EXPECT_EQ(config->intake.max_cost_labels, 8u);
  EXPECT_EQ(config->event_history, 1000u);
}

TEST(ConfigTest, ReportsEveryMistakeWithItsPath) {
  absl::StatusOr<SluicedConfig> config = ParseConfig(R"(
budget:
  qps: -5
  burst: lots
queue:
  terminal_retention: 10 minutes
fairness:
  namespaces:
    team-a: 0
retry:
  initial: 10s
  max: 1s
kube:
  server: ftp://example
limitz: {}
log_level: loud
)");
  ASSERT_FALSE(config.ok());
  const std::string message(config.status().message());
  EXPECT_THAT(message, HasSubstr("8 errors"));
  EXPECT_THAT(message, HasSubstr("budget.qps: must be >= 0"));
  EXPECT_THAT(message, HasSubstr("budget.burst: must be a whole number >= 0"));
  EXPECT_THAT(message, HasSubstr("queue.terminal_retention: must be a duration"));
  EXPECT_THAT(message, HasSubstr("fairness.namespaces.team-a: must be >= 0.01"));
  EXPECT_THAT(message, HasSubstr("retry.max: must be >= retry.initial"));
  EXPECT_THAT(message, HasSubstr("kube.server: must start with http:// or https://"));
  EXPECT_THAT(message, HasSubstr("limitz: unknown key (did you mean limits?)"));
  EXPECT_THAT(message, HasSubstr("log_level: must be one of"));
}

TEST(ConfigTest, InvalidYamlSaysWhere) {
  absl::StatusOr<SluicedConfig> config = ParseConfig("budget:\n  qps: [1, 2\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("line"));
}

TEST(ConfigTest, WrongShapeIsReported) {
  absl::StatusOr<SluicedConfig> config = ParseConfig("budget: 5\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr("budget: must be a map of keys to values"));
}

TEST(ConfigTest, RoundTripsThroughYaml) {
  absl::StatusOr<SluicedConfig> config =
      ParseConfig("budget: {qps: 42, burst: 7}\nfairness: {namespaces: {a: 2}}\n");
  ASSERT_TRUE(config.ok());
  absl::StatusOr<SluicedConfig> again = ParseConfig(ConfigToYaml(*config));
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << ConfigToYaml(*config);
  EXPECT_EQ(again->engine.budget.qps, 42);
  EXPECT_EQ(again->engine.budget.burst, 7u);
  EXPECT_EQ(again->engine.namespace_weights.at("a"), 2);
}

TEST(ConfigTest, ReadsPoolsCapacityAndTheNamespaceAllowList) {
  absl::StatusOr<SluicedConfig> config = ParseConfig(R"(
capacity:
  default_policy: SPOT_PREFERRED
  namespaces: {prod: ON_DEMAND}
  timers: {unavailable_ttl: 90s, backoff_initial: 1m, backoff_max: 10m}
pools:
  - name: spot-a
    class: spot
    order: 0
    inject:
      labels: {alibabacloud.com/compute-qos: best-effort}
      node_selector: {topology.kubernetes.io/zone: zone-a}
      tolerations: [{key: spot, operator: Exists, effect: NoSchedule}]
    limits: {vcpu: 2000, memory: 8Ti, pods: 5000}
    prices: {currency: USD, vcpu_hour: 0.0086, gib_hour: 0.0011}
    billing: {start: running, granularity_seconds: 60, minimum_seconds: 60}
    provisioning_timeout: 2m
  - name: on-demand
    class: on-demand
    order: 1
limits:
  namespaces: [team-a, team-b]
)");
  ASSERT_TRUE(config.ok()) << config.status();
  const auto& cap = config->engine.capacity;
  ASSERT_EQ(cap.pools.size(), 2u);
  EXPECT_EQ(cap.pools[0].name, "spot-a");
  EXPECT_EQ(cap.pools[0].pool_class, PoolClass::kSpot);
  EXPECT_EQ(cap.pools[0].max_vcpu->String(), "2k");
  EXPECT_EQ(cap.pools[0].max_memory->String(), "8Ti");
  EXPECT_EQ(*cap.pools[0].max_pods, 5000);
  EXPECT_FALSE(cap.pools[1].max_vcpu.has_value());
  EXPECT_EQ(cap.pools[0].billing_start, BillingStart::kRunning);
  EXPECT_EQ(cap.pools[0].billing_granularity_seconds, 60);
  EXPECT_EQ(cap.pools[0].provisioning_timeout, absl::Minutes(2));
  ASSERT_EQ(cap.pools[0].tolerations.size(), 1u);
  EXPECT_EQ(cap.pools[0].tolerations[0].op, "Exists");
  EXPECT_EQ(cap.namespace_policies.at("prod"), CapacityPolicy::kOnDemand);
  EXPECT_EQ(cap.timers.unavailable_ttl, absl::Seconds(90));
  EXPECT_TRUE(config->intake.allowed_namespaces.contains("team-b"));
  EXPECT_EQ(config->intake.allowed_namespaces.size(), 2u);

  // The effective config (GetStatus, --print-config) reads back the same.
  absl::StatusOr<SluicedConfig> again = ParseConfig(ConfigToYaml(*config));
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << ConfigToYaml(*config);
  ASSERT_EQ(again->engine.capacity.pools.size(), 2u);
  EXPECT_EQ(again->engine.capacity.pools[0].labels, cap.pools[0].labels);
  EXPECT_EQ(again->engine.capacity.pools[0].max_memory, cap.pools[0].max_memory);
  EXPECT_EQ(again->engine.capacity.pools[0].price_vcpu_hour, 0.0086);
  EXPECT_EQ(again->engine.capacity.namespace_policies.at("prod"), CapacityPolicy::kOnDemand);
  EXPECT_EQ(again->intake.allowed_namespaces, config->intake.allowed_namespaces);
}

TEST(ConfigTest, CostSectionAndExactPrices) {
  absl::StatusOr<SluicedConfig> config = ParseConfig(R"(
cost:
  ledger: /var/lib/sluice/cost.db
  retention: 720h
  label_keys: [team, example.com/cost-center]
pools:
  - name: spot-a
    class: spot
    prices: {currency: EUR, vcpu_hour: 0.0408, gib_hour: "0.000000001", gpu_hour: 2}
)");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->cost.ledger, "/var/lib/sluice/cost.db");
  EXPECT_EQ(config->cost.retention, absl::Hours(720));
  EXPECT_EQ(config->cost.label_keys, (std::vector<std::string>{"team", "example.com/cost-center"}));
  const PoolConfig& pool = config->engine.capacity.pools[0];
  EXPECT_EQ(pool.price_vcpu_nano_hour, 40'800'000);
  EXPECT_EQ(pool.price_gib_nano_hour, 1);
  EXPECT_EQ(pool.price_gpu_nano_hour, 2'000'000'000);
  absl::StatusOr<SluicedConfig> again = ParseConfig(ConfigToYaml(*config));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->cost.ledger, config->cost.ledger);
  EXPECT_EQ(again->cost.label_keys, config->cost.label_keys);

  absl::StatusOr<SluicedConfig> bad = ParseConfig(R"(
cost: {label_keys: ["bad key"], retention: soon}
pools:
  - name: a
    class: spot
    prices: {vcpu_hour: 0.0000000001}
)");
  ASSERT_FALSE(bad.ok());
  const std::string message(bad.status().message());
  EXPECT_THAT(message, HasSubstr("cost.label_keys[0]"));
  EXPECT_THAT(message, HasSubstr("cost.retention"));
  EXPECT_THAT(message, HasSubstr("pools[0].prices.vcpu_hour: must be an exact decimal price"));
}

TEST(ConfigTest, PoolMistakesAreReportedWithTheirPaths) {
  absl::StatusOr<SluicedConfig> config = ParseConfig(R"(
capacity:
  default_policy: CHEAPEST
pools:
  - name: a
    class: spot
  - name: a
    class: reserved
  - name: c
    prices: {vcpu_hour: -1, currency: dollars}
    limits: {memory: lots}
    inject: {labels: {sluice.dev/pool: x}}
limits:
  namespaces: [Team_A]
)");
  ASSERT_FALSE(config.ok());
  const std::string message(config.status().message());
  EXPECT_THAT(message, HasSubstr("capacity.default_policy: must be ON_DEMAND, SPOT_PREFERRED"));
  EXPECT_THAT(message, HasSubstr("pools[1].name: duplicate pool name \"a\""));
  EXPECT_THAT(message, HasSubstr("pools[1].class: must be on-demand or spot"));
  EXPECT_THAT(message, HasSubstr("pools[2].prices.vcpu_hour: must be >= 0"));
  EXPECT_THAT(message, HasSubstr("pools[2].prices.currency: must be a 3-letter code"));
  EXPECT_THAT(message, HasSubstr("pools[2].limits.memory:"));
  EXPECT_THAT(message,
              HasSubstr("pools[2].inject.labels.sluice.dev/pool: labels under sluice.dev/"));
  EXPECT_THAT(message, HasSubstr("limits.namespaces[0]:"));
}

TEST(ConfigTest, ReadsTheAdaptiveShaperAndRoundTripsIt) {
  absl::StatusOr<SluicedConfig> config = ParseConfig(R"(
budget:
  adaptive:
    enabled: true
    floor_qps: 5
    ceiling_qps: 4000
    initial_qps: 50
    doubling_time: 250ms
    decrease_factor: 0.6
    latency_decrease_factor: 0.9
    latency_target: 2s
    recovery_time: 4s
    burst_window: 50ms
    share_window: 2s
    pause_share: 0.75
)");
  ASSERT_TRUE(config.ok()) << config.status();
  const AdaptiveRate::Options& a = config->engine.adaptive;
  EXPECT_TRUE(a.enabled);
  EXPECT_EQ(a.floor_qps, 5);
  EXPECT_EQ(a.ceiling_qps, 4000);
  EXPECT_EQ(a.initial_qps, 50);
  EXPECT_EQ(a.doubling_time, absl::Milliseconds(250));
  EXPECT_EQ(a.decrease_factor, 0.6);
  EXPECT_EQ(a.latency_decrease_factor, 0.9);
  EXPECT_EQ(a.latency_target, absl::Seconds(2));
  EXPECT_EQ(a.recovery_time, absl::Seconds(4));
  EXPECT_EQ(config->engine.adaptive_burst_window, absl::Milliseconds(50));
  EXPECT_EQ(a.share_window, absl::Seconds(2));
  EXPECT_EQ(a.pause_share, 0.75);

  absl::StatusOr<SluicedConfig> again = ParseConfig(ConfigToYaml(*config));
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << ConfigToYaml(*config);
  EXPECT_TRUE(again->engine.adaptive.enabled);
  EXPECT_EQ(again->engine.adaptive.ceiling_qps, 4000);
  EXPECT_EQ(again->engine.adaptive.doubling_time, absl::Milliseconds(250));
  EXPECT_EQ(again->engine.adaptive.share_window, absl::Seconds(2));
  EXPECT_EQ(again->engine.adaptive.pause_share, 0.75);
}

TEST(ConfigTest, AdaptiveShaperMistakesAreReportedWithTheirPaths) {
  absl::StatusOr<SluicedConfig> config = ParseConfig(R"(
budget:
  adaptive:
    enabled: maybe
    floor_qps: 500
    ceiling_qps: 100
    decrease_factor: 1.5
    doubling: 1s
)");
  ASSERT_FALSE(config.ok());
  const std::string message(config.status().message());
  EXPECT_THAT(message, HasSubstr("budget.adaptive.enabled:"));
  EXPECT_THAT(message, HasSubstr("budget.adaptive.ceiling_qps: must be >= floor_qps"));
  EXPECT_THAT(message, HasSubstr("budget.adaptive.decrease_factor: must be <= 0.99"));
  EXPECT_THAT(message, HasSubstr("budget.adaptive.doubling: unknown key"));
}

TEST(ConfigTest, ReadsWorkflowWeightRulesAndRoundTripsThem) {
  absl::StatusOr<SluicedConfig> config = ParseConfig(R"(
fairness:
  small_workflow_pods: 5
  workflows:
    - {match: "nightly-*", namespace: ci, weight: 0.5}
    - {match: "*-backtest", weight: 4}
)");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->engine.workflow_weights.size(), 2u);
  EXPECT_EQ(config->engine.workflow_weights[0].name_glob, "nightly-*");
  EXPECT_EQ(config->engine.workflow_weights[0].workflow_namespace, "ci");
  EXPECT_EQ(config->engine.workflow_weights[0].weight, 0.5);
  EXPECT_EQ(config->engine.workflow_weights[1].workflow_namespace, "");
  EXPECT_EQ(config->engine.fairness_meter.small_workflow_pods, 5u);
  absl::StatusOr<SluicedConfig> again = ParseConfig(ConfigToYaml(*config));
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << ConfigToYaml(*config);
  ASSERT_EQ(again->engine.workflow_weights.size(), 2u);
  EXPECT_EQ(again->engine.workflow_weights[1].name_glob, "*-backtest");
  EXPECT_EQ(again->engine.workflow_weights[1].weight, 4);

  absl::StatusOr<SluicedConfig> bad = ParseConfig(R"(
fairness:
  workflows:
    - {namespace: ci, weight: 0}
    - {match: x, wieght: 2}
)");
  ASSERT_FALSE(bad.ok());
  const std::string message(bad.status().message());
  EXPECT_THAT(message, HasSubstr("fairness.workflows[0].match: required"));
  EXPECT_THAT(message, HasSubstr("fairness.workflows[0].weight: must be >= 0.01"));
  EXPECT_THAT(message, HasSubstr("fairness.workflows[1].wieght: unknown key"));
  EXPECT_THAT(message, HasSubstr("fairness.workflows[1].weight: required"));
}

}  // namespace
}  // namespace sluice
