// The engine's write shaping on a simulated clock: how a 429 is honoured under
// adaptive shaping (the refused write alone, or every write when the throttled
// share is high), and the in-flight window sized from rate x latency that
// keeps the order fair at the moment a write can really start.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scheduler/engine/engine.h"

namespace sluice {
namespace {

struct Write {
  uint64_t request_id;
  std::string workflow;
  std::string key;
};

// Records every create; answers come from the test.
class RecordingWriter : public PodWriter {
 public:
  void Create(const CreatePodCommand& c) override {
    creates.push_back({c.request_id, std::string(c.workflow_uid),
                       absl::StrCat(c.pod_namespace, "/", c.pod_name)});
  }
  void Delete(const DeletePodCommand& /*c*/) override {}
  std::vector<Write> creates;
};

class NullSink : public EventSink {
 public:
  void Publish(std::vector<PodEvent>& batch) override { batch.clear(); }
};

WriteResult Ok() {
  WriteResult r;
  r.outcome = WriteOutcome::kSuccess;
  r.http_status = 201;
  return r;
}

WriteResult TooMany(absl::Duration retry_after) {
  WriteResult r;
  r.outcome = WriteOutcome::kThrottled;
  r.http_status = 429;
  r.retry_after = retry_after;
  return r;
}

class EngineShapingTest : public ::testing::Test {
 protected:
  // Adaptive shaping pinned at `qps` (floor = ceiling), so that only the
  // 429 handling is under test.
  static EngineConfig PinnedAdaptive(double qps) {
    EngineConfig config;
    config.budget = {.qps = qps, .burst = 1, .max_in_flight = 1000};
    config.adaptive.enabled = true;
    config.adaptive.floor_qps = qps;
    config.adaptive.ceiling_qps = qps;
    config.adaptive.initial_qps = qps;
    config.adaptive.share_window = absl::Seconds(1);
    config.adaptive.pause_share = 0.5;
    config.adaptive_burst_window = absl::Milliseconds(1);  // a burst of 1
    config.in_flight_gain = 0;                             // the window has its own tests
    return config;
  }

  void Start(const EngineConfig& config) {
    engine_ = std::make_unique<Engine>(clock_, config, &writer_, &sink_);
  }

  void SubmitWorkflow(const std::string& uid, int pods) {
    std::vector<std::unique_ptr<Intent>> batch;
    for (int i = 0; i < pods; ++i) {
      IntentSpec spec;
      spec.SetKey("ns", absl::StrCat(uid, "-", i));
      spec.workflow_uid = uid;
      spec.manifest = "{}";
      batch.push_back(std::make_unique<Intent>(std::move(spec)));
    }
    std::vector<Engine::SubmitOutcome> outcomes(batch.size());
    engine_->Submit(absl::MakeSpan(batch), absl::MakeSpan(outcomes));
  }

  // Pumps every `step` until `d` has passed, without answering.
  void PumpFor(absl::Duration d, absl::Duration step = absl::Milliseconds(1)) {
    const MonoTime end = clock_.MonoNow() + d;
    while (clock_.MonoNow() < end) {
      engine_->Pump();
      clock_.Advance(step);
    }
  }

  void Answer(size_t write, const WriteResult& result) {
    engine_->OnCreateResult(writer_.creates[write].request_id, result);
  }

  IntentState StateOf(const std::string& key) const { return engine_->Find(key)->state; }

  SimulatedClock clock_;
  RecordingWriter writer_;
  NullSink sink_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineShapingTest, AdaptiveA429AmongFewDelaysOnlyTheRefusedWrite) {
  Start(PinnedAdaptive(1000));
  SubmitWorkflow("wf", 100);
  PumpFor(absl::Milliseconds(10));
  ASSERT_EQ(writer_.creates.size(), 10u);
  for (size_t i = 1; i < 10; ++i) Answer(i, Ok());
  // The tenth answer is a 429 with a long Retry-After (kube-apiserver's grows
  // to 32 s after a clump of rejections): 1 in 10 refused.
  Answer(0, TooMany(absl::Seconds(12)));
  EXPECT_EQ(engine_->Status(false).paused_for, absl::ZeroDuration());
  EXPECT_DOUBLE_EQ(engine_->Status(false).throttled_share, 0.1);
  EXPECT_EQ(engine_->counters().throttle_pauses, 0u);
  EXPECT_EQ(StateOf("ns/wf-0"), IntentState::kBackoff);
  // Everything else keeps going at the rate: 10 more in the next 10 ms.
  PumpFor(absl::Milliseconds(10));
  EXPECT_EQ(writer_.creates.size(), 20u);
  for (size_t i = 10; i < 20; ++i) EXPECT_NE(writer_.creates[i].key, "ns/wf-0");
  // The refused write goes again once its own Retry-After has run out.
  clock_.AdvanceTo(MonoTime::Zero() + absl::Milliseconds(10) + absl::Seconds(12) -
                   absl::Nanoseconds(1));
  engine_->Pump();
  EXPECT_EQ(StateOf("ns/wf-0"), IntentState::kBackoff);
  clock_.Advance(absl::Nanoseconds(1));
  engine_->Pump();
  // Back at the head of its workflow; the token went a nanosecond ago.
  EXPECT_EQ(StateOf("ns/wf-0"), IntentState::kQueued);
  clock_.Advance(absl::Milliseconds(1));
  engine_->Pump();
  EXPECT_EQ(StateOf("ns/wf-0"), IntentState::kDispatching);
}

TEST_F(EngineShapingTest, AdaptiveAServerRefusingEverythingGetsItsFullRetryAfter) {
  Start(PinnedAdaptive(1000));
  SubmitWorkflow("wf", 100);
  PumpFor(absl::Milliseconds(4));
  ASSERT_EQ(writer_.creates.size(), 4u);
  Answer(0, TooMany(absl::Seconds(4)));
  // 1 of 1 answers refused: every write waits the whole Retry-After.
  EXPECT_EQ(engine_->Status(false).paused_for, absl::Seconds(4));
  EXPECT_EQ(engine_->counters().throttle_pauses, 1u);
  for (size_t i = 1; i < 4; ++i) Answer(i, TooMany(absl::Seconds(4)));
  EXPECT_EQ(engine_->counters().throttle_pauses, 1u);  // one pause, extended
  PumpFor(absl::Seconds(4) - absl::Milliseconds(1));
  EXPECT_EQ(writer_.creates.size(), 4u);  // nothing sent meanwhile
  PumpFor(absl::Milliseconds(2));
  EXPECT_GT(writer_.creates.size(), 4u);
}

TEST_F(EngineShapingTest, AdaptiveAHighShareScalesThePauseByTheShare) {
  Start(PinnedAdaptive(1000));
  SubmitWorkflow("wf", 100);
  PumpFor(absl::Milliseconds(10));
  ASSERT_EQ(writer_.creates.size(), 10u);
  // 4 successes then 6 429s: the sixth 429 finds a share of 6/10.
  for (size_t i = 0; i < 4; ++i) Answer(i, Ok());
  for (size_t i = 4; i < 9; ++i) Answer(i, TooMany(absl::Seconds(2)));
  // 5 of 9 (0.556) already pause: 0.556 x 2 s from now.
  EXPECT_EQ(engine_->counters().throttle_pauses, 1u);
  Answer(9, TooMany(absl::Seconds(2)));
  EXPECT_DOUBLE_EQ(engine_->Status(false).throttled_share, 0.6);
  EXPECT_NEAR(absl::ToDoubleMilliseconds(engine_->Status(false).paused_for), 1200, 1e-6);
}

TEST_F(EngineShapingTest, StaticBudgetHonoursEveryRetryAfterForEveryWrite) {
  EngineConfig config;
  config.budget = {.qps = 1000, .burst = 10, .max_in_flight = 1000};
  config.in_flight_gain = 0;
  Start(config);
  SubmitWorkflow("wf", 100);
  engine_->Pump();
  ASSERT_EQ(writer_.creates.size(), 10u);
  for (size_t i = 1; i < 10; ++i) Answer(i, Ok());
  Answer(0, TooMany(absl::Seconds(3)));
  EXPECT_EQ(engine_->Status(false).paused_for, absl::Seconds(3));
}

// ------------------------------------------------------------ in-flight window

// An APIServer that executes one write at a time, in arrival order, each for
// `service`; its answer reaches the engine `network` later. The writer times
// the round trip (WriteResult::latency), as the HTTP client does.
class EngineWindowTest : public EngineShapingTest {
 protected:
  static EngineConfig Windowed(double gain) {
    EngineConfig config;
    config.budget = {.qps = 1000, .burst = 200, .max_in_flight = 256};
    config.in_flight_gain = gain;
    config.min_in_flight_window = 2;
    return config;
  }

  struct Sent {
    MonoTime at;
    MonoTime committed;  // when the server executed it
    MonoTime answered;   // when the answer reaches the engine's process
  };

  // Gives the writes sent since the last call their place in the server's queue.
  void Serve() {
    while (sent_.size() < writer_.creates.size()) {
      const MonoTime now = clock_.MonoNow();
      const MonoTime start = std::max(now, server_free_);
      server_free_ = start + service_;
      sent_.push_back({now, server_free_, server_free_ + network_});
    }
  }

  // Delivers the answers that have arrived, in order (unless the process stalls).
  void Deliver() {
    while (answered_ < sent_.size() && sent_[answered_].answered <= clock_.MonoNow()) {
      WriteResult ok = Ok();
      ok.latency = sent_[answered_].answered - sent_[answered_].at;
      Answer(answered_++, ok);
    }
  }

  // Runs the engine for `d`, pumping every 100 us.
  void Run(absl::Duration d) {
    const MonoTime end = clock_.MonoNow() + d;
    while (clock_.MonoNow() < end) {
      Deliver();
      engine_->Pump();
      Serve();
      clock_.Advance(absl::Microseconds(100));
    }
  }

  // The process stalls for `d`: the server goes on, the engine does not run.
  void Stall(absl::Duration d) { clock_.Advance(d); }

  size_t InFlight() const { return writer_.creates.size() - answered_; }

  absl::Duration service_ = absl::Microseconds(250);
  absl::Duration network_ = absl::Microseconds(1500);
  MonoTime server_free_ = MonoTime::Zero();
  std::vector<Sent> sent_;
  size_t answered_ = 0;
};

TEST_F(EngineWindowTest, TheWindowIsGainTimesRateTimesLatency) {
  network_ = absl::Microseconds(2500);  // 2.75 ms round trips
  Start(Windowed(2));
  SubmitWorkflow("big", 5000);
  // Before any answer the window is the minimum, 2, though 200 tokens wait.
  engine_->Pump();
  Serve();
  EXPECT_EQ(engine_->Status(false).in_flight_window, 2u);
  EXPECT_EQ(writer_.creates.size(), 2u);
  Run(absl::Seconds(1));
  // The median of the last 32 round trips is 2.75 ms, and
  // 2 x 1000/s x 2.75 ms = 5.5 -> 6.
  EXPECT_EQ(engine_->Status(false).write_latency, absl::Microseconds(2750));
  EXPECT_EQ(engine_->Status(false).in_flight_window, 6u);
  EXPECT_LE(InFlight(), 6u);
  // The rate is unchanged: the 200 saved tokens through the window (6 per
  // 2.75 ms), then a token a ms: 200 + 999 in 999.9 ms.
  EXPECT_EQ(writer_.creates.size(), 1199u);
}

TEST_F(EngineWindowTest, NoRateMeansTheCapAlone) {
  EngineConfig config = Windowed(2);
  config.budget.qps = 0;
  Start(config);
  SubmitWorkflow("big", 1000);
  Run(absl::Milliseconds(3));
  ASSERT_GT(answered_, 0u);
  EXPECT_EQ(engine_->Status(false).in_flight_window, 256u);
  EXPECT_EQ(InFlight(), 256u);
}

TEST_F(EngineWindowTest, NeverBelowTheMinimumNorAboveTheCap) {
  EngineConfig config = Windowed(2);
  config.min_in_flight_window = 4;
  Start(config);
  SubmitWorkflow("big", 5000);
  network_ = absl::ZeroDuration();
  Run(absl::Milliseconds(500));  // 2 x 1000/s x 0.25 ms = 0.5
  EXPECT_EQ(engine_->Status(false).in_flight_window, 4u);
  // Round trips of 1 s: the median moves once 16 of the last 32 answers are
  // that slow (4 answers a second through the window of 4: 4 s).
  network_ = absl::Seconds(1);
  Run(absl::Seconds(3));
  EXPECT_EQ(engine_->Status(false).in_flight_window, 4u);
  Run(absl::Seconds(3));  // 2 x 1000/s x 1 s = 2000
  EXPECT_EQ(engine_->Status(false).in_flight_window, 256u);
}

// The fanout case: a big workflow has the APIServer to itself, the engine's
// process stalls (tokens pile up to the burst), then a small workflow
// arrives. What the APIServer already holds is executed before the small
// workflow's first write; the window keeps that to a few writes.
TEST_F(EngineWindowTest, ASmallWorkflowArrivingAfterAStallWaitsBehindTheWindowOnly) {
  for (const double gain : {2.0, 0.0}) {
    SCOPED_TRACE(gain);
    writer_ = RecordingWriter();
    sent_.clear();
    answered_ = 0;
    server_free_ = clock_.MonoNow();
    Start(Windowed(gain));
    SubmitWorkflow("big", 5000);
    Run(absl::Seconds(1));
    Stall(absl::Milliseconds(300));
    Run(absl::Microseconds(100));
    const size_t after_stall = InFlight();
    const MonoTime arrival = clock_.MonoNow();
    SubmitWorkflow("small", 3);
    Run(absl::Milliseconds(100));
    size_t first = 0;
    while (writer_.creates[first].workflow != "small") ++first;
    const absl::Duration wait = sent_[first].committed - arrival;
    if (gain > 0) {
      // Round trips of 1.75 ms: 2 x 1000/s x 1.75 ms = 3.5 -> 4 in flight.
      EXPECT_EQ(engine_->Status(false).in_flight_window, 4u);
      EXPECT_EQ(after_stall, 4u);
      // The four left at the stall's end T and are answered at T + 1.75, 2,
      // 2.25 and 2.5 ms; the small workflow arrived at T + 0.1 ms. It is a
      // newcomer: the first free slot (seen at T + 1.8) is its, and its
      // write is committed at T + 2.05 ms.
      EXPECT_EQ(writer_.creates[first - 1].workflow, "big");
      EXPECT_EQ(sent_[first].at - arrival, absl::Microseconds(1700));
      EXPECT_EQ(wait, absl::Microseconds(1950));
    } else {
      // Without a window the whole burst (200 tokens) is at the server:
      // 200 x 250 us of work ahead of the small workflow.
      EXPECT_EQ(after_stall, 200u);
      EXPECT_GE(wait, 200 * service_ - absl::Microseconds(100));
    }
    // Round robin from then on: big, small, big, small, ...
    EXPECT_EQ(writer_.creates[first + 1].workflow, "big");
    EXPECT_EQ(writer_.creates[first + 2].workflow, "small");
  }
}

// The APIServer stalls for 300 ms while the engine runs: the writes in flight
// are answered 300 ms late, the rate's tokens pile up. The median latency
// ignores the few stalled answers, so the window stays small and a small
// workflow arriving at the end of the stall waits behind a handful of writes.
TEST_F(EngineWindowTest, AServerStallDoesNotOpenTheWindow) {
  Start(Windowed(2));
  SubmitWorkflow("big", 5000);
  Run(absl::Seconds(1));
  ASSERT_EQ(engine_->Status(false).in_flight_window, 4u);
  server_free_ = std::max(server_free_, clock_.MonoNow()) + absl::Milliseconds(300);
  Run(absl::Milliseconds(300));
  // The writes sent into the stall are all in flight: the window's 4.
  EXPECT_EQ(InFlight(), 4u);
  const MonoTime arrival = clock_.MonoNow();
  SubmitWorkflow("small", 3);
  Run(absl::Milliseconds(50));
  EXPECT_EQ(engine_->Status(false).in_flight_window, 4u);
  size_t first = 0;
  while (writer_.creates[first].workflow != "small") ++first;
  // Behind it at the server: the 4 stalled writes and at most one more big one
  // (its turn in the round), 250 us each.
  EXPECT_LE(sent_[first].committed - arrival, 6 * service_ + network_);
}

}  // namespace
}  // namespace sluice
