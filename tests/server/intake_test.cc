// What intake refuses, through the gRPC service of an in-process daemon: each
// rule rejects only its own intent, with the field and a precise reason, and
// the rest of the batch is accepted.
#include "scheduler/server/intake.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "scheduler/server/daemon.h"
#include "sluice/v1/scheduler.grpc.pb.h"

namespace sluice {
namespace {

using ::testing::HasSubstr;

std::string PodJson(const std::string& metadata) {
  return absl::StrCat(R"({"apiVersion":"v1","kind":"Pod","metadata":{)", metadata,
                      R"(},"spec":{"restartPolicy":"Never","containers":[)",
                      R"({"name":"main","image":"busybox"}]}})");
}

v1::PodIntent Intent(const std::string& ns, const std::string& name) {
  v1::PodIntent intent;
  intent.set_namespace_(ns);
  intent.set_name(name);
  intent.mutable_workflow()->set_uid("wf-1");
  intent.set_pod_json(PodJson(R"("labels":{"app":"test"})"));
  return intent;
}

// Takes every write and never answers: intake is all that is looked at.
class SilentWriter : public PodWriter {
 public:
  void Create(const CreatePodCommand&) override {}
  void Delete(const DeletePodCommand&) override {}
};

class IntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SluicedConfig config;
    config.listen = "127.0.0.1:0";
    config.metrics_listen = "";
    config.intake.allowed_namespaces = {"team-a", "team-b"};
    config.intake.max_manifest_bytes = 2048;
    config.intake.max_cost_labels = 2;
    config.intake.max_batch_intents = 11;
    Daemon::Options options;
    options.writer = &writer_;
    auto daemon = Daemon::Start(config, options);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
    stub_ = v1::Scheduler::NewStub(
        grpc::CreateChannel(daemon_->listen_address(), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override { daemon_->Shutdown(absl::ZeroDuration()); }

  v1::SubmitResponse Submit(const v1::SubmitRequest& request) {
    v1::SubmitResponse response;
    grpc::ClientContext context;
    grpc::Status status = stub_->SubmitBatch(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  SilentWriter writer_;
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<v1::Scheduler::Stub> stub_;
};

TEST_F(IntakeTest, EachRuleRejectsOnlyItsIntentWithAPreciseReason) {
  v1::SubmitRequest request;
  // 0: fine.
  *request.add_intents() = Intent("team-a", "ok-0");
  // 1: a namespace outside the allow-list.
  *request.add_intents() = Intent("payroll", "outsider");
  // 2: the manifest names another namespace.
  v1::PodIntent* other_ns = request.add_intents();
  *other_ns = Intent("team-a", "other-ns");
  other_ns->set_pod_json(PodJson(R"("name":"other-ns","namespace":"team-b")"));
  // 3: the manifest names another pod.
  v1::PodIntent* other_name = request.add_intents();
  *other_name = Intent("team-a", "other-name");
  other_name->set_pod_json(PodJson(R"("name":"someone-else")"));
  // 4: fine.
  *request.add_intents() = Intent("team-b", "ok-4");
  // 5: a label under sluice.dev/.
  v1::PodIntent* label = request.add_intents();
  *label = Intent("team-a", "reserved-label");
  label->set_pod_json(PodJson(R"("labels":{"sluice.dev/pool":"spot"})"));
  // 6: an annotation under sluice.dev/.
  v1::PodIntent* annotation = request.add_intents();
  *annotation = Intent("team-a", "reserved-annotation");
  annotation->set_pod_json(PodJson(R"("annotations":{"sluice.dev/cost":"0"})"));
  // 7: a manifest over the size bound.
  v1::PodIntent* big = request.add_intents();
  *big = Intent("team-a", "big");
  big->set_pod_json(
      PodJson(absl::StrCat(R"("annotations":{"note":")", std::string(3000, 'x'), R"("})")));
  const size_t big_bytes = big->pod_json().size();
  // 8: more cost labels than allowed.
  v1::PodIntent* labels = request.add_intents();
  *labels = Intent("team-b", "many-labels");
  (*labels->mutable_cost_labels())["team"] = "quant";
  (*labels->mutable_cost_labels())["desk"] = "rates";
  (*labels->mutable_cost_labels())["book"] = "emea";
  // 9, 10: fine.
  *request.add_intents() = Intent("team-b", "ok-9");
  *request.add_intents() = Intent("team-b", "ok-10");
  // 11: one more than a request may carry.
  *request.add_intents() = Intent("team-b", "excess");

  const v1::SubmitResponse response = Submit(request);
  ASSERT_EQ(response.results_size(), 12);
  EXPECT_EQ(response.accepted(), 4u);
  EXPECT_EQ(response.rejected(), 8u);
  for (int i : {0, 4, 9, 10}) {
    EXPECT_EQ(response.results(i).code(), v1::IntentResult::ACCEPTED) << i;
  }
  for (int i : {1, 2, 3, 5, 6, 7, 8, 11}) {
    EXPECT_EQ(response.results(i).code(), v1::IntentResult::REJECTED) << i;
  }
  EXPECT_EQ(response.results(1).field(), "namespace");
  EXPECT_EQ(response.results(1).reason(),
            R"("payroll" is not in the namespaces this Sluice may create pods in)");
  EXPECT_EQ(response.results(2).field(), "pod_json.metadata.namespace");
  EXPECT_EQ(response.results(2).reason(),
            R"(must equal the intent's namespace "team-a" or be omitted, not "team-b")");
  EXPECT_EQ(response.results(3).field(), "pod_json.metadata.name");
  EXPECT_EQ(response.results(3).reason(),
            R"(must equal the intent's name "other-name" or be omitted, not "someone-else")");
  EXPECT_EQ(response.results(5).field(), "pod_json.metadata.labels[sluice.dev/pool]");
  EXPECT_EQ(response.results(5).reason(), "labels under sluice.dev/ are reserved for Sluice");
  EXPECT_EQ(response.results(6).field(), "pod_json.metadata.annotations[sluice.dev/cost]");
  EXPECT_EQ(response.results(6).reason(), "annotations under sluice.dev/ are reserved for Sluice");
  EXPECT_EQ(response.results(7).field(), "pod_json");
  EXPECT_EQ(response.results(7).reason(),
            absl::StrCat(big_bytes, " bytes exceed the limit of 2048 bytes"));
  EXPECT_EQ(response.results(8).field(), "cost_labels");
  EXPECT_EQ(response.results(8).reason(), "3 labels exceed the limit of 2");
  EXPECT_EQ(response.results(11).field(), "intents");
  EXPECT_THAT(response.results(11).reason(), HasSubstr("a request carries at most 11 intents"));
}

}  // namespace
}  // namespace sluice
