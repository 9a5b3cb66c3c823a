#include "scheduler/cost/attempt_tracker.h"

#include <vector>

#include "gtest/gtest.h"

namespace sluice::cost {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

class RecordingSink : public CostRecordSink {
 public:
  void Write(const CostRecord& record) override { records.push_back(record); }
  std::vector<CostRecord> records;
};

AttemptTrackerOptions Options() {
  AttemptTrackerOptions o;
  PoolPricing spot;
  spot.pool_class = "spot";
  spot.currency = "EUR";
  spot.rule.start = BillingStart::kRunning;
  spot.rule.granularity_seconds = 1;
  spot.rule.minimum_seconds = 60;
  spot.rule.price_vcpu_nano_hour = 36'000'000;  // 10,000 nano per vCPU-second
  o.pools["spot-a"] = spot;
  o.unpooled.rule.price_vcpu_nano_hour = 3'600'000'000;  // 1,000,000 nano per vCPU-second
  o.label_keys = {"team"};
  return o;
}

PodSighting Pod(const char* uid, const char* pool = "") {
  PodSighting p;
  p.uid = uid;
  p.pod_namespace = "ns";
  p.pod_name = "p";
  p.labels = {{"sluice.dev/workflow", "wf-uid"},
              {"sluice.dev/workflow-name", "wf"},
              {"sluice.dev/billed-vcpu-milli", "1000"},
              {"team", "blue"}};
  if (*pool != '\0') p.labels.emplace_back("sluice.dev/pool", pool);
  p.times.created = kT0;
  return p;
}

TEST(AttemptTracker, CreationBilledPodThatSucceeds) {
  RecordingSink sink;
  AttemptTracker tracker(Options(), &sink);
  PodSighting pod = Pod("u1");
  tracker.Observe(pod, kT0 + absl::Seconds(1));
  ASSERT_EQ(sink.records.size(), 1u);
  EXPECT_FALSE(sink.records[0].ended());
  EXPECT_EQ(sink.records[0].billing_start, kT0);
  // Live cost to now: 5 s at 1,000,000 nano per second.
  std::vector<CostRecord> open = tracker.OpenRecords(kT0 + absl::Seconds(5));
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].cost_nano, 5'000'000);
  pod.phase = PodPhase::kRunning;
  pod.times.first_container_start = kT0 + absl::Seconds(2);
  tracker.Observe(pod, kT0 + absl::Seconds(2));
  EXPECT_EQ(sink.records.size(), 1u);  // nothing billing-relevant changed
  pod.phase = PodPhase::kSucceeded;
  pod.last_container_finish = kT0 + absl::Milliseconds(10'500);
  tracker.Observe(pod, kT0 + absl::Seconds(12));
  ASSERT_EQ(sink.records.size(), 2u);
  const CostRecord& r = sink.records[1];
  EXPECT_EQ(r.end_reason, EndReason::kSucceeded);
  EXPECT_EQ(r.billing_end, kT0 + absl::Milliseconds(10'500));
  EXPECT_EQ(r.billed_seconds, 11);
  EXPECT_EQ(r.cost_nano, 11'000'000);
  EXPECT_EQ(r.workflow_uid, "wf-uid");
  EXPECT_EQ(r.workflow_name, "wf");
  EXPECT_EQ(r.Label("team"), "blue");
  EXPECT_EQ(r.currency, "USD");
  EXPECT_EQ(tracker.open_count(), 0u);
  // Later events of the same pod (garbage collection) change nothing.
  pod.deleted = true;
  tracker.Observe(pod, kT0 + absl::Seconds(30));
  EXPECT_EQ(sink.records.size(), 2u);
}

TEST(AttemptTracker, RunningRuleMinimumAndPreemption) {
  RecordingSink sink;
  AttemptTracker tracker(Options(), &sink);
  PodSighting pod = Pod("u2", "spot-a");
  tracker.Observe(pod, kT0);
  EXPECT_FALSE(sink.records.back().billing_started());
  pod.phase = PodPhase::kRunning;
  pod.times.first_container_start = kT0 + absl::Seconds(4);
  tracker.Observe(pod, kT0 + absl::Seconds(4));
  EXPECT_EQ(sink.records.back().billing_start, kT0 + absl::Seconds(4));
  pod.phase = PodPhase::kFailed;
  pod.reason = "BidFailed";
  pod.last_container_finish = kT0 + absl::Seconds(14);
  tracker.Observe(pod, kT0 + absl::Seconds(15));
  const CostRecord& r = sink.records.back();
  EXPECT_EQ(r.end_reason, EndReason::kPreempted);
  EXPECT_EQ(r.pool, "spot-a");
  EXPECT_EQ(r.pool_class, "spot");
  EXPECT_EQ(r.currency, "EUR");
  EXPECT_EQ(r.billed_seconds, 60);  // 10 s raised to the minimum
  EXPECT_EQ(r.cost_nano, 600'000);
}

TEST(AttemptTracker, NeverStartedUnderRunningRuleCostsNothing) {
  RecordingSink sink;
  AttemptTracker tracker(Options(), &sink);
  PodSighting pod = Pod("u3", "spot-a");
  tracker.Observe(pod, kT0);
  pod.deleted = true;
  pod.rescheduling = true;
  tracker.Observe(pod, kT0 + absl::Seconds(300));
  const CostRecord& r = sink.records.back();
  EXPECT_EQ(r.end_reason, EndReason::kRescheduled);
  EXPECT_EQ(r.billed_seconds, 0);
  EXPECT_EQ(r.cost_nano, 0);
}

TEST(AttemptTracker, RestoreThenResyncEndsWhatIsMissingOrFinished) {
  RecordingSink first_sink;
  AttemptTracker first(Options(), &first_sink);
  first.Observe(Pod("a"), kT0);
  first.Observe(Pod("b"), kT0);
  first.Observe(Pod("c"), kT0);

  RecordingSink sink;
  AttemptTracker tracker(Options(), &sink);
  tracker.Restore(first.OpenRecords(kT0));
  EXPECT_EQ(tracker.open_count(), 3u);
  PodSighting a = Pod("a");
  a.phase = PodPhase::kSucceeded;
  a.last_container_finish = kT0 + absl::Seconds(7);
  PodSighting b = Pod("b");  // still running
  PodSighting d = Pod("d");  // created while Sluice was down, already failed
  d.phase = PodPhase::kFailed;
  d.last_container_finish = kT0 + absl::Seconds(2);
  tracker.Resync(std::vector<PodSighting>{a, b, d}, kT0 + absl::Seconds(20));
  ASSERT_EQ(sink.records.size(), 3u);  // a ended, d ended, c vanished
  EXPECT_EQ(sink.records[0].pod_uid, "a");
  EXPECT_EQ(sink.records[0].billed_seconds, 7);
  EXPECT_EQ(sink.records[1].pod_uid, "d");
  EXPECT_EQ(sink.records[1].end_reason, EndReason::kFailed);
  EXPECT_EQ(sink.records[2].pod_uid, "c");
  EXPECT_EQ(sink.records[2].end_reason, EndReason::kDeleted);
  EXPECT_EQ(sink.records[2].billing_end, kT0 + absl::Seconds(20));
  EXPECT_EQ(tracker.open_count(), 1u);
}

}  // namespace
}  // namespace sluice::cost
