#include "scheduler/engine/engine.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sluice {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

struct RecordedWrite {
  uint64_t request_id;
  std::string key;
  uint32_t attempt;
};

// Records every write; answers come from the test.
class FakeWriter : public PodWriter {
 public:
  void Create(const CreatePodCommand& c) override {
    creates.push_back({c.request_id, absl::StrCat(c.pod_namespace, "/", c.pod_name), c.attempt});
    manifests.emplace_back(c.manifest);
  }
  void Delete(const DeletePodCommand& c) override {
    deletes.push_back({c.request_id, absl::StrCat(c.pod_namespace, "/", c.pod_name), 0});
  }
  std::vector<std::string> CreatedKeys() const {
    std::vector<std::string> keys;
    for (const auto& w : creates) keys.push_back(w.key);
    return keys;
  }
  std::vector<RecordedWrite> creates;
  std::vector<RecordedWrite> deletes;
  std::vector<std::string> manifests;
};

class CollectingSink : public EventSink {
 public:
  void Publish(std::vector<PodEvent>& batch) override {
    for (auto& e : batch) events.push_back(std::move(e));
    batch.clear();
  }
  // "type:name" for each event, e.g. "created:p1".
  std::vector<std::string> Summary() const {
    std::vector<std::string> out;
    for (const auto& e : events) {
      out.push_back(
          absl::StrCat(PodEventTypeName(e.type), ":", e.pod_key.substr(e.namespace_length + 1)));
    }
    return out;
  }
  std::vector<PodEvent> events;
};

WriteResult Answer(WriteOutcome outcome, int status = 201) {
  WriteResult r;
  r.outcome = outcome;
  r.http_status = status;
  return r;
}

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() { Reset(DefaultConfig()); }

  static EngineConfig DefaultConfig() {
    EngineConfig config;
    config.budget = {.qps = 0, .burst = 1, .max_in_flight = 1000};
    // The writes here are mostly left unanswered: the in-flight window (sized
    // from answers; engine_shaping_test) would hold the token bucket's tests.
    config.in_flight_gain = 0;
    config.retry_backoff = {
        .initial = absl::Seconds(1), .multiplier = 2, .max = absl::Seconds(8), .jitter = 0};
    return config;
  }

  void Reset(const EngineConfig& config) {
    engine_.reset();
    writer_ = FakeWriter();
    sink_ = CollectingSink();
    engine_ = std::make_unique<Engine>(clock_, config, &writer_, &sink_);
  }

  static std::unique_ptr<Intent> MakeIntent(const std::string& name,
                                            const std::string& workflow = "wf",
                                            const std::string& ns = "ns", int32_t priority = 0) {
    IntentSpec spec;
    spec.SetKey(ns, name);
    spec.workflow_uid = workflow;
    spec.priority = priority;
    spec.manifest = absl::StrCat(R"({"metadata":{"name":")", name, R"("}})");
    return std::make_unique<Intent>(std::move(spec));
  }

  std::vector<Engine::SubmitOutcome> Submit(std::vector<std::unique_ptr<Intent>> batch) {
    std::vector<Engine::SubmitOutcome> outcomes(batch.size());
    engine_->Submit(absl::MakeSpan(batch), absl::MakeSpan(outcomes));
    return outcomes;
  }

  // Submits intents named prefix-0 .. prefix-(n-1) of one workflow.
  void SubmitMany(const std::string& prefix, int n, const std::string& workflow = "wf",
                  const std::string& ns = "ns") {
    std::vector<std::unique_ptr<Intent>> batch;
    for (int i = 0; i < n; ++i)
      batch.push_back(MakeIntent(absl::StrCat(prefix, "-", i), workflow, ns));
    Submit(std::move(batch));
  }

  IntentState StateOf(const std::string& name, const std::string& ns = "ns") {
    const Intent* intent = engine_->Find(absl::StrCat(ns, "/", name));
    EXPECT_NE(intent, nullptr) << name;
    return intent == nullptr ? IntentState::kQueued : intent->state;
  }

  void AnswerAll(WriteOutcome outcome) {
    auto creates = writer_.creates;
    for (const auto& w : creates) engine_->OnCreateResult(w.request_id, Answer(outcome));
  }

  PodObservation Pod(const std::string& name, PodPhase phase, bool scheduled = false,
                     const std::string& uid = "") {
    PodObservation pod;
    pod.key = absl::StrCat("ns/", name);
    pod.uid = uid.empty() ? absl::StrCat("uid-", name) : uid;
    pod.phase = phase;
    pod.scheduled = scheduled;
    return pod;
  }

  SimulatedClock clock_;
  FakeWriter writer_;
  CollectingSink sink_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineTest, AcceptsAndCreatesInOrder) {
  auto outcomes = Submit([] {
    std::vector<std::unique_ptr<Intent>> b;
    b.push_back(MakeIntent("p0"));
    b.push_back(MakeIntent("p1"));
    return b;
  }());
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].code, Engine::SubmitCode::kAccepted);
  EXPECT_EQ(outcomes[1].code, Engine::SubmitCode::kAccepted);
  EXPECT_THAT(writer_.creates, IsEmpty());  // nothing before Pump
  engine_->Pump();
  EXPECT_THAT(writer_.CreatedKeys(), ElementsAre("ns/p0", "ns/p1"));
  EXPECT_EQ(writer_.manifests[0], R"({"metadata":{"name":"p0"}})");
  EXPECT_EQ(StateOf("p0"), IntentState::kDispatching);
  AnswerAll(WriteOutcome::kSuccess);
  EXPECT_EQ(StateOf("p0"), IntentState::kCreated);
  EXPECT_THAT(sink_.Summary(), ElementsAre("created:p0", "created:p1"));
  EXPECT_EQ(engine_->Status(false).queue_depth, 0u);
}

TEST_F(EngineTest, DuplicatesFoldWithTheirCurrentState) {
  SubmitMany("p", 2);
  engine_->Pump();
  engine_->OnCreateResult(writer_.creates[0].request_id, Answer(WriteOutcome::kSuccess));

  std::vector<std::unique_ptr<Intent>> again;
  again.push_back(MakeIntent("p-0"));
  again.push_back(MakeIntent("p-1"));
  again.push_back(MakeIntent("p-1"));  // twice in one batch
  auto outcomes = Submit(std::move(again));
  EXPECT_EQ(outcomes[0].code, Engine::SubmitCode::kDuplicate);
  EXPECT_EQ(outcomes[0].state, IntentState::kCreated);
  EXPECT_EQ(outcomes[1].code, Engine::SubmitCode::kDuplicate);
  EXPECT_EQ(outcomes[1].state, IntentState::kDispatching);
  EXPECT_EQ(outcomes[2].code, Engine::SubmitCode::kDuplicate);
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 2u);  // no create twice
  EXPECT_EQ(engine_->counters().duplicates, 3u);
}

TEST_F(EngineTest, DuplicateWithinABatchIsFolded) {
  std::vector<std::unique_ptr<Intent>> batch;
  batch.push_back(MakeIntent("same"));
  batch.push_back(MakeIntent("same"));
  auto outcomes = Submit(std::move(batch));
  EXPECT_EQ(outcomes[0].code, Engine::SubmitCode::kAccepted);
  EXPECT_EQ(outcomes[1].code, Engine::SubmitCode::kDuplicate);
  EXPECT_EQ(outcomes[1].state, IntentState::kQueued);
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 1u);
}

TEST_F(EngineTest, QueueCapExhaustsOnlyTheOverflow) {
  EngineConfig config = DefaultConfig();
  config.queue_cap = 3;
  Reset(config);
  std::vector<std::unique_ptr<Intent>> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(MakeIntent(absl::StrCat("p", i)));
  batch.push_back(MakeIntent("p0"));  // a duplicate still answers duplicate when full
  auto outcomes = Submit(std::move(batch));
  EXPECT_EQ(outcomes[0].code, Engine::SubmitCode::kAccepted);
  EXPECT_EQ(outcomes[2].code, Engine::SubmitCode::kAccepted);
  EXPECT_EQ(outcomes[3].code, Engine::SubmitCode::kExhausted);
  EXPECT_EQ(outcomes[4].code, Engine::SubmitCode::kExhausted);
  EXPECT_EQ(outcomes[5].code, Engine::SubmitCode::kDuplicate);
  // Dispatching frees queue room.
  engine_->Pump();
  std::vector<std::unique_ptr<Intent>> later;
  later.push_back(MakeIntent("p3"));
  EXPECT_EQ(Submit(std::move(later))[0].code, Engine::SubmitCode::kAccepted);
}

TEST_F(EngineTest, CancelDropsQueuedIntentsWithoutAnApiCall) {
  SubmitMany("a", 3, "wf-a");
  SubmitMany("b", 2, "wf-b");
  auto outcome = engine_->CancelWorkflow("wf-a", /*keep_created=*/false);
  EXPECT_EQ(outcome.dropped, 3u);
  EXPECT_EQ(outcome.deleting, 0u);
  engine_->Pump();
  EXPECT_THAT(writer_.CreatedKeys(), ElementsAre("ns/b-0", "ns/b-1"));
  EXPECT_THAT(writer_.deletes, IsEmpty());
  EXPECT_EQ(StateOf("a-1"), IntentState::kCancelled);
  EXPECT_EQ(engine_->Status(false).queue_depth, 0u);
}

TEST_F(EngineTest, CreateThenCancelNeverReachesTheApiServer) {
  EngineConfig config = DefaultConfig();
  config.budget = {.qps = 1, .burst = 1, .max_in_flight = 10};
  Reset(config);
  SubmitMany("p", 2);
  engine_->Pump();  // one token: p-0 goes, p-1 waits
  ASSERT_EQ(writer_.creates.size(), 1u);
  auto keys = std::vector<std::string>{"ns/p-1"};
  auto outcome = engine_->CancelPods(keys, false);
  EXPECT_EQ(outcome.dropped, 1u);
  clock_.Advance(absl::Seconds(10));
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 1u);
}

TEST_F(EngineTest, CancelOfCreatedPodsDeletesThemUnlessKept) {
  SubmitMany("p", 3);
  engine_->Pump();
  engine_->OnCreateResult(writer_.creates[0].request_id, Answer(WriteOutcome::kSuccess));
  engine_->OnCreateResult(writer_.creates[1].request_id, Answer(WriteOutcome::kSuccess));
  // p-2 is still in flight.
  auto kept = engine_->CancelPods(std::vector<std::string>{"ns/p-0"}, /*keep_created=*/true);
  EXPECT_EQ(kept.already_done, 1u);
  EXPECT_EQ(StateOf("p-0"), IntentState::kCreated);

  auto outcome = engine_->CancelWorkflow("wf", /*keep_created=*/false);
  EXPECT_EQ(outcome.deleting, 3u);  // p-0, p-1 created; p-2 in flight
  engine_->Pump();
  ASSERT_EQ(writer_.deletes.size(), 2u);
  // The in-flight create lands: its pod is deleted too.
  engine_->OnCreateResult(writer_.creates[2].request_id, Answer(WriteOutcome::kSuccess));
  engine_->Pump();
  ASSERT_EQ(writer_.deletes.size(), 3u);
  EXPECT_EQ(writer_.deletes[2].key, "ns/p-2");
  EXPECT_EQ(StateOf("p-2"), IntentState::kCancelled);
  // Cancelling again is a no-op; the finished intent counts as already done.
  auto again = engine_->CancelWorkflow("wf", false);
  EXPECT_EQ(again.deleting + again.dropped, 0u);
  EXPECT_EQ(again.already_done, 3u);
}

TEST_F(EngineTest, CancelUnknownWorkflowAndKeys) {
  auto outcome = engine_->CancelWorkflow("nope", false);
  EXPECT_EQ(outcome.not_found, 1u);
  auto pods = engine_->CancelPods(std::vector<std::string>{"ns/x", "ns/y"}, false);
  EXPECT_EQ(pods.not_found, 2u);
}

TEST_F(EngineTest, AlreadyExistsIsSuccess) {
  SubmitMany("p", 1);
  engine_->Pump();
  engine_->OnCreateResult(writer_.creates[0].request_id, Answer(WriteOutcome::kAlreadyExists, 409));
  EXPECT_EQ(StateOf("p-0"), IntentState::kCreated);
  ASSERT_EQ(sink_.events.size(), 1u);
  EXPECT_EQ(sink_.events[0].type, PodEventType::kCreated);
  EXPECT_EQ(sink_.events[0].reason, "AlreadyExists");
}

TEST_F(EngineTest, ThrottledRequeuesAtTheHeadAndHonoursRetryAfter) {
  SubmitMany("p", 3);
  engine_->Pump();
  ASSERT_EQ(writer_.creates.size(), 3u);
  WriteResult throttled = Answer(WriteOutcome::kThrottled, 429);
  throttled.retry_after = absl::Seconds(2);
  engine_->OnCreateResult(writer_.creates[0].request_id, throttled);
  EXPECT_EQ(StateOf("p-0"), IntentState::kQueued);
  // No write before the Retry-After has run out, to the nanosecond.
  clock_.Advance(absl::Seconds(2) - absl::Nanoseconds(1));
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 3u);
  EXPECT_EQ(engine_->NextWakeup(), MonoTime::Zero() + absl::Seconds(2));
  clock_.Advance(absl::Nanoseconds(1));
  engine_->Pump();
  ASSERT_EQ(writer_.creates.size(), 4u);
  EXPECT_EQ(writer_.creates[3].key, "ns/p-0");
  EXPECT_EQ(writer_.creates[3].attempt, 2u);
}

TEST_F(EngineTest, ThrottledWithoutRetryAfterUsesTheDefault) {
  SubmitMany("p", 1);
  engine_->Pump();
  engine_->OnCreateResult(writer_.creates[0].request_id, Answer(WriteOutcome::kThrottled, 429));
  EXPECT_EQ(engine_->Status(false).paused_for, absl::Seconds(1));
}

TEST_F(EngineTest, ThrottledIntentGoesBeforeTheRestOfItsWorkflow) {
  EngineConfig config = DefaultConfig();
  config.budget = {.qps = 0, .burst = 1, .max_in_flight = 1};
  Reset(config);
  SubmitMany("p", 3);
  engine_->Pump();
  ASSERT_EQ(writer_.creates.size(), 1u);
  engine_->OnCreateResult(writer_.creates[0].request_id, Answer(WriteOutcome::kThrottled, 429));
  clock_.Advance(absl::Seconds(1));
  engine_->Pump();
  EXPECT_EQ(writer_.creates.back().key, "ns/p-0");
}

TEST_F(EngineTest, TransientFailuresBackOffExponentiallyToTheCap) {
  SubmitMany("p", 1);
  engine_->Pump();
  // Backoff 1 s, 2 s, 4 s, 8 s, 8 s (capped): check each boundary exactly.
  const absl::Duration expected[] = {absl::Seconds(1), absl::Seconds(2), absl::Seconds(4),
                                     absl::Seconds(8), absl::Seconds(8)};
  for (size_t attempt = 0; attempt < 5; ++attempt) {
    ASSERT_EQ(writer_.creates.size(), attempt + 1);
    WriteResult error = Answer(WriteOutcome::kTransient, 503);
    error.reason = "ServiceUnavailable";
    engine_->OnCreateResult(writer_.creates.back().request_id, error);
    EXPECT_EQ(StateOf("p-0"), IntentState::kBackoff);
    clock_.Advance(expected[attempt] - absl::Nanoseconds(1));
    engine_->Pump();
    EXPECT_EQ(writer_.creates.size(), attempt + 1) << "retried too early, attempt " << attempt;
    clock_.Advance(absl::Nanoseconds(1));
    engine_->Pump();
  }
  EXPECT_EQ(writer_.creates.size(), 6u);
  engine_->OnCreateResult(writer_.creates.back().request_id, Answer(WriteOutcome::kSuccess));
  EXPECT_EQ(StateOf("p-0"), IntentState::kCreated);
  // Each failure told the controller.
  int retrying = 0;
  for (const auto& e : sink_.events) retrying += e.type == PodEventType::kRetrying;
  EXPECT_EQ(retrying, 5);
  EXPECT_EQ(sink_.events.back().attempt, 6u);
}

TEST_F(EngineTest, UnreachableServerNeverLosesIntents) {
  SubmitMany("p", 50);
  for (int round = 0; round < 20; ++round) {
    engine_->Pump();
    auto creates = writer_.creates;
    writer_.creates.clear();
    for (const auto& w : creates) {
      WriteResult error = Answer(WriteOutcome::kTransient, 0);
      error.reason = "ConnectionRefused";
      engine_->OnCreateResult(w.request_id, error);
    }
    clock_.Advance(absl::Seconds(8));
  }
  EngineStatus status = engine_->Status(false);
  EXPECT_EQ(status.queue_depth, 50u);
  EXPECT_EQ(status.state_counts[static_cast<int>(IntentState::kCreateFailed)], 0u);
  // And when it comes back, every intent is created.
  engine_->Pump();
  AnswerAll(WriteOutcome::kSuccess);
  EXPECT_EQ(engine_->Status(false).state_counts[static_cast<int>(IntentState::kCreated)], 50u);
}

TEST_F(EngineTest, MaxAttemptsGivesUp) {
  EngineConfig config = DefaultConfig();
  config.max_attempts = 2;
  Reset(config);
  SubmitMany("p", 1);
  engine_->Pump();
  engine_->OnCreateResult(writer_.creates[0].request_id, Answer(WriteOutcome::kTransient, 500));
  clock_.Advance(absl::Seconds(1));
  engine_->Pump();
  WriteResult error = Answer(WriteOutcome::kTransient, 500);
  error.message = "boom";
  engine_->OnCreateResult(writer_.creates[1].request_id, error);
  EXPECT_EQ(StateOf("p-0"), IntentState::kCreateFailed);
  EXPECT_EQ(sink_.events.back().message, "gave up after 2 attempts: boom");
}

TEST_F(EngineTest, PermanentRefusalFailsWithTheApiServersMessage) {
  SubmitMany("p", 1);
  engine_->Pump();
  WriteResult invalid = Answer(WriteOutcome::kPermanent, 422);
  invalid.reason = "Invalid";
  invalid.message = R"(Pod "p-0" is invalid: spec.containers: Required value)";
  engine_->OnCreateResult(writer_.creates[0].request_id, invalid);
  EXPECT_EQ(StateOf("p-0"), IntentState::kCreateFailed);
  ASSERT_EQ(sink_.events.size(), 1u);
  EXPECT_EQ(sink_.events[0].type, PodEventType::kCreateFailed);
  EXPECT_EQ(sink_.events[0].reason, "Invalid");
  EXPECT_EQ(sink_.events[0].message, invalid.message);
}

TEST_F(EngineTest, RateLimitBoundaries) {
  EngineConfig config = DefaultConfig();
  config.budget = {.qps = 10, .burst = 2, .max_in_flight = 100};
  Reset(config);
  SubmitMany("p", 5);
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 2u);  // the burst
  EXPECT_EQ(engine_->NextWakeup(), MonoTime::Zero() + absl::Milliseconds(100));
  clock_.Advance(absl::Milliseconds(100) - absl::Nanoseconds(1));
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 2u);
  clock_.Advance(absl::Nanoseconds(1));
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 3u);
  clock_.Advance(absl::Milliseconds(200));
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 5u);
}

TEST_F(EngineTest, InFlightCap) {
  EngineConfig config = DefaultConfig();
  config.budget = {.qps = 0, .burst = 1, .max_in_flight = 2};
  Reset(config);
  SubmitMany("p", 5);
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 2u);
  EXPECT_TRUE(engine_->NextWakeup().is_infinite());  // only an answer frees a slot
  engine_->OnCreateResult(writer_.creates[0].request_id, Answer(WriteOutcome::kSuccess));
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 3u);
}

TEST_F(EngineTest, FairBetweenWorkflowsAndNamespaces) {
  EngineConfig config = DefaultConfig();
  config.budget = {.qps = 0, .burst = 1, .max_in_flight = 6};
  Reset(config);
  SubmitMany("big", 100, "wf-big", "ns1");
  SubmitMany("small", 2, "wf-small", "ns1");
  SubmitMany("other", 2, "wf-other", "ns2");
  engine_->Pump();
  EXPECT_THAT(writer_.CreatedKeys(), ElementsAre("ns1/big-0", "ns2/other-0", "ns1/small-0",
                                                 "ns2/other-1", "ns1/big-1", "ns1/small-1"));
}

TEST_F(EngineTest, HigherPriorityFirst) {
  EngineConfig config = DefaultConfig();
  config.budget = {.qps = 0, .burst = 1, .max_in_flight = 3};
  Reset(config);
  std::vector<std::unique_ptr<Intent>> batch;
  batch.push_back(MakeIntent("low-0", "wf-low", "ns", 0));
  batch.push_back(MakeIntent("low-1", "wf-low", "ns", 0));
  batch.push_back(MakeIntent("high-0", "wf-high", "ns", 100));
  batch.push_back(MakeIntent("high-1", "wf-high", "ns", 100));
  Submit(std::move(batch));
  engine_->Pump();
  EXPECT_THAT(writer_.CreatedKeys(), ElementsAre("ns/high-0", "ns/high-1", "ns/low-0"));
}

TEST_F(EngineTest, LifecycleEventsFromTheInformer) {
  SubmitMany("p", 1);
  engine_->Pump();
  WriteResult created = Answer(WriteOutcome::kSuccess);
  created.pod_uid = "uid-p-0";
  clock_.Advance(absl::Milliseconds(40));
  engine_->OnCreateResult(writer_.creates[0].request_id, created);
  EXPECT_EQ(sink_.events[0].submit_to_create_ms, 40);
  engine_->OnPodObserved(Pod("p-0", PodPhase::kPending, /*scheduled=*/true));
  engine_->OnPodObserved(Pod("p-0", PodPhase::kPending, true));  // no change, no event
  engine_->OnPodObserved(Pod("p-0", PodPhase::kRunning, true));
  PodObservation done = Pod("p-0", PodPhase::kSucceeded, true);
  done.reason = "Completed";
  engine_->OnPodObserved(done);
  engine_->OnPodObserved(Pod("p-0", PodPhase::kRunning, true));  // stale, ignored
  EXPECT_THAT(sink_.Summary(),
              ElementsAre("created:p-0", "scheduled:p-0", "running:p-0", "succeeded:p-0"));
  EXPECT_EQ(sink_.events.back().pod_uid, "uid-p-0");
  EXPECT_EQ(sink_.events.back().state, IntentState::kSucceeded);
}

TEST_F(EngineTest, SkippedStepsAreStillReportedInOrder) {
  SubmitMany("p", 1);
  engine_->Pump();
  AnswerAll(WriteOutcome::kSuccess);
  engine_->OnPodObserved(Pod("p-0", PodPhase::kRunning, true));
  EXPECT_THAT(sink_.Summary(), ElementsAre("created:p-0", "scheduled:p-0", "running:p-0"));
}

TEST_F(EngineTest, FailedPodCarriesItsReason) {
  SubmitMany("p", 1);
  engine_->Pump();
  AnswerAll(WriteOutcome::kSuccess);
  PodObservation failed = Pod("p-0", PodPhase::kFailed, true);
  failed.reason = "Evicted";
  failed.message = "The node was low on resource: memory.";
  engine_->OnPodObserved(failed);
  EXPECT_EQ(sink_.events.back().type, PodEventType::kFailed);
  EXPECT_EQ(sink_.events.back().reason, "Evicted");
  EXPECT_EQ(sink_.events.back().message, failed.message);
}

TEST_F(EngineTest, ObservationOfAnotherIncarnationIsIgnored) {
  SubmitMany("p", 1);
  engine_->Pump();
  WriteResult created = Answer(WriteOutcome::kSuccess);
  created.pod_uid = "new";
  engine_->OnCreateResult(writer_.creates[0].request_id, created);
  engine_->OnPodObserved(Pod("p-0", PodPhase::kFailed, true, "old"));
  EXPECT_EQ(StateOf("p-0"), IntentState::kCreated);
}

TEST_F(EngineTest, InformerFasterThanTheCreateAnswer) {
  SubmitMany("p", 1);
  engine_->Pump();
  engine_->OnPodObserved(Pod("p-0", PodPhase::kPending, true));
  EXPECT_EQ(StateOf("p-0"), IntentState::kDispatching);
  engine_->OnCreateResult(writer_.creates[0].request_id, Answer(WriteOutcome::kSuccess));
  EXPECT_THAT(sink_.Summary(), ElementsAre("created:p-0", "scheduled:p-0"));
  EXPECT_EQ(sink_.events[0].pod_uid, "uid-p-0");
}

TEST_F(EngineTest, LostAnswerButPodExistsCountsAsCreated) {
  SubmitMany("p", 1);
  engine_->Pump();
  engine_->OnPodObserved(Pod("p-0", PodPhase::kPending));
  // The answer was a timeout, yet the pod exists: no retry.
  engine_->OnCreateResult(writer_.creates[0].request_id, Answer(WriteOutcome::kTransient, 504));
  EXPECT_EQ(StateOf("p-0"), IntentState::kCreated);
  clock_.Advance(absl::Minutes(1));
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 1u);
}

TEST_F(EngineTest, PodsThatAlreadyExistAreAdoptedWithoutAnApiCall) {
  // A previous incarnation created p-0 and p-1; the informer lists them.
  std::vector<PodObservation> listed = {Pod("p-0", PodPhase::kRunning, true),
                                        Pod("p-1", PodPhase::kSucceeded, true)};
  engine_->OnPodsResynced(listed);
  SubmitMany("p", 3);
  engine_->Pump();
  EXPECT_THAT(writer_.CreatedKeys(), ElementsAre("ns/p-2"));
  EXPECT_EQ(StateOf("p-0"), IntentState::kRunning);
  EXPECT_EQ(StateOf("p-1"), IntentState::kSucceeded);
  EXPECT_EQ(engine_->counters().adopted, 2u);
}

TEST_F(EngineTest, ResyncReportsPodsThatVanished) {
  SubmitMany("p", 2);
  engine_->Pump();
  AnswerAll(WriteOutcome::kSuccess);
  std::vector<PodObservation> listed = {Pod("p-0", PodPhase::kRunning, true)};
  engine_->OnPodsResynced(listed);
  EXPECT_EQ(StateOf("p-0"), IntentState::kRunning);
  EXPECT_EQ(StateOf("p-1"), IntentState::kDeleted);
  EXPECT_EQ(sink_.events.back().type, PodEventType::kDeleted);
}

TEST_F(EngineTest, ExternalDeletionBeforeTheEnd) {
  SubmitMany("p", 1);
  engine_->Pump();
  AnswerAll(WriteOutcome::kSuccess);
  PodObservation gone = Pod("p-0", PodPhase::kRunning, true);
  gone.deleted = true;
  engine_->OnPodObserved(gone);
  EXPECT_EQ(StateOf("p-0"), IntentState::kDeleted);
  EXPECT_EQ(sink_.events.back().type, PodEventType::kDeleted);
}

TEST_F(EngineTest, FinishedIntentsAreRememberedForTheRetentionPeriod) {
  EngineConfig config = DefaultConfig();
  config.terminal_retention = absl::Minutes(10);
  Reset(config);
  SubmitMany("p", 1);
  engine_->Pump();
  AnswerAll(WriteOutcome::kSuccess);
  engine_->OnPodObserved(Pod("p-0", PodPhase::kSucceeded, true));
  clock_.Advance(absl::Minutes(10) - absl::Nanoseconds(1));
  engine_->Pump();
  ASSERT_NE(engine_->Find("ns/p-0"), nullptr);
  std::vector<std::unique_ptr<Intent>> again;
  again.push_back(MakeIntent("p-0"));
  EXPECT_EQ(Submit(std::move(again))[0].state, IntentState::kSucceeded);
  clock_.Advance(absl::Nanoseconds(1));
  engine_->Pump();
  EXPECT_EQ(engine_->Find("ns/p-0"), nullptr);
  EXPECT_EQ(engine_->Status(false).active_workflows, 0u);
}

TEST_F(EngineTest, RetentionCapForgetsTheOldestFirst) {
  EngineConfig config = DefaultConfig();
  config.max_terminal_retained = 2;
  Reset(config);
  SubmitMany("p", 3);
  engine_->CancelWorkflow("wf", false);
  engine_->Pump();
  EXPECT_EQ(engine_->Find("ns/p-0"), nullptr);
  EXPECT_NE(engine_->Find("ns/p-1"), nullptr);
  EXPECT_NE(engine_->Find("ns/p-2"), nullptr);
}

TEST_F(EngineTest, DeleteRetriesAndFinishedIntentIsKeptUntilDeleted) {
  EngineConfig config = DefaultConfig();
  config.terminal_retention = absl::Seconds(1);
  Reset(config);
  SubmitMany("p", 1);
  engine_->Pump();
  AnswerAll(WriteOutcome::kSuccess);
  engine_->CancelWorkflow("wf", false);
  engine_->Pump();
  ASSERT_EQ(writer_.deletes.size(), 1u);
  engine_->OnDeleteResult(writer_.deletes[0].request_id, Answer(WriteOutcome::kTransient, 500));
  clock_.Advance(absl::Seconds(1));
  engine_->Pump();
  ASSERT_EQ(writer_.deletes.size(), 2u);
  ASSERT_NE(engine_->Find("ns/p-0"), nullptr);  // still deleting
  engine_->OnDeleteResult(writer_.deletes[1].request_id, Answer(WriteOutcome::kNotFound, 404));
  clock_.Advance(absl::Seconds(2));
  engine_->Pump();
  EXPECT_EQ(engine_->Find("ns/p-0"), nullptr);
}

TEST_F(EngineTest, DeletesShareTheBudgetAndGoFirst) {
  EngineConfig config = DefaultConfig();
  config.budget = {.qps = 0, .burst = 1, .max_in_flight = 1};
  Reset(config);
  SubmitMany("a", 1, "wf-a");
  engine_->Pump();
  AnswerAll(WriteOutcome::kSuccess);
  SubmitMany("b", 1, "wf-b");
  engine_->CancelWorkflow("wf-a", false);
  engine_->Pump();
  EXPECT_EQ(writer_.deletes.size(), 1u);
  EXPECT_EQ(writer_.creates.size(), 1u);  // b waits for the in-flight slot
}

TEST_F(EngineTest, StatusReportsNamespaces) {
  SubmitMany("a", 3, "wf-a", "ns1");
  SubmitMany("b", 2, "wf-b", "ns2");
  EngineStatus status = engine_->Status(true);
  EXPECT_EQ(status.queue_depth, 5u);
  ASSERT_EQ(status.namespaces.size(), 2u);
  EXPECT_EQ(status.namespaces[0].name, "ns1");
  EXPECT_EQ(status.namespaces[0].queued, 3u);
  EXPECT_EQ(status.namespaces[0].workflows, 1u);
  EXPECT_EQ(status.active_workflows, 2u);
}

TEST_F(EngineTest, ReconfigureChangesTheRate) {
  EngineConfig config = DefaultConfig();
  config.budget = {.qps = 1, .burst = 1, .max_in_flight = 100};
  Reset(config);
  SubmitMany("p", 10);
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 1u);
  config.budget = {.qps = 1000, .burst = 5, .max_in_flight = 100};
  engine_->Reconfigure(config);
  clock_.Advance(absl::Milliseconds(5));
  engine_->Pump();
  EXPECT_EQ(writer_.creates.size(), 6u);
}

}  // namespace
}  // namespace sluice
