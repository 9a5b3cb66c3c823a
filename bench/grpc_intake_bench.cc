// gRPC intake: 1,000-intent batches of realistic Argo pods pushed through a real
// channel (loopback TCP, one bidi Submit stream, 4 batches in flight) to
// sluiced's service, and to a do-nothing service that answers the same
// messages without looking at them. Prints the ratio; the target is >= 0.5.
//
// A third service does nothing but keep each intent's manifest, as any queue
// must until the pod exists. Parsing into fresh memory that stays allocated
// is what it adds to the do-nothing service; its ratio is the floor the
// machine sets for any service that holds the manifests it queues.
//
// Client and server share the machine, as a controller and its sidecar do.
#include <atomic>
#include <cstdio>
#include <deque>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "benchmark/benchmark.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "scheduler/engine/pod_writer.h"
#include "scheduler/server/daemon.h"
#include "sluice/v1/scheduler.grpc.pb.h"
#include "tests/kube/testdata/argo_pod.h"

namespace sluice {
namespace {

constexpr int kBatch = 1'000;
constexpr int kBatchesPerIteration = 50;
constexpr int kWindow = 4;

// The Argo pod without metadata.name/namespace (the intent names the pod).
std::string Manifest() {
  return absl::StrReplaceAll(
      kube::testdata::kArgoPodJson,
      {{R"("name": "hello-world-x7k2p-1340600742",)", ""}, {R"("namespace": "argo",)", ""}});
}

// Requests are built once and renamed per batch, outside the timed region.
std::vector<v1::SubmitRequest> MakeRequests(int count, uint64_t* next_pod) {
  static const std::string manifest = Manifest();
  std::vector<v1::SubmitRequest> requests(static_cast<size_t>(count));
  for (auto& request : requests) {
    request.set_batch_id(*next_pod);
    for (int i = 0; i < kBatch; ++i) {
      v1::PodIntent* intent = request.add_intents();
      intent->set_namespace_("argo");
      const uint64_t n = (*next_pod)++;
      intent->set_name(absl::StrCat("hello-world-x7k2p-", n));
      intent->mutable_workflow()->set_uid(absl::StrCat("4c3f9a7e-5a8b-4a0e-9f1d-", n / 5'000));
      intent->mutable_workflow()->set_name("hello-world-x7k2p");
      intent->set_pod_json(manifest);
    }
  }
  return requests;
}

// Manifests a keeping service holds, as a queue must until each pod exists.
class ManifestStore {
 public:
  void Keep(v1::SubmitRequest& request) {
    absl::MutexLock lock(&mu_);
    for (v1::PodIntent& intent : *request.mutable_intents()) {
      manifests_.push_back(std::move(*intent.mutable_pod_json()));
    }
  }
  // Outside the timed region, as the daemon is replaced outside it.
  void Clear() {
    absl::MutexLock lock(&mu_);
    manifests_ = {};
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> manifests_ ABSL_GUARDED_BY(mu_);
};

// Answers every request with one ACCEPTED per intent without looking at it;
// with a store, first moves each intent's manifest into it (and so parses
// every request into fresh memory, as sluiced does).
class NullSubmitReactor final
    : public grpc::ServerBidiReactor<v1::SubmitRequest, v1::SubmitResponse> {
 public:
  explicit NullSubmitReactor(ManifestStore* store) : store_(store) { StartRead(&request_); }
  void OnReadDone(bool ok) override {
    if (!ok) {
      absl::MutexLock lock(&mu_);
      reads_done_ = true;
      if (!writing_) Finish(grpc::Status::OK);
      return;
    }
    if (store_ != nullptr) store_->Keep(request_);
    v1::SubmitResponse response;
    response.set_batch_id(request_.batch_id());
    response.mutable_results()->Reserve(request_.intents_size());
    for (int i = 0; i < request_.intents_size(); ++i) {
      response.add_results()->set_code(v1::IntentResult::ACCEPTED);
    }
    response.set_accepted(static_cast<uint32_t>(request_.intents_size()));
    {
      absl::MutexLock lock(&mu_);
      pending_.push_back(std::move(response));
      if (!writing_) {
        writing_ = true;
        StartWrite(&pending_.front());
      }
    }
    StartRead(&request_);
  }
  void OnWriteDone(bool) override {
    absl::MutexLock lock(&mu_);
    pending_.pop_front();
    if (!pending_.empty()) {
      StartWrite(&pending_.front());
    } else {
      writing_ = false;
      if (reads_done_) Finish(grpc::Status::OK);
    }
  }
  void OnDone() override { delete this; }

 private:
  ManifestStore* const store_;
  v1::SubmitRequest request_;
  absl::Mutex mu_;
  std::deque<v1::SubmitResponse> pending_;
  bool writing_ = false;
  bool reads_done_ = false;
};

class NullService final : public v1::Scheduler::CallbackService {
 public:
  explicit NullService(ManifestStore* store = nullptr) : store_(store) {}

 private:
  grpc::ServerBidiReactor<v1::SubmitRequest, v1::SubmitResponse>* Submit(
      grpc::CallbackServerContext*) override {
    return new NullSubmitReactor(store_);
  }
  ManifestStore* const store_;
};

class DiscardingWriter : public PodWriter {
 public:
  void Create(const CreatePodCommand&) override {}
  void Delete(const DeletePodCommand&) override {}
};

// Sends `requests` with kWindow in flight; returns the intents acknowledged.
uint64_t Push(v1::Scheduler::Stub* stub, std::vector<v1::SubmitRequest>& requests) {
  grpc::ClientContext context;
  auto stream = stub->Submit(&context);
  size_t sent = 0;
  size_t received = 0;
  uint64_t acknowledged = 0;
  v1::SubmitResponse response;
  while (received < requests.size()) {
    while (sent < requests.size() && sent - received < kWindow) {
      if (!stream->Write(requests[sent++])) return acknowledged;
    }
    if (!stream->Read(&response)) return acknowledged;
    acknowledged += static_cast<uint64_t>(response.results_size());
    ++received;
  }
  stream->WritesDone();
  stream->Finish();
  return acknowledged;
}

std::atomic<double> g_sluiced_rate{0};
std::atomic<double> g_null_rate{0};
std::atomic<double> g_keeping_rate{0};

void RunNullService(benchmark::State& state, ManifestStore* store) {
  NullService service(store);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  builder.SetMaxReceiveMessageSize(64 << 20);
  auto server = builder.BuildAndStart();
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  auto stub = v1::Scheduler::NewStub(grpc::CreateCustomChannel(
      absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials(), args));
  uint64_t next_pod = 0;
  uint64_t total = 0;
  int iteration = 0;
  for (auto _ : state) {
    state.PauseTiming();
    // Freed as often as the sluiced benchmark replaces its daemon.
    if (store != nullptr && iteration++ % 4 == 0) store->Clear();
    auto requests = MakeRequests(kBatchesPerIteration, &next_pod);
    state.ResumeTiming();
    total += Push(stub.get(), requests);
  }
  state.SetItemsProcessed(static_cast<int64_t>(total));
  state.counters["intents_per_second"] =
      benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
  server->Shutdown();
  if (store != nullptr) store->Clear();
}

void BM_GrpcIntakeNullService(benchmark::State& state) { RunNullService(state, nullptr); }
BENCHMARK(BM_GrpcIntakeNullService)->Unit(benchmark::kMillisecond)->MinTime(3)->UseRealTime();

// The do-nothing service that keeps every manifest: the floor for any
// service that queues pods, which must hold each manifest until its pod
// exists.
void BM_GrpcIntakeKeepingService(benchmark::State& state) {
  ManifestStore store;
  RunNullService(state, &store);
}
BENCHMARK(BM_GrpcIntakeKeepingService)->Unit(benchmark::kMillisecond)->MinTime(3)->UseRealTime();

void BM_GrpcIntakeSluiced(benchmark::State& state) {
  DiscardingWriter writer;
  SluicedConfig config;
  config.listen = "127.0.0.1:0";
  config.metrics_listen = "";
  config.engine.budget.qps = 0.001;  // intake only: nothing leaves the queue
  config.engine.queue_cap = 100'000'000;
  Daemon::Options options;
  options.writer = &writer;
  std::unique_ptr<Daemon> daemon;
  std::unique_ptr<v1::Scheduler::Stub> stub;
  uint64_t next_pod = 0;
  uint64_t total = 0;
  int iteration = 0;
  for (auto _ : state) {
    state.PauseTiming();
    // A fresh daemon every few iterations bounds the memory queued intents hold.
    if (iteration++ % 4 == 0) {
      stub.reset();
      if (daemon) daemon->Shutdown(absl::Seconds(1));
      daemon = std::move(*Daemon::Start(config, options));
      grpc::ChannelArguments args;
      args.SetMaxReceiveMessageSize(64 << 20);
      stub = v1::Scheduler::NewStub(grpc::CreateCustomChannel(
          daemon->listen_address(), grpc::InsecureChannelCredentials(), args));
    }
    auto requests = MakeRequests(kBatchesPerIteration, &next_pod);
    state.ResumeTiming();
    total += Push(stub.get(), requests);
  }
  state.SetItemsProcessed(static_cast<int64_t>(total));
  state.counters["intents_per_second"] =
      benchmark::Counter(static_cast<double>(total), benchmark::Counter::kIsRate);
  stub.reset();
  daemon->Shutdown(absl::Seconds(1));
}
BENCHMARK(BM_GrpcIntakeSluiced)->Unit(benchmark::kMillisecond)->MinTime(3)->UseRealTime();

// Captures each benchmark's items/s to print the ratio at the end.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      auto it = run.counters.find("items_per_second");
      if (it == run.counters.end()) continue;
      const double rate = it->second.value;
      if (run.benchmark_name().find("Null") != std::string::npos) g_null_rate = rate;
      if (run.benchmark_name().find("Keeping") != std::string::npos) g_keeping_rate = rate;
      if (run.benchmark_name().find("Sluiced") != std::string::npos) g_sluiced_rate = rate;
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  sluice::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  const double null_rate = sluice::g_null_rate;
  const double sluiced_rate = sluice::g_sluiced_rate;
  if (null_rate > 0 && sluiced_rate > 0) {
    std::printf(
        "\ngRPC intake: sluiced %.0f intents/s, do-nothing service %.0f intents/s, "
        "ratio %.2f (target >= 0.50)\n",
        sluiced_rate, null_rate, sluiced_rate / null_rate);
  }
  const double keeping_rate = sluice::g_keeping_rate;
  if (null_rate > 0 && keeping_rate > 0) {
    std::printf(
        "the do-nothing service keeping each manifest: %.0f intents/s, ratio %.2f to the "
        "do-nothing service (the floor for any service that queues manifests in memory)\n",
        keeping_rate, keeping_rate / null_rate);
    if (sluiced_rate > 0) {
      std::printf("sluiced / the keeping service: %.2f\n", sluiced_rate / keeping_rate);
    }
  }
  benchmark::Shutdown();
  return 0;
}
