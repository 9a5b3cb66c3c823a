// End to end: kubesim and sluiced as processes on ephemeral loopback ports,
// 50,000 intents across 500 workflows (48,000 pods and 2,000 resubmissions of
// them), cancels by workflow and by pod while the queue is full, then an exact
// comparison of what kubesim holds (LIST with pagination) with what
// WatchEvents said.
//
// A cancel may lose the race with a create; the test does not guess which won
// but checks the outcome is consistent, per pod:
//   - it got exactly one of: CREATED; CANCELLED before any create; or (cancel
//     without keep_created after the create) CREATED then CANCELLED, or a
//     lone CANCELLED for a create that was in flight;
//   - it exists in kubesim iff it got CREATED and no CANCELLED afterwards
//     (those are deleted);
//   - no pod is listed twice, none that loadgen did not intend.
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scheduler/common/clock.h"
#include "sluice/v1/scheduler.grpc.pb.h"
#include "tests/integration/time_scale.h"
#include "tools/loadgen/cluster_pods.h"
#include "tools/loadgen/event_tracker.h"
#include "tools/loadgen/intent_submitter.h"
#include "tools/loadgen/local_stack.h"
#include "tools/loadgen/pod_ledger.h"
#include "tools/loadgen/scheduler_channel.h"
#include "tools/loadgen/workload_plan.h"

namespace sluice::loadgen {
namespace {

constexpr uint32_t kWorkflows = 500;
constexpr uint32_t kPodsPerWorkflow = 96;
constexpr uint32_t kResubmissions = 2'000;  // 48,000 + 2,000 = 50,000 intents

// 150 s, longer in slower (TSan) builds.
absl::Duration Deadline() { return absl::Seconds(150) * testing::TimeScale(); }

std::string BinDir() {
  const char* dir = std::getenv("SLUICE_BIN_DIR");
  return dir != nullptr ? dir : ExecutableDir() + "/../bin";
}

class LoadgenEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LocalStack::Options options;
    options.bin_dir = BinDir();
    // No kubelet: pods stay Pending, and a deleted Pending pod goes at once.
    options.kubesim_args = "--no-kubelet";
    options.sluiced_args = "--apiserver-qps 0 --log-level warn";
    absl::StatusOr<std::unique_ptr<LocalStack>> stack = LocalStack::Start(options);
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
    channel_ = MakeSchedulerChannel(stack_->sluiced_target());
    stub_ = v1::Scheduler::NewStub(channel_);
  }

  v1::CancelResponse Cancel(const v1::CancelRequest& request) {
    grpc::ClientContext context;
    v1::CancelResponse response;
    grpc::Status status = stub_->Cancel(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // Waits until sluiced has no create or delete queued or in flight.
  bool AwaitIdle(MonoTime deadline) {
    while (RealClock::Get().MonoNow() < deadline) {
      grpc::ClientContext context;
      v1::GetStatusResponse status;
      if (stub_->GetStatus(&context, v1::GetStatusRequest(), &status).ok() &&
          status.queue_depth() == 0 && status.deletes_queued() == 0 &&
          status.budget().in_flight() == 0 && status.states().dispatching() == 0) {
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

TEST_F(LoadgenEndToEndTest, ExactlyTheIntendedPodsExistAfterDuplicatesAndCancels) {
  const Clock& clock = RealClock::Get();
  const MonoTime deadline = clock.MonoNow() + Deadline();
  WorkloadPlan::Options plan_options;
  plan_options.workflows = kWorkflows;
  plan_options.pods_per_workflow = kPodsPerWorkflow;
  plan_options.namespaces = 4;
  plan_options.seed = 20240501;
  const WorkloadPlan plan = WorkloadPlan::Make(plan_options);
  ASSERT_EQ(plan.pod_count(), 48'000u);
  const auto pod_count = static_cast<uint32_t>(plan.pod_count());

  PodLedger ledger(&plan, &clock);
  EventTracker tracker(stub_.get(), &ledger);
  ASSERT_TRUE(tracker.Start(absl::Seconds(10)).ok());

  // Every pod once, workflow by workflow; after every 1,000 pods, 42 pods
  // already sent again (the first of them twice, so some batches carry the
  // same key twice): 2,000 resubmissions in all.
  std::vector<uint32_t> order;
  absl::flat_hash_map<uint32_t, uint32_t> resubmitted;  // pod -> times sent again
  uint32_t extra = 0;
  for (uint32_t pod = 0; pod < pod_count; ++pod) {
    order.push_back(pod);
    if ((pod + 1) % 1000 == 0) {
      for (uint32_t i = 0; i < 42 && extra < kResubmissions; ++i, ++extra) {
        const uint32_t again = (pod * 7 + i * 977) % (pod + 1);
        order.push_back(again);
        ++resubmitted[again];
        if (i == 0 && extra + 1 < kResubmissions) {
          order.push_back(again);
          ++resubmitted[again];
          ++extra;
        }
      }
    }
  }
  while (extra < kResubmissions) {
    const uint32_t again = (extra * 131) % pod_count;
    order.push_back(again);
    ++resubmitted[again];
    ++extra;
  }
  ASSERT_EQ(order.size(), 50'000u);

  IntentSubmitter submitter(stub_.get(), &plan, &ledger, &clock, IntentSubmitter::Options{});
  ASSERT_TRUE(submitter.Submit(order, deadline).ok());

  // Cancels while most of the queue waits: 20 whole workflows (half keeping
  // what was created), and 1,000 single pods of other workflows.
  uint32_t cancelled_workflows = 0;
  for (uint32_t w = 0; w < kWorkflows; w += 25) {
    v1::CancelRequest request;
    request.set_workflow_uid(plan.workflows()[w].uid);
    request.set_keep_created(w % 50 == 0);
    v1::CancelResponse response = Cancel(request);
    EXPECT_EQ(response.not_found(), 0u);
    ++cancelled_workflows;
  }
  EXPECT_EQ(cancelled_workflows, 20u);
  for (bool keep : {true, false}) {
    v1::CancelRequest request;
    request.set_keep_created(keep);
    for (uint32_t i = 0; i < 500; ++i) {
      const uint32_t pod = (i * 9'973 + (keep ? 11 : 29)) % pod_count;
      if (plan.pods()[pod].workflow % 25 == 0) continue;
      v1::PodKey* key = request.mutable_pods()->add_keys();
      key->set_namespace_(plan.workflow_of(pod).namespace_);
      key->set_name(plan.pods()[pod].name);
    }
    v1::CancelResponse response = Cancel(request);
    EXPECT_EQ(response.not_found(), 0u);
  }

  ASSERT_TRUE(ledger.AwaitSettled(WaitFor::kCreated, deadline, absl::Seconds(1), nullptr))
      << "created " << ledger.counts().created << " cancelled " << ledger.counts().cancelled;
  ASSERT_TRUE(AwaitIdle(deadline));
  tracker.Stop();
  EXPECT_TRUE(tracker.status().ok()) << tracker.status();

  const LedgerCounts counts = ledger.counts();
  EXPECT_EQ(counts.intents_sent, 50'000u);
  EXPECT_EQ(counts.accepted, 48'000u);
  EXPECT_EQ(counts.duplicate, kResubmissions);
  EXPECT_EQ(counts.rejected, 0u);
  EXPECT_EQ(counts.exhausted, 0u);
  EXPECT_EQ(counts.create_failed, 0u);
  EXPECT_GT(counts.cancelled, 1'000u);  // most of 20 workflows were still queued

  // Per pod: answers and events.
  const std::vector<PodRecord> records = ledger.Records();
  absl::flat_hash_map<std::string, uint32_t> expected;  // key -> pod, pods that must exist
  uint64_t cancelled_before_create = 0;
  for (uint32_t pod = 0; pod < records.size(); ++pod) {
    const PodRecord& r = records[pod];
    auto again = resubmitted.find(pod);
    const uint32_t times = again == resubmitted.end() ? 0 : again->second;
    ASSERT_EQ(r.answers, 1 + times) << plan.Key(pod);
    ASSERT_EQ(r.duplicate_answers, times) << plan.Key(pod) << " resubmissions must be DUPLICATE";
    ASSERT_TRUE(r.accepted) << plan.Key(pod);
    ASSERT_LE(r.created_events, 1u) << plan.Key(pod) << " created twice";
    ASSERT_TRUE(r.created || r.terminal_event == v1::EVENT_TYPE_CANCELLED) << plan.Key(pod);
    if (r.terminal_event == v1::EVENT_TYPE_CANCELLED) {
      if (!r.created) ++cancelled_before_create;
      continue;
    }
    ASSERT_EQ(r.created_events, 1u) << plan.Key(pod) << ": WatchEvents delivered no CREATED";
    expected.emplace(plan.Key(pod), pod);
  }
  EXPECT_GT(cancelled_before_create, 0u);

  // What kubesim holds, read page by page.
  absl::StatusOr<PodListing> listing = ListPods(stack_->kubesim_url(), "", 700);
  ASSERT_TRUE(listing.ok()) << listing.status();
  EXPECT_GT(listing->pages, 1);
  absl::flat_hash_map<std::string, int> listed;
  for (const std::string& key : listing->keys) ++listed[key];
  uint64_t twice = 0, unexpected = 0, missing = 0;
  for (const auto& [key, n] : listed) {
    if (n > 1) ++twice;
    if (!expected.contains(key)) {
      ++unexpected;
      if (unexpected <= 5) ADD_FAILURE() << key << " exists but was cancelled or never intended";
    }
  }
  for (const auto& [key, pod] : expected) {
    if (!listed.contains(key)) {
      ++missing;
      if (missing <= 5) ADD_FAILURE() << key << " was created (CREATED event) but is not listed";
    }
  }
  EXPECT_EQ(twice, 0u);
  EXPECT_EQ(unexpected, 0u);
  EXPECT_EQ(missing, 0u);
  EXPECT_EQ(listing->keys.size(), expected.size());
  std::printf("pods: %zu exist, %llu cancelled before create, %llu cancelled in all, %d pages\n",
              expected.size(), static_cast<unsigned long long>(cancelled_before_create),
              static_cast<unsigned long long>(counts.cancelled), listing->pages);
}

}  // namespace
}  // namespace sluice::loadgen
