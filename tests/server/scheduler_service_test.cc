// The gRPC service started in-process (the whole daemon, with an injected
// writer in place of the APIServer) and driven through a real channel.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/health_check_service_interface.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "scheduler/server/daemon.h"
#include "scheduler/server/engine_loop.h"
#include "sluice/v1/scheduler.grpc.pb.h"

namespace sluice {
namespace {

using ::testing::HasSubstr;

std::string PodJson(const std::string& name) {
  return absl::StrCat(
      R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")", name,
      R"(","labels":{"app":"test"}},"spec":{"restartPolicy":"Never","containers":[)",
      R"({"name":"main","image":"busybox","resources":{"requests":{"cpu":"100m","memory":"64Mi"}}}]}})");
}

v1::PodIntent Intent(const std::string& name, const std::string& workflow = "wf-1") {
  v1::PodIntent intent;
  intent.set_namespace_("default");
  intent.set_name(name);
  intent.mutable_workflow()->set_uid(workflow);
  intent.mutable_workflow()->set_name("my-workflow");
  intent.set_pod_json(PodJson(name));
  return intent;
}

// Answers every create with success, from the engine thread, one task later.
class AnsweringWriter : public PodWriter {
 public:
  void Create(const CreatePodCommand& command) override {
    const uint64_t id = command.request_id;
    {
      absl::MutexLock lock(&mu_);
      created_.push_back(absl::StrCat(command.pod_namespace, "/", command.pod_name));
    }
    loop_->Post([id](Engine& engine) {
      WriteResult result;
      result.outcome = WriteOutcome::kSuccess;
      result.http_status = 201;
      result.pod_uid = absl::StrCat("uid-", id);
      engine.OnCreateResult(id, result);
    });
  }
  void Delete(const DeletePodCommand& command) override {
    const uint64_t id = command.request_id;
    loop_->Post([id](Engine& engine) {
      WriteResult result;
      result.outcome = WriteOutcome::kSuccess;
      result.http_status = 200;
      engine.OnDeleteResult(id, result);
    });
  }
  size_t created() {
    absl::MutexLock lock(&mu_);
    return created_.size();
  }
  EngineLoop* loop_ = nullptr;

 private:
  absl::Mutex mu_;
  std::vector<std::string> created_ ABSL_GUARDED_BY(mu_);
};

class SchedulerServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { StartDaemon(SluicedConfig()); }
  void TearDown() override { daemon_->Shutdown(absl::Seconds(5)); }

  void StartDaemon(SluicedConfig config) {
    if (daemon_ != nullptr) daemon_->Shutdown(absl::Seconds(5));
    config.listen = "127.0.0.1:0";
    config.metrics_listen = "127.0.0.1:0";
    Daemon::Options options;
    options.writer = &writer_;
    auto daemon = Daemon::Start(config, options);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
    writer_.loop_ = &daemon_->loop();
    channel_ = grpc::CreateChannel(daemon_->listen_address(), grpc::InsecureChannelCredentials());
    stub_ = v1::Scheduler::NewStub(channel_);
  }

  void WaitForWatchStreams(uint32_t n) {
    for (int i = 0; i < 1000; ++i) {
      v1::GetStatusResponse status;
      grpc::ClientContext context;
      ASSERT_TRUE(stub_->GetStatus(&context, v1::GetStatusRequest(), &status).ok());
      if (status.watch_streams() == n) return;
      absl::SleepFor(absl::Milliseconds(5));
    }
    FAIL() << "the watch stream never registered";
  }

  AnsweringWriter writer_;
  std::unique_ptr<Daemon> daemon_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Scheduler::Stub> stub_;
};

TEST_F(SchedulerServiceTest, SubmitStreamAnswersEachBatchInOrder) {
  grpc::ClientContext context;
  auto stream = stub_->Submit(&context);
  // Pipeline three batches before reading anything.
  for (uint64_t b = 1; b <= 3; ++b) {
    v1::SubmitRequest request;
    request.set_batch_id(b * 10);
    for (int i = 0; i < 100; ++i) *request.add_intents() = Intent(absl::StrCat("p-", b, "-", i));
    ASSERT_TRUE(stream->Write(request));
  }
  for (uint64_t b = 1; b <= 3; ++b) {
    v1::SubmitResponse response;
    ASSERT_TRUE(stream->Read(&response));
    EXPECT_EQ(response.batch_id(), b * 10);
    EXPECT_EQ(response.epoch(), daemon_->epoch());
    EXPECT_EQ(response.results_size(), 100);
    EXPECT_EQ(response.accepted(), 100u);
  }
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(SchedulerServiceTest, OneInvalidIntentIsRejectedAloneWithItsFieldAndReason) {
  v1::SubmitRequest request;
  for (int i = 0; i < 1000; ++i) *request.add_intents() = Intent(absl::StrCat("pod-", i));
  request.mutable_intents(17)->set_name("Not_A_Valid_Name");
  request.mutable_intents(500)->mutable_workflow()->clear_uid();
  request.mutable_intents(900)->set_pod_json(R"({"spec":{"containers":[]}})");
  v1::SubmitResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->SubmitBatch(&context, request, &response).ok());
  ASSERT_EQ(response.results_size(), 1000);
  EXPECT_EQ(response.accepted(), 997u);
  EXPECT_EQ(response.rejected(), 3u);
  EXPECT_EQ(response.results(17).code(), v1::IntentResult::REJECTED);
  EXPECT_EQ(response.results(17).field(), "name");
  EXPECT_THAT(response.results(17).reason(), HasSubstr("RFC 1123"));
  EXPECT_EQ(response.results(500).field(), "workflow.uid");
  EXPECT_EQ(response.results(500).reason(), "required");
  EXPECT_EQ(response.results(900).field(), "pod_json.spec.containers");
  EXPECT_EQ(response.results(900).reason(), "Required value");
  EXPECT_EQ(response.results(16).code(), v1::IntentResult::ACCEPTED);
  EXPECT_EQ(response.results(18).code(), v1::IntentResult::ACCEPTED);
}

TEST_F(SchedulerServiceTest, ReservedLabelsAndMismatchedManifestsAreRejected) {
  v1::SubmitRequest request;
  *request.add_intents() = Intent("ok");
  v1::PodIntent reserved = Intent("reserved");
  reserved.set_pod_json(
      R"({"metadata":{"labels":{"sluice.dev/pool":"spot"}},"spec":{"containers":[{"name":"m","image":"i"}]}})");
  *request.add_intents() = reserved;
  v1::PodIntent other = Intent("mismatch");
  other.set_pod_json(
      R"({"metadata":{"name":"someone-else"},"spec":{"containers":[{"name":"m","image":"i"}]}})");
  *request.add_intents() = other;
  v1::SubmitResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->SubmitBatch(&context, request, &response).ok());
  EXPECT_EQ(response.results(0).code(), v1::IntentResult::ACCEPTED);
  EXPECT_EQ(response.results(1).field(), "pod_json.metadata.labels[sluice.dev/pool]");
  EXPECT_EQ(response.results(2).field(), "pod_json.metadata.name");
  EXPECT_THAT(response.results(2).reason(), HasSubstr("must equal the intent's name"));
}

TEST_F(SchedulerServiceTest, DuplicatesReportTheirState) {
  v1::SubmitRequest request;
  *request.add_intents() = Intent("dup");
  v1::SubmitResponse first;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->SubmitBatch(&context, request, &first).ok());
  }
  // Wait for the create to be answered.
  for (int i = 0; i < 500 && writer_.created() == 0; ++i) absl::SleepFor(absl::Milliseconds(10));
  v1::SubmitResponse second;
  for (int i = 0; i < 500; ++i) {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->SubmitBatch(&context, request, &second).ok());
    if (second.results(0).state() == v1::INTENT_STATE_CREATED) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(first.results(0).code(), v1::IntentResult::ACCEPTED);
  EXPECT_EQ(second.results(0).code(), v1::IntentResult::DUPLICATE);
  EXPECT_EQ(second.results(0).state(), v1::INTENT_STATE_CREATED);
  EXPECT_EQ(second.duplicates(), 1u);
}

TEST_F(SchedulerServiceTest, WatchEventsDeliversCreatedForEachPodOfItsWorkflow) {
  grpc::ClientContext watch_context;
  watch_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  v1::WatchEventsRequest watch_request;
  watch_request.set_workflow_uid("wf-watched");
  auto reader = stub_->WatchEvents(&watch_context, watch_request);
  // Submit only once the server has registered the stream.
  WaitForWatchStreams(1);

  v1::SubmitRequest request;
  for (int i = 0; i < 50; ++i) *request.add_intents() = Intent(absl::StrCat("w-", i), "wf-watched");
  for (int i = 0; i < 20; ++i) *request.add_intents() = Intent(absl::StrCat("o-", i), "wf-other");
  v1::SubmitResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->SubmitBatch(&context, request, &response).ok());

  std::set<std::string> created;
  int received = 0;
  v1::WatchEventsResponse events;
  while (created.size() < 50 && reader->Read(&events)) {
    EXPECT_EQ(events.epoch(), daemon_->epoch());
    for (const auto& e : events.events()) {
      ++received;
      EXPECT_EQ(e.workflow_uid(), "wf-watched");
      if (e.type() == v1::EVENT_TYPE_CREATED) created.insert(e.pod().name());
      EXPECT_GT(e.sequence(), 0u);
    }
  }
  EXPECT_EQ(created.size(), 50u) << "events received: " << received;

  watch_context.TryCancel();
  reader->Finish();
}

TEST_F(SchedulerServiceTest, GetStatusAndCancel) {
  SluicedConfig config;
  config.engine.budget.qps = 0.001;  // nothing leaves the queue
  config.engine.budget.burst = 1;
  StartDaemon(config);
  v1::SubmitRequest request;
  for (int i = 0; i < 10; ++i) *request.add_intents() = Intent(absl::StrCat("s-", i), "wf-c");
  v1::SubmitResponse response;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->SubmitBatch(&context, request, &response).ok());
  }
  v1::GetStatusRequest status_request;
  status_request.set_include_namespaces(true);
  v1::GetStatusResponse status;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->GetStatus(&context, status_request, &status).ok());
  }
  EXPECT_EQ(status.epoch(), daemon_->epoch());
  EXPECT_EQ(status.queue_depth() + status.states().dispatching() + status.states().created(), 10u);
  ASSERT_EQ(status.namespaces_size(), 1);
  EXPECT_EQ(status.namespaces(0).namespace_(), "default");
  EXPECT_DOUBLE_EQ(status.budget().qps(), 0.001);

  v1::CancelRequest cancel;
  cancel.set_workflow_uid("wf-c");
  v1::CancelResponse cancelled;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->Cancel(&context, cancel, &cancelled).ok());
  }
  EXPECT_EQ(cancelled.dropped() + cancelled.deleting(), 10u);

  v1::CancelRequest empty;
  grpc::ClientContext context;
  grpc::Status bad = stub_->Cancel(&context, empty, &cancelled);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(SchedulerServiceTest, GetStatusReportsTheEffectiveConfigAndEachReload) {
  v1::GetStatusRequest with_config;
  with_config.set_include_config(true);
  {
    v1::GetStatusResponse status;
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->GetStatus(&context, v1::GetStatusRequest(), &status).ok());
    EXPECT_FALSE(status.has_config()) << "only when asked";
  }
  v1::GetStatusResponse before;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->GetStatus(&context, with_config, &before).ok());
  }
  EXPECT_EQ(before.config().generation(), 1u);
  EXPECT_EQ(before.config().yaml(), ConfigToYaml([] {
              SluicedConfig c;
              c.listen = "127.0.0.1:0";
              c.metrics_listen = "127.0.0.1:0";
              return c;
            }()));
  EXPECT_GT(before.config().loaded().seconds(), 0);

  // A reload narrows the namespace allow-list: it applies to the next batch.
  SluicedConfig narrowed;
  narrowed.listen = "127.0.0.1:0";
  narrowed.metrics_listen = "127.0.0.1:0";
  narrowed.engine.budget.qps = 123;
  narrowed.intake.allowed_namespaces = {"team-a"};
  daemon_->Reconfigure(narrowed);
  v1::GetStatusResponse after;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->GetStatus(&context, with_config, &after).ok());
  }
  EXPECT_EQ(after.config().generation(), 2u);
  EXPECT_THAT(after.config().yaml(), HasSubstr("qps: 123"));
  EXPECT_THAT(after.config().yaml(), HasSubstr("namespaces: [team-a]"));

  v1::SubmitRequest request;
  *request.add_intents() = Intent("outside");  // namespace "default"
  v1::SubmitResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->SubmitBatch(&context, request, &response).ok());
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_EQ(response.results(0).code(), v1::IntentResult::REJECTED);
  EXPECT_EQ(response.results(0).field(), "namespace");
}

TEST_F(SchedulerServiceTest, QueueCapAnswersResourceExhaustedAndLosesNothingElse) {
  SluicedConfig config;
  config.engine.budget.qps = 0.001;
  config.engine.queue_cap = 5;
  StartDaemon(config);
  v1::SubmitRequest request;
  for (int i = 0; i < 8; ++i) *request.add_intents() = Intent(absl::StrCat("q-", i));
  v1::SubmitResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->SubmitBatch(&context, request, &response).ok());
  int accepted = 0;
  int exhausted = 0;
  for (const auto& r : response.results()) {
    accepted += r.code() == v1::IntentResult::ACCEPTED;
    if (r.code() == v1::IntentResult::RESOURCE_EXHAUSTED) {
      ++exhausted;
      EXPECT_THAT(r.reason(), HasSubstr("cap of 5"));
    }
  }
  // One create may already be in flight (the burst token), freeing a slot.
  EXPECT_GE(accepted, 5);
  EXPECT_EQ(accepted + exhausted, 8);
}

TEST_F(SchedulerServiceTest, OversizedBatchRejectsOnlyTheExcess) {
  SluicedConfig config;
  config.intake.max_batch_intents = 10;
  StartDaemon(config);
  v1::SubmitRequest request;
  for (int i = 0; i < 12; ++i) *request.add_intents() = Intent(absl::StrCat("b-", i));
  v1::SubmitResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->SubmitBatch(&context, request, &response).ok());
  EXPECT_EQ(response.accepted(), 10u);
  EXPECT_EQ(response.results(11).field(), "intents");
  EXPECT_THAT(response.results(11).reason(), HasSubstr("at most 10 intents"));
}

TEST_F(SchedulerServiceTest, HealthIsServing) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service("sluice.v1.Scheduler");
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(health->Check(&context, request, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(SchedulerServiceTest, MetricsAreServed) {
  v1::SubmitRequest request;
  *request.add_intents() = Intent("m-1");
  *request.add_intents() = Intent("m-1");
  v1::SubmitResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->SubmitBatch(&context, request, &response).ok());
  httplib::Client http("127.0.0.1", daemon_->metrics_port());
  std::string body;
  for (int i = 0; i < 200; ++i) {  // the engine's gauges refresh every 500 ms
    auto result = http.Get("/metrics");
    ASSERT_TRUE(result) << "no answer from /metrics";
    ASSERT_EQ(result->status, 200);
    body = result->body;
    if (body.find("sluice_creates_started_total 1") != std::string::npos) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_THAT(body, HasSubstr("sluice_intents_total{result=\"accepted\"} 1"));
  EXPECT_THAT(body, HasSubstr("sluice_intents_total{result=\"duplicate\"} 1"));
  EXPECT_THAT(body, HasSubstr("sluice_creates_started_total 1"));
  EXPECT_THAT(body, HasSubstr("sluice_shaper_rate_qps"));
}

TEST_F(SchedulerServiceTest, IdleEngineStillRefreshesGaugesAndShowsPools) {
  SluicedConfig config;
  config.engine.queue_cap = 4321;
  PoolConfig spot;
  spot.name = "spot-a";
  spot.pool_class = PoolClass::kSpot;
  spot.max_pods = 10;
  config.engine.capacity.pools.push_back(spot);
  PoolConfig on_demand;
  on_demand.name = "on-demand";
  on_demand.order = 1;
  config.engine.capacity.pools.push_back(on_demand);
  StartDaemon(config);
  // No intent, no event: the periodic snapshot must run on an idle engine.
  httplib::Client http("127.0.0.1", daemon_->metrics_port());
  std::string body;
  for (int i = 0; i < 500; ++i) {
    auto result = http.Get("/metrics");
    ASSERT_TRUE(result) << "no answer from /metrics";
    body = result->body;
    if (body.find("sluice_queue_cap 4321") != std::string::npos) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_THAT(body, HasSubstr("sluice_queue_cap 4321"));
  EXPECT_THAT(body,
              HasSubstr("sluice_pool_state{class=\"spot\",pool=\"spot-a\",state=\"Available\"} 1"));
  EXPECT_THAT(body, HasSubstr("sluice_pool_limit{pool=\"spot-a\",resource=\"pods\"} 10"));
  EXPECT_THAT(body, HasSubstr("sluice_pool_used{pool=\"on-demand\",resource=\"pods\"} 0"));

  // GetCapacity answers with both pools in their order.
  v1::GetCapacityResponse capacity;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->GetCapacity(&context, v1::GetCapacityRequest(), &capacity).ok());
  ASSERT_EQ(capacity.pools_size(), 2);
  EXPECT_EQ(capacity.pools(0).name(), "spot-a");
  EXPECT_EQ(capacity.pools(0).class_(), "spot");
  EXPECT_EQ(capacity.pools(0).state(), "Available");
  EXPECT_EQ(capacity.pools(0).max_pods(), 10u);
  EXPECT_EQ(capacity.pools(1).name(), "on-demand");
  EXPECT_EQ(capacity.epoch(), daemon_->epoch());
}

TEST_F(SchedulerServiceTest, AllowedPoolsMustNameConfiguredPools) {
  v1::SubmitRequest request;
  v1::PodIntent intent = Intent("p-1");
  intent.add_allowed_pools("nowhere");
  *request.add_intents() = intent;
  v1::SubmitResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->SubmitBatch(&context, request, &response).ok());
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_EQ(response.results(0).code(), v1::IntentResult::REJECTED);
  EXPECT_EQ(response.results(0).field(), "allowed_pools[0]");
  EXPECT_THAT(response.results(0).reason(), HasSubstr("no capacity pools"));
}

}  // namespace
}  // namespace sluice
