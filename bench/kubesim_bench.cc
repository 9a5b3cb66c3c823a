// Micro benchmarks of kubesim's create path, and its HTTP create throughput
// in process. The end-to-end figure (separate processes) comes from
// kubesim_load.

#include <curl/curl.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "bench/pod_body.h"
#include "benchmark/benchmark.h"
#include "rapidjson/document.h"
#include "scheduler/common/clock.h"
#include "simdjson.h"
#include "tools/kubesim/api_server.h"
#include "tools/kubesim/pod_create.h"
#include "tools/kubesim/sim_cluster.h"

namespace sluice::kubesim {
namespace {

const std::string& Body() {
  static const std::string* body = new std::string(bench::ArgoStylePodBody("load", "load-1", 1));
  return *body;
}

// Measures: RapidJSON DOM parse of a ~1.5 KB pod body (what kubesim uses).
void BM_ParseRapidJson(benchmark::State& state) {
  for (auto _ : state) {
    rapidjson::Document doc;
    doc.Parse(Body().data(), Body().size());
    benchmark::DoNotOptimize(doc.IsObject());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(Body().size()));
}
BENCHMARK(BM_ParseRapidJson);

// Measures: RapidJSON in-situ parse (on a copy of the body, as the request
// buffer is not ours to modify).
void BM_ParseRapidJsonInsitu(benchmark::State& state) {
  for (auto _ : state) {
    std::string copy = Body();
    rapidjson::Document doc;
    doc.ParseInsitu(copy.data());
    benchmark::DoNotOptimize(doc.IsObject());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(Body().size()));
}
BENCHMARK(BM_ParseRapidJsonInsitu);

// Measures: simdjson DOM parse of the same body (parse only: the result
// cannot be modified and re-serialized).
void BM_ParseSimdjson(benchmark::State& state) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(Body());
  for (auto _ : state) {
    auto doc = parser.parse(padded);
    benchmark::DoNotOptimize(doc.error());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(Body().size()));
}
BENCHMARK(BM_ParseSimdjson);

void Copy(simdjson::dom::element e, rapidjson::Value* out, rapidjson::Document::AllocatorType& a) {
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT:
      out->SetObject();
      for (auto field : simdjson::dom::object(e)) {
        rapidjson::Value k(field.key.data(), static_cast<rapidjson::SizeType>(field.key.size()), a);
        rapidjson::Value v;
        Copy(field.value, &v, a);
        out->AddMember(k, v, a);
      }
      break;
    case simdjson::dom::element_type::ARRAY:
      out->SetArray();
      for (auto item : simdjson::dom::array(e)) {
        rapidjson::Value v;
        Copy(item, &v, a);
        out->PushBack(v, a);
      }
      break;
    case simdjson::dom::element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      out->SetString(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
      break;
    }
    case simdjson::dom::element_type::INT64:
      out->SetInt64(e.get_int64().value_unsafe());
      break;
    case simdjson::dom::element_type::UINT64:
      out->SetUint64(e.get_uint64().value_unsafe());
      break;
    case simdjson::dom::element_type::DOUBLE:
      out->SetDouble(e.get_double().value_unsafe());
      break;
    case simdjson::dom::element_type::BOOL:
      out->SetBool(e.get_bool().value_unsafe());
      break;
    case simdjson::dom::element_type::NULL_VALUE:
      out->SetNull();
      break;
  }
}

// Measures: the alternative to BM_ParseRapidJson that still yields a
// modifiable document: simdjson parse, then a copy into RapidJSON.
void BM_ParseSimdjsonIntoRapidJson(benchmark::State& state) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(Body());
  for (auto _ : state) {
    rapidjson::Document doc;
    Copy(parser.parse(padded).value_unsafe(), &doc, doc.GetAllocator());
    benchmark::DoNotOptimize(doc.IsObject());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseSimdjsonIntoRapidJson);

// Measures: the whole model building of a create (parse, defaults,
// validation, quantities, spec encoding), without the store.
void BM_ParsePodForCreate(benchmark::State& state) {
  const absl::Time now = absl::Now();
  for (auto _ : state) {
    auto parsed = ParsePodForCreate(Body(), "load", now);
    benchmark::DoNotOptimize(parsed.ok());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParsePodForCreate);

ClusterOptions QuietCluster() {
  ClusterOptions options;
  options.kubelet.enabled = false;
  options.nodes = 1;
  options.store.watch_history = 10000;
  return options;
}

// Measures: SimCluster::CreatePod (parse, admission, encoding, commit, watch
// history), no HTTP.
void BM_ClusterCreatePod(benchmark::State& state) {
  SimCluster cluster(RealClock::Get(), QuietCluster());
  int64_t i = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string body =
        bench::ArgoStylePodBody("load", "pod-" + std::to_string(i), static_cast<int>(i));
    ++i;
    state.ResumeTiming();
    auto created = cluster.CreatePod("load", body);
    benchmark::DoNotOptimize(created.ok());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ClusterCreatePod);

// Measures: the same creates in a namespace with a ResourceQuota on pods,
// requests.cpu and requests.memory that never fills (quota admission: the
// pod's usage from its spec, the check and the charge). Compare with
// BM_ClusterCreatePod in the same run.
void BM_ClusterCreatePodUnderQuota(benchmark::State& state) {
  ClusterOptions options = QuietCluster();
  options.quotas.push_back(*ParseQuotaFlag("ns=load,pods=1G,requests.cpu=1G,requests.memory=1Ei"));
  SimCluster cluster(RealClock::Get(), options);
  int64_t i = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string body =
        bench::ArgoStylePodBody("load", "pod-" + std::to_string(i), static_cast<int>(i));
    ++i;
    state.ResumeTiming();
    auto created = cluster.CreatePod("load", body);
    benchmark::DoNotOptimize(created.ok());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ClusterCreatePodUnderQuota);

// Measures: serializing a stored pod for GET / watch (shared bytes + RV).
void BM_PodJson(benchmark::State& state) {
  SimCluster cluster(RealClock::Get(), QuietCluster());
  auto pod = cluster.CreatePod("load", Body());
  std::string out;
  for (auto _ : state) {
    out.clear();
    pod.value()->AppendJson(&out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}
BENCHMARK(BM_PodJson);

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

// Measures: pod creates per second over HTTP against an in-process server,
// state.range(0) keep-alive connections from one libcurl multi handle (client
// and server share the machine's cores).
void BM_HttpCreatePods(benchmark::State& state) {
  SimCluster cluster(RealClock::Get(), QuietCluster());
  ApiServer server(&cluster, ServerOptions{}, RealClock::Get());
  if (!server.Start().ok()) {
    state.SkipWithError("cannot start server");
    return;
  }
  const std::string url = server.url() + "/api/v1/namespaces/load/pods";
  const int connections = static_cast<int>(state.range(0));
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Expect:");
  CURLM* multi = curl_multi_init();
  std::vector<CURL*> easies;
  std::vector<std::string> bodies(static_cast<size_t>(connections));
  for (int c = 0; c < connections; ++c) {
    CURL* e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, Discard);
    curl_easy_setopt(e, CURLOPT_PRIVATE, &bodies[static_cast<size_t>(c)]);
    easies.push_back(e);
  }
  int64_t next = 0, failures = 0;
  auto launch = [&](CURL* e) {
    std::string* body = nullptr;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, &body);
    *body = bench::ArgoStylePodBody("load", "pod-" + std::to_string(next), static_cast<int>(next));
    ++next;
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body->c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
    curl_multi_add_handle(multi, e);
  };
  constexpr int kBatch = 2000;
  for (auto _ : state) {
    int done = 0, started = 0;
    for (CURL* e : easies) {
      if (started++ < kBatch) launch(e);
    }
    while (done < kBatch) {
      int running = 0;
      curl_multi_perform(multi, &running);
      int queued = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
        if (msg->msg != CURLMSG_DONE) continue;
        long code = 0;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &code);
        if (msg->data.result != CURLE_OK || code != 201) ++failures;
        curl_multi_remove_handle(multi, msg->easy_handle);
        ++done;
        if (started++ < kBatch) launch(msg->easy_handle);
      }
      if (done < kBatch) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["failures"] = static_cast<double>(failures);
  for (CURL* e : easies) curl_easy_cleanup(e);
  curl_multi_cleanup(multi);
  curl_slist_free_all(headers);
  server.Stop();
}
BENCHMARK(BM_HttpCreatePods)->Arg(16)->Arg(64)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace sluice::kubesim

BENCHMARK_MAIN();
