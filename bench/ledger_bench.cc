// Cost ledger throughput: pod attempts recorded per second.
//
// BM_LedgerRowsWithEngine: the engine thread's whole path for 1,000-pod
// batches — Engine::Submit, Pump (creates sent to a writer that answers at
// once), OnCreateResult, the informer's Running and Succeeded sightings to
// the engine and to the cost tracker — while the ledger's writer thread
// commits the rows (two upserts per attempt: begun and ended) to SQLite in
// WAL mode. The timed region ends with a Flush, so items/s is rows
// committed per second with the engine running.
//
// BM_LedgerUpsert: the ledger alone (queue + grouped transactions), rows of
// ended attempts.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "scheduler/common/clock.h"
#include "scheduler/cost/attempt_tracker.h"
#include "scheduler/cost/cost_ledger.h"
#include "scheduler/engine/engine.h"

namespace sluice {
namespace {

constexpr int kBatch = 1'000;

class AnsweringWriter : public PodWriter {
 public:
  struct Create {
    uint64_t id;
    std::string ns;
    std::string name;
  };
  void Create(const CreatePodCommand& command) override {
    creates.push_back(
        {command.request_id, std::string(command.pod_namespace), std::string(command.pod_name)});
  }
  void Delete(const DeletePodCommand&) override {}
  std::vector<struct Create> creates;
};

std::string LedgerPath(const char* name) {
  std::string path = absl::StrCat("/tmp/sluice_bench_", name, "_", getpid(), ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return path;
}

void RemoveLedger(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

cost::AttemptTrackerOptions TrackerOptions() {
  cost::AttemptTrackerOptions options;
  cost::PoolPricing pricing;
  pricing.pool_class = "on-demand";
  pricing.rule.price_vcpu_nano_hour = 40'800'000;
  pricing.rule.price_gib_nano_hour = 4'500'000;
  options.unpooled = pricing;
  options.label_keys = {"team"};
  return options;
}

cost::PodSighting Sighting(const std::string& ns, const std::string& name, const std::string& uid,
                           absl::Time created) {
  cost::PodSighting s;
  s.uid = uid;
  s.pod_namespace = ns;
  s.pod_name = name;
  s.labels = {{"sluice.dev/workflow", "wf-uid"},
              {"sluice.dev/workflow-name", "wf"},
              {"sluice.dev/billed-vcpu-milli", "500"},
              {"sluice.dev/billed-memory-bytes", "1073741824"},
              {"team", "blue"}};
  s.times.created = created;
  return s;
}

void BM_LedgerRowsWithEngine(benchmark::State& state) {
  SimulatedClock clock;
  AnsweringWriter writer;
  EngineConfig config;
  config.budget.qps = 0;  // unlimited
  config.budget.max_in_flight = 1'000'000;
  config.queue_cap = 100'000'000;
  Engine engine(clock, config, &writer, nullptr);
  const std::string path = LedgerPath("engine");
  cost::CostLedger::Options options;
  options.path = path;
  auto ledger = cost::CostLedger::Open(options, clock);
  if (!ledger.ok()) {
    state.SkipWithError(ledger.status().ToString().c_str());
    return;
  }
  cost::AttemptTracker tracker(TrackerOptions(), ledger->get());
  std::vector<Engine::SubmitOutcome> outcomes(kBatch);
  uint64_t batch = 0;
  uint64_t rows = 0;
  for (auto _ : state) {
    std::vector<std::unique_ptr<Intent>> intents;
    intents.reserve(kBatch);
    for (int i = 0; i < kBatch; ++i) {
      IntentSpec spec;
      spec.SetKey(absl::StrCat("ns-", i % 20), absl::StrCat("pod-", batch, "-", i));
      spec.workflow_uid = absl::StrCat("wf-", i % 50);
      spec.manifest = "{}";
      intents.push_back(std::make_unique<Intent>(std::move(spec)));
    }
    engine.Submit(absl::MakeSpan(intents), absl::MakeSpan(outcomes));
    engine.Pump();
    const absl::Time now = clock.WallNow();
    for (const auto& create : writer.creates) {
      WriteResult ok;
      ok.outcome = WriteOutcome::kSuccess;
      ok.pod_uid = absl::StrCat("uid-", create.id);
      engine.OnCreateResult(create.id, ok);
    }
    for (const auto& create : writer.creates) {
      const std::string& ns = create.ns;
      const std::string& name = create.name;
      const std::string uid = absl::StrCat("uid-", create.id);
      PodObservation o;
      o.key = absl::StrCat(ns, "/", name);
      o.uid = uid;
      o.phase = PodPhase::kRunning;
      o.scheduled = true;
      engine.OnPodObserved(o);
      cost::PodSighting s = Sighting(ns, name, uid, now);
      s.phase = PodPhase::kRunning;
      tracker.Observe(s, now);
      o.phase = PodPhase::kSucceeded;
      engine.OnPodObserved(o);
      s.phase = PodPhase::kSucceeded;
      s.last_container_finish = now + absl::Milliseconds(1'500);
      tracker.Observe(s, now + absl::Seconds(2));
      ++rows;
    }
    writer.creates.clear();
    ++batch;
    clock.Advance(absl::Seconds(1));
  }
  (*ledger)->Flush();
  state.SetItemsProcessed(static_cast<int64_t>(rows));
  state.counters["write_errors"] = static_cast<double>((*ledger)->write_errors());
  ledger->reset();
  RemoveLedger(path);
}
BENCHMARK(BM_LedgerRowsWithEngine)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3);

void BM_LedgerUpsert(benchmark::State& state) {
  SimulatedClock clock;
  const std::string path = LedgerPath("upsert");
  cost::CostLedger::Options options;
  options.path = path;
  auto ledger = cost::CostLedger::Open(options, clock);
  if (!ledger.ok()) {
    state.SkipWithError(ledger.status().ToString().c_str());
    return;
  }
  cost::CostRecord r;
  r.pod_namespace = "ns";
  r.pod_name = "pod";
  r.workflow_uid = "wf-uid";
  r.labels = {{"team", "blue"}};
  r.currency = "USD";
  r.created = r.billing_start = clock.WallNow();
  r.billing_end = r.created + absl::Seconds(2);
  r.end_reason = cost::EndReason::kSucceeded;
  uint64_t n = 0;
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) {
      r.pod_uid = absl::StrCat("uid-", n++);
      (*ledger)->Write(r);
    }
  }
  (*ledger)->Flush();
  state.SetItemsProcessed(static_cast<int64_t>(n));
  ledger->reset();
  RemoveLedger(path);
}
BENCHMARK(BM_LedgerUpsert)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3);

}  // namespace
}  // namespace sluice

BENCHMARK_MAIN();
