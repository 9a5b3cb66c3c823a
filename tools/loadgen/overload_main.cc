// sluice-overload: offers sluiced far more intents than its queue cap and
// checks that it stays well-behaved (issue #9, overload): every intent past
// the cap is answered RESOURCE_EXHAUSTED and none is lost or answered twice,
// memory stays bounded (peak RSS is reported), and GetStatus and the gRPC
// health check keep answering throughout.
//
// kubesim and sluiced are started on loopback ports (as sluice-loadgen
// --spawn does); sluiced's write budget is nearly zero so that accepted
// intents stay queued.
//
//   build/bin/sluice-overload --intents 10000000 --queue-cap 1000000
//   build/bin/sluice-overload --intents 30000 --queue-cap 10000     # the ctest
//
// Exit status 0 when every check holds; the report (JSON with --json) says
// what was measured.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "sluice/v1/scheduler.grpc.pb.h"
#include "tools/loadgen/local_stack.h"

namespace {

namespace v1 = sluice::v1;
using sluice::loadgen::LocalStack;

struct Options {
  uint64_t intents = 10'000'000;
  uint64_t queue_cap = 1'000'000;
  uint32_t batch = 1'000;
  uint32_t streams = 2;
  uint32_t window = 4;
  double monitor_period_s = 0.25;
  double rpc_deadline_s = 2;  // each GetStatus and health check
  std::string bin_dir;
  bool json = false;
};

// A small valid pod; the intent names it.
constexpr const char* kManifest =
    R"({"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"app":"overload"}},)"
    R"("spec":{"restartPolicy":"Never","containers":[{"name":"main","image":"busybox:1.36",)"
    R"("command":["true"],"resources":{"requests":{"cpu":"100m","memory":"64Mi"}}}]}})";

// Resident set size and its peak (VmRSS, VmHWM) of `pid`, in KiB.
std::pair<uint64_t, uint64_t> RssKib(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  uint64_t rss = 0, hwm = 0;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) rss = std::stoull(line.substr(6));
    if (line.rfind("VmHWM:", 0) == 0) hwm = std::stoull(line.substr(6));
  }
  return {rss, hwm};
}

// Answers counted over every stream.
struct Counts {
  std::atomic<uint64_t> sent{0};
  std::atomic<uint64_t> answered{0};
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> exhausted{0};
  std::atomic<uint64_t> rejected{0};
  std::atomic<uint64_t> other{0};
  std::atomic<uint64_t> wrong_batches{0};  // answers out of order or of the wrong size
  std::atomic<bool> stream_failed{false};
};

// One Submit stream offering intents [first, first + count) in batches, with
// `window` batches awaiting their answer.
void Offer(v1::Scheduler::Stub* stub, uint64_t first, uint64_t count, const Options& o,
           Counts* counts) {
  grpc::ClientContext context;
  auto stream = stub->Submit(&context);
  uint64_t next = first;
  const uint64_t end = first + count;
  uint64_t batches_sent = 0, batches_answered = 0;
  std::vector<uint32_t> sizes;  // per batch sent, to check each answer
  v1::SubmitResponse response;
  v1::SubmitRequest request;
  while (next < end || batches_answered < batches_sent) {
    while (next < end && batches_sent - batches_answered < o.window) {
      request.Clear();
      request.set_batch_id(batches_sent);
      const uint64_t n = std::min<uint64_t>(o.batch, end - next);
      for (uint64_t i = 0; i < n; ++i, ++next) {
        v1::PodIntent* intent = request.add_intents();
        intent->set_namespace_("overload");
        intent->set_name(absl::StrCat("ov-", next));
        intent->mutable_workflow()->set_uid(absl::StrCat("wf-", next / 1000));
        intent->mutable_workflow()->set_name(absl::StrCat("wf-", next / 1000));
        intent->set_pod_json(kManifest);
      }
      if (!stream->Write(request)) {
        counts->stream_failed = true;
        return;
      }
      sizes.push_back(static_cast<uint32_t>(n));
      ++batches_sent;
      counts->sent += n;
    }
    if (!stream->Read(&response)) {
      counts->stream_failed = true;
      return;
    }
    if (response.batch_id() != batches_answered ||
        static_cast<uint32_t>(response.results_size()) != sizes[batches_answered]) {
      ++counts->wrong_batches;
    }
    ++batches_answered;
    for (const v1::IntentResult& r : response.results()) {
      ++counts->answered;
      switch (r.code()) {
        case v1::IntentResult::ACCEPTED:
          ++counts->accepted;
          break;
        case v1::IntentResult::RESOURCE_EXHAUSTED:
          ++counts->exhausted;
          break;
        case v1::IntentResult::REJECTED:
          ++counts->rejected;
          break;
        default:
          ++counts->other;
      }
    }
  }
  stream->WritesDone();
  if (!stream->Finish().ok()) counts->stream_failed = true;
}

// What the monitor saw while the intents were offered.
struct MonitorFigures {
  uint64_t status_calls = 0;
  uint64_t status_failures = 0;
  double status_max_ms = 0;
  uint64_t health_calls = 0;
  uint64_t health_failures = 0;
  double health_max_ms = 0;
  uint64_t max_queue_depth = 0;
  uint64_t rss_kib_at_cap = 0;  // first sample with the queue at its cap
};

// Polls GetStatus, the health service and sluiced's RSS every period until stopped.
class Monitor {
 public:
  Monitor(std::shared_ptr<grpc::Channel> channel, pid_t sluiced, uint64_t cap,
          absl::Duration period, absl::Duration rpc_deadline)
      : stub_(v1::Scheduler::NewStub(channel)),
        health_(grpc::health::v1::Health::NewStub(channel)),
        sluiced_(sluiced),
        cap_(cap),
        period_(period),
        rpc_deadline_(rpc_deadline) {
    thread_ = std::thread([this] { Run(); });
  }
  MonitorFigures Stop() {
    stop_ = true;
    thread_.join();
    return figures_;
  }

 private:
  void Run() {
    while (!stop_) {
      {
        grpc::ClientContext context;
        context.set_deadline(absl::ToChronoTime(absl::Now() + rpc_deadline_));
        v1::GetStatusResponse status;
        const absl::Time start = absl::Now();
        const bool ok = stub_->GetStatus(&context, v1::GetStatusRequest(), &status).ok();
        ++figures_.status_calls;
        figures_.status_max_ms =
            std::max(figures_.status_max_ms, absl::ToDoubleMilliseconds(absl::Now() - start));
        if (!ok) ++figures_.status_failures;
        figures_.max_queue_depth = std::max(figures_.max_queue_depth, status.queue_depth());
        if (ok && figures_.rss_kib_at_cap == 0 && status.queue_depth() >= cap_) {
          figures_.rss_kib_at_cap = RssKib(sluiced_).first;
        }
      }
      {
        grpc::ClientContext context;
        context.set_deadline(absl::ToChronoTime(absl::Now() + rpc_deadline_));
        grpc::health::v1::HealthCheckRequest request;
        grpc::health::v1::HealthCheckResponse response;
        const absl::Time start = absl::Now();
        const bool ok = health_->Check(&context, request, &response).ok() &&
                        response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
        ++figures_.health_calls;
        figures_.health_max_ms =
            std::max(figures_.health_max_ms, absl::ToDoubleMilliseconds(absl::Now() - start));
        if (!ok) ++figures_.health_failures;
      }
      absl::SleepFor(period_);
    }
  }

  std::unique_ptr<v1::Scheduler::Stub> stub_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
  const pid_t sluiced_;
  const uint64_t cap_;
  const absl::Duration period_;
  const absl::Duration rpc_deadline_;
  std::atomic<bool> stop_{false};
  MonitorFigures figures_;
  std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"sluice-overload: offer sluiced more intents than its queue cap"};
  app.add_option("--intents", o.intents, "Intents offered")->check(CLI::PositiveNumber);
  app.add_option("--queue-cap", o.queue_cap, "sluiced's --queue-cap")->check(CLI::PositiveNumber);
  app.add_option("--batch", o.batch, "Intents per SubmitRequest")->check(CLI::Range(1, 10000));
  app.add_option("--streams", o.streams, "Submit streams in parallel")->check(CLI::Range(1, 64));
  app.add_option("--window", o.window, "Batches in flight per stream")->check(CLI::Range(1, 64));
  app.add_option("--rpc-deadline", o.rpc_deadline_s,
                 "Seconds each GetStatus and health check may take before it counts as failed")
      ->check(CLI::PositiveNumber);
  app.add_option("--bin-dir", o.bin_dir, "Where kubesim and sluiced are (default: beside this)");
  app.add_flag("--json", o.json, "Print the report as JSON");
  CLI11_PARSE(app, argc, argv);

  LocalStack::Options spawn;
  spawn.bin_dir = o.bin_dir.empty() ? sluice::loadgen::ExecutableDir() : o.bin_dir;
  // Accepted intents stay queued: one create every 1,000 s.
  spawn.sluiced_args = absl::StrCat("--queue-cap ", o.queue_cap,
                                    " --apiserver-qps 0.001 --apiserver-burst 1 --log-level warn");
  char log_dir[] = "/tmp/sluice-overload.XXXXXX";
  if (mkdtemp(log_dir) == nullptr) return 1;
  spawn.log_dir = log_dir;
  absl::StatusOr<std::unique_ptr<LocalStack>> stack = LocalStack::Start(spawn);
  if (!stack.ok()) {
    std::fprintf(stderr, "sluice-overload: %s\n", std::string(stack.status().message()).c_str());
    return 1;
  }
  const pid_t sluiced = (*stack)->sluiced().pid();
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  // One channel (one connection) per stream, as separate controllers would.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<v1::Scheduler::Stub>> stubs;
  for (uint32_t s = 0; s <= o.streams; ++s) {
    args.SetInt("sluice.overload.channel", static_cast<int>(s));  // not shared
    channels.push_back(grpc::CreateCustomChannel((*stack)->sluiced_target(),
                                                 grpc::InsecureChannelCredentials(), args));
    stubs.push_back(v1::Scheduler::NewStub(channels.back()));
  }

  const uint64_t rss_start = RssKib(sluiced).first;
  Monitor monitor(channels[o.streams], sluiced, o.queue_cap, absl::Seconds(o.monitor_period_s),
                  absl::Seconds(o.rpc_deadline_s));
  Counts counts;
  const absl::Time start = absl::Now();
  std::vector<std::thread> offerers;
  const uint64_t per_stream = o.intents / o.streams;
  for (uint32_t s = 0; s < o.streams; ++s) {
    const uint64_t first = s * per_stream;
    const uint64_t count = s + 1 == o.streams ? o.intents - first : per_stream;
    offerers.emplace_back(Offer, stubs[s].get(), first, count, std::cref(o), &counts);
  }
  for (std::thread& t : offerers) t.join();
  const double elapsed = absl::ToDoubleSeconds(absl::Now() - start);
  const MonitorFigures m = monitor.Stop();
  const auto [rss_end, hwm_end] = RssKib(sluiced);
  const bool alive = !(*stack)->sluiced().Exited();
  (*stack)->Stop();

  // Checks. One intent may leave the queue (the burst token) and free a slot.
  std::vector<std::string> failures;
  if (counts.stream_failed) failures.push_back("a Submit stream failed");
  if (counts.answered != o.intents) {
    failures.push_back(
        absl::StrCat(counts.answered.load(), " answers for ", o.intents, " intents"));
  }
  if (counts.wrong_batches > 0) {
    failures.push_back(absl::StrCat(counts.wrong_batches.load(), " answers out of order or short"));
  }
  if (counts.rejected + counts.other > 0) {
    failures.push_back(absl::StrCat(counts.rejected.load(), " rejected, ", counts.other.load(),
                                    " with another code"));
  }
  if (counts.accepted < o.queue_cap && o.intents >= o.queue_cap) {
    failures.push_back(
        absl::StrCat("only ", counts.accepted.load(), " accepted under a cap of ", o.queue_cap));
  }
  if (counts.accepted > o.queue_cap + 1) {
    failures.push_back(
        absl::StrCat(counts.accepted.load(), " accepted past the cap of ", o.queue_cap));
  }
  if (m.status_failures + m.health_failures > 0) {
    failures.push_back(absl::StrCat(m.status_failures, " GetStatus and ", m.health_failures,
                                    " health checks failed"));
  }
  if (!alive) failures.push_back("sluiced exited");

  const double mib = 1.0 / 1024;
  if (o.json) {
    std::printf(
        "{\"intents\":%llu,\"queue_cap\":%llu,\"accepted\":%llu,\"exhausted\":%llu,"
        "\"rejected\":%llu,\"elapsed_seconds\":%.3f,\"intents_per_second\":%.0f,"
        "\"rss_start_mib\":%.1f,\"rss_at_cap_mib\":%.1f,\"rss_end_mib\":%.1f,"
        "\"peak_rss_mib\":%.1f,\"bytes_per_queued_intent\":%.0f,\"max_queue_depth\":%llu,"
        "\"get_status\":{\"calls\":%llu,\"failures\":%llu,\"max_ms\":%.1f},"
        "\"health\":{\"calls\":%llu,\"failures\":%llu,\"max_ms\":%.1f},\"ok\":%s}\n",
        static_cast<unsigned long long>(o.intents), static_cast<unsigned long long>(o.queue_cap),
        static_cast<unsigned long long>(counts.accepted.load()),
        static_cast<unsigned long long>(counts.exhausted.load()),
        static_cast<unsigned long long>(counts.rejected.load()), elapsed,
        static_cast<double>(o.intents) / elapsed, static_cast<double>(rss_start) * mib,
        static_cast<double>(m.rss_kib_at_cap) * mib, static_cast<double>(rss_end) * mib,
        static_cast<double>(hwm_end) * mib,
        static_cast<double>(rss_end - rss_start) * 1024.0 /
            static_cast<double>(std::max<uint64_t>(1, counts.accepted)),
        static_cast<unsigned long long>(m.max_queue_depth),
        static_cast<unsigned long long>(m.status_calls),
        static_cast<unsigned long long>(m.status_failures), m.status_max_ms,
        static_cast<unsigned long long>(m.health_calls),
        static_cast<unsigned long long>(m.health_failures), m.health_max_ms,
        failures.empty() ? "true" : "false");
  } else {
    std::printf("offered %llu intents to sluiced (queue cap %llu) in %.1f s: %.0f intents/s\n",
                static_cast<unsigned long long>(o.intents),
                static_cast<unsigned long long>(o.queue_cap), elapsed,
                static_cast<double>(o.intents) / elapsed);
    std::printf("  accepted %llu, RESOURCE_EXHAUSTED %llu, rejected %llu\n",
                static_cast<unsigned long long>(counts.accepted.load()),
                static_cast<unsigned long long>(counts.exhausted.load()),
                static_cast<unsigned long long>(counts.rejected.load()));
    std::printf(
        "  sluiced RSS: start %.0f MiB, at the cap %.0f MiB, end %.0f MiB, peak %.0f MiB "
        "(%.0f bytes per queued intent)\n",
        static_cast<double>(rss_start) * mib, static_cast<double>(m.rss_kib_at_cap) * mib,
        static_cast<double>(rss_end) * mib, static_cast<double>(hwm_end) * mib,
        static_cast<double>(rss_end - rss_start) * 1024.0 /
            static_cast<double>(std::max<uint64_t>(1, counts.accepted)));
    std::printf(
        "  GetStatus: %llu calls, %llu failed, slowest %.1f ms; health: %llu calls, "
        "%llu failed, slowest %.1f ms; max queue depth %llu\n",
        static_cast<unsigned long long>(m.status_calls),
        static_cast<unsigned long long>(m.status_failures), m.status_max_ms,
        static_cast<unsigned long long>(m.health_calls),
        static_cast<unsigned long long>(m.health_failures), m.health_max_ms,
        static_cast<unsigned long long>(m.max_queue_depth));
  }
  for (const std::string& f : failures)
    std::fprintf(stderr, "sluice-overload: FAIL: %s\n", f.c_str());
  if (failures.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(log_dir, ignored);
  } else {
    std::fprintf(stderr, "sluice-overload: logs in %s\n", log_dir);
  }
  return failures.empty() ? 0 : 1;
}
