// Engine hot paths: intake of 1,000-intent batches, fair-queue pop, token bucket.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "scheduler/common/clock.h"
#include "scheduler/engine/engine.h"
#include "scheduler/engine/fair_queue.h"
#include "scheduler/engine/token_bucket.h"

namespace sluice {
namespace {

class NullWriter : public PodWriter {
 public:
  void Create(const CreatePodCommand&) override {}
  void Delete(const DeletePodCommand&) override {}
};

constexpr int kBatch = 1'000;
const std::string kManifest(1'500, 'x');

std::vector<std::unique_ptr<Intent>> MakeBatch(uint64_t batch_index, int workflows) {
  std::vector<std::unique_ptr<Intent>> batch;
  batch.reserve(kBatch);
  for (int i = 0; i < kBatch; ++i) {
    IntentSpec spec;
    const uint64_t w = (batch_index * kBatch + static_cast<uint64_t>(i)) %
                       static_cast<uint64_t>(workflows);
    spec.SetKey(absl::StrCat("ns-", w % 20), absl::StrCat("wf-", w, "-pod-", batch_index, "-", i));
    spec.workflow_uid = absl::StrCat("0b1c2d3e-4f50-6172-8394-a5b6c7d8", w);
    spec.manifest = kManifest;
    batch.push_back(std::make_unique<Intent>(std::move(spec)));
  }
  return batch;
}

// Engine::Submit of 1,000-intent batches of new intents (what the engine
// thread does per batch; intents are built on intake threads, untimed here).
void BM_EngineSubmitBatch(benchmark::State& state) {
  const int workflows = static_cast<int>(state.range(0));
  SimulatedClock clock;
  NullWriter writer;
  EngineConfig config;
  config.budget.qps = 0.001;  // nothing dispatches: pure intake
  config.queue_cap = 100'000'000;
  auto engine = std::make_unique<Engine>(clock, config, &writer, nullptr);
  std::vector<Engine::SubmitOutcome> outcomes(kBatch);
  uint64_t batch_index = 0;
  // Pre-build batches outside the timed region, in groups.
  std::vector<std::vector<std::unique_ptr<Intent>>> ready;
  for (auto _ : state) {
    if (ready.empty()) {
      state.PauseTiming();
      if (batch_index % 500 == 0) {
        engine = std::make_unique<Engine>(clock, config, &writer, nullptr);
      }
      for (int i = 0; i < 50; ++i) ready.push_back(MakeBatch(batch_index + static_cast<uint64_t>(i), workflows));
      state.ResumeTiming();
    }
    auto batch = std::move(ready.back());
    ready.pop_back();
    engine->Submit(absl::MakeSpan(batch), absl::MakeSpan(outcomes));
    ++batch_index;
    benchmark::DoNotOptimize(outcomes.data());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_EngineSubmitBatch)->Arg(1)->Arg(500)->Unit(benchmark::kMicrosecond);

// FairQueue::Pop across many active workflows in several namespaces.
void BM_FairQueuePop(benchmark::State& state) {
  const int flows = static_cast<int>(state.range(0));
  std::vector<std::unique_ptr<NamespaceQueue>> namespaces;
  for (int n = 0; n < 20; ++n) namespaces.push_back(std::make_unique<NamespaceQueue>(0, 1.0));
  std::vector<std::unique_ptr<FlowQueue>> flow_queues;
  for (int f = 0; f < flows; ++f) {
    flow_queues.push_back(std::make_unique<FlowQueue>(namespaces[static_cast<size_t>(f % 20)].get(), 1.0));
  }
  std::vector<std::unique_ptr<Intent>> intents;
  FairQueue queue;
  constexpr int kIntents = 100'000;
  for (int i = 0; i < kIntents; ++i) {
    IntentSpec spec;
    spec.SetKey("ns", absl::StrCat("p", i));
    intents.push_back(std::make_unique<Intent>(std::move(spec)));
    intents.back()->home_flow = flow_queues[static_cast<size_t>(i % flows)].get();
    queue.PushBack(intents.back()->home_flow, intents.back().get());
  }
  for (auto _ : state) {
    Intent* intent = queue.Pop();
    // Put it back at the end of its flow so the queue never drains.
    queue.PushBack(intent->home_flow, intent);
    benchmark::DoNotOptimize(intent);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FairQueuePop)->Arg(1)->Arg(500)->Arg(10'000);

// TokenBucket::TryConsume as the engine calls it per dispatch.
void BM_TokenBucketTryConsume(benchmark::State& state) {
  TokenBucket bucket(1e9, 1'000, MonoTime::Zero());
  int64_t now = 0;
  for (auto _ : state) {
    now += 1;
    benchmark::DoNotOptimize(bucket.TryConsume(MonoTime::FromNanos(now)));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TokenBucketTryConsume);

}  // namespace
}  // namespace sluice

BENCHMARK_MAIN();
