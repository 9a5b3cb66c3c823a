// The watch-event parse rate of the informer's path: a pod watch body cut into
// chunks as libcurl hands them over, split into events by JsonObjectStream,
// each event parsed into a PodInfo by KubeObjectParser::ParsePodEvent (what
// PodInformer does on the I/O thread before the engine sees anything).
//
// The body is real kubesim output: Argo-style pods (init container, main
// container, labels, annotations, owner reference, resources) watched through
// their whole life on a simulated clock: ADDED, then MODIFIED when scheduled,
// Running (container statuses, conditions, IPs) and Succeeded (terminated
// states with timestamps). Four events per pod, ~3.4 KB per event on average.
//
//   build/bin/bench_watch_parse --benchmark_min_time=2s

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/pod_body.h"
#include "benchmark/benchmark.h"
#include "scheduler/common/clock.h"
#include "scheduler/kube/json_object_stream.h"
#include "scheduler/kube/kube_objects.h"
#include "tools/kubesim/sim_cluster.h"
#include "tools/kubesim/watch_stream.h"

namespace sluice::kube {
namespace {

constexpr int kPods = 250;

// The watch body of kPods pods' lives, and its events one by one.
struct WatchCorpus {
  std::string body;
  std::vector<std::string> events;
};

const WatchCorpus& Corpus() {
  static const WatchCorpus* corpus = [] {
    auto* out = new WatchCorpus;
    SimulatedClock clock;
    kubesim::ClusterOptions options;
    options.nodes = 10;
    options.kubelet.schedule_delay = absl::Seconds(1);
    options.kubelet.start_delay = absl::Seconds(1);
    options.kubelet.run_duration = absl::Seconds(10);
    kubesim::SimCluster cluster(clock, options);
    kubesim::WatchOptions watch;
    watch.resource = "pods";
    watch.from_rv = cluster.store().current_resource_version();
    watch.timeout = absl::Hours(1);
    kubesim::WatchStream stream(&cluster.store(), clock, watch);
    if (stream.Start().has_value()) std::abort();
    for (int i = 0; i < kPods; ++i) {
      const std::string name = absl::StrCat("load-wf-", i);
      if (!cluster.CreatePod("load", bench::ArgoStylePodBody("load", name, i)).ok()) std::abort();
    }
    for (int step = 0; step < 3; ++step) {
      clock.Advance(absl::Seconds(10));
      cluster.kubelet().RunDue();
    }
    for (int reads = 0; out->events.size() < 4 * kPods; ++reads) {
      if (reads > 100 * kPods) std::abort();  // kubesim sent fewer events than expected
      std::string chunk;
      stream.Next(&chunk, absl::ZeroDuration());
      out->body += chunk;
      JsonObjectStream split;
      (void)split.Feed(chunk, [&](absl::string_view e) { out->events.emplace_back(e); });
    }
    return out;
  }();
  return *corpus;
}

void SetCounters(benchmark::State& state) {
  const WatchCorpus& c = Corpus();
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(c.events.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(c.body.size()));
  state.counters["events"] = static_cast<double>(c.events.size());
  state.counters["bytes_per_event"] =
      static_cast<double>(c.body.size()) / static_cast<double>(c.events.size());
}

// Measures: the whole informer path per event: chunks of state.range(0) bytes
// (16 KB is libcurl's write size) split by JsonObjectStream, every event
// parsed into a PodInfo. items/s = watch events/s.
void BM_WatchParse(benchmark::State& state) {
  const WatchCorpus& c = Corpus();
  const size_t chunk = static_cast<size_t>(state.range(0));
  KubeObjectParser parser;
  for (auto _ : state) {
    JsonObjectStream stream;
    int64_t running = 0;
    for (size_t at = 0; at < c.body.size(); at += chunk) {
      absl::Status s =
          stream.Feed(absl::string_view(c.body).substr(at, chunk), [&](absl::string_view event) {
            WatchEventType type;
            PodInfo pod;
            WatchError error;
            if (!parser.ParsePodEvent(event, &type, &pod, &error).ok()) {
              state.SkipWithError("unparsable event");
            }
            running += pod.phase == PodPhaseValue::kRunning;
          });
      if (!s.ok()) state.SkipWithError("stream error");
    }
    benchmark::DoNotOptimize(running);
  }
  SetCounters(state);
}
BENCHMARK(BM_WatchParse)->Arg(1460)->Arg(16384);

// Measures: JsonObjectStream alone (finding event boundaries), 16 KB chunks.
void BM_WatchSplit(benchmark::State& state) {
  const WatchCorpus& c = Corpus();
  constexpr size_t kChunk = 16384;
  for (auto _ : state) {
    JsonObjectStream stream;
    size_t objects = 0;
    for (size_t at = 0; at < c.body.size(); at += kChunk) {
      (void)stream.Feed(absl::string_view(c.body).substr(at, kChunk),
                        [&](absl::string_view) { ++objects; });
    }
    benchmark::DoNotOptimize(objects);
  }
  SetCounters(state);
}
BENCHMARK(BM_WatchSplit);

// Measures: KubeObjectParser::ParsePodEvent alone, on events already split.
void BM_ParsePodEvent(benchmark::State& state) {
  const WatchCorpus& c = Corpus();
  KubeObjectParser parser;
  for (auto _ : state) {
    for (const std::string& event : c.events) {
      WatchEventType type;
      PodInfo pod;
      WatchError error;
      benchmark::DoNotOptimize(parser.ParsePodEvent(event, &type, &pod, &error).ok());
    }
  }
  SetCounters(state);
}
BENCHMARK(BM_ParsePodEvent);

}  // namespace
}  // namespace sluice::kube

BENCHMARK_MAIN();
