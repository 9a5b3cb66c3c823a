// Micro benchmarks of the intake's per-pod work: analysing a pod manifest and
// parsing and printing quantities.
//
//   build/bin/bench_pod_manifest --benchmark_filter=BM_AnalyzePodManifest

#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "scheduler/common/quantity.h"
#include "scheduler/kube/pod_manifest.h"
#include "simdjson.h"
#include "tests/kube/testdata/argo_pod.h"

namespace sluice::kube {
namespace {

// The Argo step pod without insignificant whitespace, as a Go controller
// sends it (about 1.7 KB).
std::string CompactArgoPod() {
  const std::string pretty = testdata::kArgoPodJson;
  std::string compact(pretty.size(), '\0');
  size_t length = 0;
  if (simdjson::minify(pretty.data(), pretty.size(), compact.data(), length) != simdjson::SUCCESS) {
    return pretty;
  }
  compact.resize(length);
  return compact;
}

void Analyze(benchmark::State& state, const std::string& json) {
  PodManifestAnalyzer analyzer;
  FieldError error;
  for (auto _ : state) {
    absl::StatusOr<PodManifestInfo> info = analyzer.Analyze(json, &error);
    if (!info.ok()) {
      state.SkipWithError(error.ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(info->requests);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(json.size()));
  state.SetLabel(std::to_string(json.size()) + " bytes");
}

// The floor: simdjson On Demand iterating every value of the same compact pod
// with a reused parser and padded buffer, doing nothing with them. The
// analyzer's cost is best read as a ratio to this, from the same run.
void VisitAll(simdjson::ondemand::value value, size_t* count) {
  namespace od = simdjson::ondemand;
  od::json_type type;
  if (value.type().get(type) != simdjson::SUCCESS) return;
  ++*count;
  switch (type) {
    case od::json_type::object:
      for (auto field : value.get_object()) {
        benchmark::DoNotOptimize(field.unescaped_key());
        VisitAll(field.value(), count);
      }
      break;
    case od::json_type::array:
      for (auto element : value.get_array()) VisitAll(element.value(), count);
      break;
    case od::json_type::string:
      benchmark::DoNotOptimize(value.get_string());
      break;
    case od::json_type::number:
      benchmark::DoNotOptimize(value.get_double());
      break;
    case od::json_type::boolean:
      benchmark::DoNotOptimize(value.get_bool());
      break;
    case od::json_type::null:
      benchmark::DoNotOptimize(value.is_null());
      break;
  }
}

void BM_SimdjsonVisitBaseline(benchmark::State& state) {
  const std::string json = CompactArgoPod();
  const simdjson::padded_string padded(json);
  simdjson::ondemand::parser parser;
  for (auto _ : state) {
    simdjson::ondemand::document doc;
    if (parser.iterate(padded).get(doc) != simdjson::SUCCESS) {
      state.SkipWithError("iterate failed");
      break;
    }
    size_t count = 0;
    simdjson::ondemand::value root;
    if (doc.get_value().get(root) != simdjson::SUCCESS) {
      state.SkipWithError("no root value");
      break;
    }
    VisitAll(root, &count);
    benchmark::DoNotOptimize(count);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(json.size()));
}
BENCHMARK(BM_SimdjsonVisitBaseline);

// Another floor: a full simdjson DOM parse (every value validated and put on
// the tape) of the same bytes with a reused parser.
void BM_SimdjsonDomParseBaseline(benchmark::State& state) {
  const std::string json = CompactArgoPod();
  const simdjson::padded_string padded(json);
  simdjson::dom::parser parser;
  for (auto _ : state) {
    simdjson::dom::element root;
    if (parser.parse(padded).get(root) != simdjson::SUCCESS) {
      state.SkipWithError("parse failed");
      break;
    }
    benchmark::DoNotOptimize(root);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(json.size()));
}
BENCHMARK(BM_SimdjsonDomParseBaseline);

// Validates a compact Argo step pod and computes its effective requests and
// limits, with one analyzer reused across iterations (one per intake thread).
void BM_AnalyzePodManifest(benchmark::State& state) { Analyze(state, CompactArgoPod()); }
BENCHMARK(BM_AnalyzePodManifest);

// The same pod, pretty-printed (about 2.1 KB).
void BM_AnalyzePodManifestPretty(benchmark::State& state) {
  Analyze(state, testdata::kArgoPodJson);
}
BENCHMARK(BM_AnalyzePodManifestPretty);

// The thread-local convenience entry point, as gRPC callback threads use it.
void BM_AnalyzePodManifestThreadLocal(benchmark::State& state) {
  const std::string json = CompactArgoPod();
  for (auto _ : state) {
    absl::StatusOr<PodManifestInfo> info = AnalyzePodManifest(json);
    benchmark::DoNotOptimize(info);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(json.size()));
}
BENCHMARK(BM_AnalyzePodManifestThreadLocal)->ThreadRange(1, 2);

// Parses typical resource quantities (one item = one quantity).
void BM_QuantityParse(benchmark::State& state) {
  const std::vector<std::string> inputs = {"10m", "64Mi", "500m", "1Gi",
                                           "1",   "1.5",  "2e3",  "128974848"};
  for (auto _ : state) {
    for (const std::string& s : inputs) benchmark::DoNotOptimize(Quantity::Parse(s));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(inputs.size()));
}
BENCHMARK(BM_QuantityParse);

// Prints canonical forms (one item = one quantity).
void BM_QuantityString(benchmark::State& state) {
  std::vector<Quantity> values;
  for (const char* s : {"10m", "64Mi", "500m", "1Gi", "1", "1.5", "2e3", "128974848"}) {
    values.push_back(*Quantity::Parse(s));
  }
  for (auto _ : state) {
    for (const Quantity& q : values) benchmark::DoNotOptimize(q.String());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(values.size()));
}
BENCHMARK(BM_QuantityString);

}  // namespace
}  // namespace sluice::kube

BENCHMARK_MAIN();
