// End to end under APIServer faults: kubesim and sluiced as processes on
// loopback ports, kubesim injecting (seeded) 500s, 503s, 504s after which the
// pod may exist, connection resets before execution and after it (a create
// done whose answer is lost), latency spikes, watch streams cut every second and
// forced 410 Expired on resumed watches. 6,000 pods are submitted over gRPC and
// sluiced's budget (1,500/s) spreads their creation over about 4 s, so that
// watches are cut while pods are being created;
// then kubesim's /sim/history (every pod ever created, deleted ones included)
// must hold every intended pod exactly once and nothing else, and WatchEvents
// must have said CREATED exactly once for each.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "scheduler/common/clock.h"
#include "sluice/v1/scheduler.grpc.pb.h"
#include "tools/loadgen/event_tracker.h"
#include "tools/loadgen/http_get.h"
#include "tools/loadgen/intent_submitter.h"
#include "tools/loadgen/local_stack.h"
#include "tools/loadgen/pod_ledger.h"
#include "tools/loadgen/scheduler_channel.h"
#include "tools/loadgen/workload_plan.h"

namespace sluice::loadgen {
namespace {

constexpr uint32_t kWorkflows = 60;
constexpr uint32_t kPodsPerWorkflow = 100;
constexpr absl::Duration kDeadline = absl::Seconds(200);

std::string BinDir() {
  const char* dir = std::getenv("SLUICE_BIN_DIR");
  return dir != nullptr ? dir : ExecutableDir() + "/../bin";
}

// The injected faults, as kubesim flags.
constexpr char kFaults[] =
    " --fault-seed 20261202"
    " --fail-rate-500 0.03 --fail-rate-503 0.02 --retry-after-503-s 1"
    " --reset-before-rate 0.02 --reset-after-rate 0.05 --fail-rate-5xx 0.02"
    " --latency-spike-rate 0.01 --latency-spike-ms 300"
    " --watch-cut-s 1 --watch-410-rate 0.5";

class FaultsEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LocalStack::Options options;
    options.bin_dir = BinDir();
    // No kubelet: pods stay Pending, so the history's entries never change.
    options.kubesim_args = absl::StrCat("--no-kubelet", kFaults);
    options.sluiced_args = "--apiserver-qps 1500 --log-level warn";
    absl::StatusOr<std::unique_ptr<LocalStack>> stack = LocalStack::Start(options);
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
    channel_ = MakeSchedulerChannel(stack_->sluiced_target());
    stub_ = v1::Scheduler::NewStub(channel_);
  }

  // Waits until sluiced has no create queued or in flight.
  bool AwaitIdle(MonoTime deadline) {
    while (RealClock::Get().MonoNow() < deadline) {
      grpc::ClientContext context;
      v1::GetStatusResponse status;
      if (stub_->GetStatus(&context, v1::GetStatusRequest(), &status).ok() &&
          status.queue_depth() == 0 && status.budget().in_flight() == 0 &&
          status.states().dispatching() == 0) {
        return true;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    return false;
  }

  std::unique_ptr<LocalStack> stack_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Scheduler::Stub> stub_;
};

TEST_F(FaultsEndToEndTest, EveryIntendedPodExistsExactlyOnce) {
  const Clock& clock = RealClock::Get();
  const MonoTime deadline = clock.MonoNow() + kDeadline;
  WorkloadPlan::Options plan_options;
  plan_options.workflows = kWorkflows;
  plan_options.pods_per_workflow = kPodsPerWorkflow;
  plan_options.namespaces = 3;
  plan_options.seed = 909;
  const WorkloadPlan plan = WorkloadPlan::Make(plan_options);
  const auto pod_count = static_cast<uint32_t>(plan.pod_count());
  ASSERT_EQ(pod_count, 6'000u);

  PodLedger ledger(&plan, &clock);
  EventTracker tracker(stub_.get(), &ledger);
  ASSERT_TRUE(tracker.Start(absl::Seconds(10)).ok());
  std::vector<uint32_t> order;
  for (uint32_t pod = 0; pod < pod_count; ++pod) order.push_back(pod);
  IntentSubmitter submitter(stub_.get(), &plan, &ledger, &clock, IntentSubmitter::Options{});
  ASSERT_TRUE(submitter.Submit(order, deadline).ok());

  ASSERT_TRUE(ledger.AwaitSettled(WaitFor::kCreated, deadline, absl::Seconds(1), nullptr))
      << "created " << ledger.counts().created << " of " << pod_count;
  ASSERT_TRUE(AwaitIdle(deadline));
  tracker.Stop();
  EXPECT_TRUE(tracker.status().ok()) << tracker.status();

  const LedgerCounts counts = ledger.counts();
  EXPECT_EQ(counts.accepted, pod_count);
  EXPECT_EQ(counts.rejected, 0u);
  EXPECT_EQ(counts.create_failed, 0u);
  const std::vector<PodRecord> records = ledger.Records();
  uint64_t not_created = 0, created_twice = 0;
  for (uint32_t pod = 0; pod < records.size(); ++pod) {
    if (records[pod].created_events == 0) {
      if (++not_created <= 5) ADD_FAILURE() << plan.Key(pod) << ": no CREATED event";
    } else if (records[pod].created_events > 1) {
      if (++created_twice <= 5) ADD_FAILURE() << plan.Key(pod) << ": CREATED twice";
    }
  }
  EXPECT_EQ(not_created, 0u);
  EXPECT_EQ(created_twice, 0u);

  // Every pod kubesim ever stored (the history keeps deleted ones).
  absl::StatusOr<std::string> history = HttpGet(stack_->kubesim_url(), "/sim/history");
  ASSERT_TRUE(history.ok()) << history.status();
  rapidjson::Document doc;
  doc.Parse(history->data(), history->size());
  ASSERT_TRUE(!doc.HasParseError() && doc.IsArray());
  absl::flat_hash_map<std::string, int> stored;
  uint64_t deleted = 0;
  for (const auto& pod : doc.GetArray()) {
    ++stored[absl::StrCat(pod["namespace"].GetString(), "/", pod["name"].GetString())];
    if (!pod["deleted"].IsNull()) ++deleted;
  }
  uint64_t twice = 0, unexpected = 0, missing = 0;
  absl::flat_hash_map<std::string, uint32_t> intended;
  for (uint32_t pod = 0; pod < pod_count; ++pod) intended.emplace(plan.Key(pod), pod);
  for (const auto& [key, n] : stored) {
    if (n > 1 && ++twice <= 5) ADD_FAILURE() << key << " was created " << n << " times";
    if (!intended.contains(key) && ++unexpected <= 5) ADD_FAILURE() << key << " never intended";
  }
  for (const auto& [key, pod] : intended) {
    if (!stored.contains(key) && ++missing <= 5) ADD_FAILURE() << key << " never created";
  }
  EXPECT_EQ(twice, 0u);
  EXPECT_EQ(unexpected, 0u);
  EXPECT_EQ(missing, 0u);
  EXPECT_EQ(deleted, 0u);

  // The faults did happen. Watch cuts and 410s are drawn per resumed watch,
  // not per request: on a fast run they may still be due, so wait for them
  // (sluiced's informer keeps watching) before judging.
  const std::vector<const char*> kinds = {"answered_500", "answered_503", "reset_before",
                                          "reset_after",  "watches_cut",  "watches_expired"};
  absl::StatusOr<std::string> faults;
  rapidjson::Document f;
  const MonoTime faults_deadline = clock.MonoNow() + absl::Seconds(30);
  while (true) {
    faults = HttpGet(stack_->kubesim_url(), "/sim/faults");
    ASSERT_TRUE(faults.ok()) << faults.status();
    f.Parse(faults->data(), faults->size());
    ASSERT_TRUE(!f.HasParseError() && f.IsObject() && f.HasMember("injected"));
    bool all = true;
    for (const char* kind : kinds) all = all && f["injected"][kind].GetInt64() > 0;
    if (all || clock.MonoNow() > faults_deadline) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  for (const char* kind : kinds) EXPECT_GT(f["injected"][kind].GetInt64(), 0) << kind;
  std::printf("faults: %s\npods: %zu stored, %llu created events\n", faults->c_str(), stored.size(),
              static_cast<unsigned long long>(counts.created));
}

}  // namespace
}  // namespace sluice::loadgen
