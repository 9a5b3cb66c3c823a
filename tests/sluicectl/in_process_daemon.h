#ifndef SLUICE_TESTS_SLUICECTL_IN_PROCESS_DAEMON_H_
#define SLUICE_TESTS_SLUICECTL_IN_PROCESS_DAEMON_H_

// A whole sluiced started inside the test process, listening on a Unix socket
// in a fresh temporary directory, with a fake PodWriter in place of the
// APIServer (every create and delete succeeds, one engine task later).

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "scheduler/engine/pod_writer.h"
#include "scheduler/server/daemon.h"
#include "scheduler/server/engine_loop.h"
#include "sluice/v1/scheduler.grpc.pb.h"
#include "tests/sluicectl/temp_dir.h"

namespace sluice::ctl::testing {

// Answers every write with success, from the engine thread, one task later.
class SucceedingWriter : public PodWriter {
 public:
  void Create(const CreatePodCommand& command) override {
    const uint64_t id = command.request_id;
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
  EngineLoop* loop_ = nullptr;
};

class InProcessDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override { StartDaemon(SluicedConfig()); }
  void TearDown() override {
    if (daemon_ != nullptr) daemon_->Shutdown(absl::Seconds(5));
  }

  // (Re)starts the daemon with `config` on dir_/sluice.sock, metrics off.
  void StartDaemon(SluicedConfig config) {
    if (daemon_ != nullptr) daemon_->Shutdown(absl::Seconds(5));
    config.listen = address();
    config.metrics_listen = "";
    Daemon::Options options;
    options.writer = &writer_;
    options.version = "test";
    auto daemon = Daemon::Start(config, options);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
    writer_.loop_ = &daemon_->loop();
    stub_ = v1::Scheduler::NewStub(
        grpc::CreateChannel(daemon_->listen_address(), grpc::InsecureChannelCredentials()));
  }

  std::string address() const { return absl::StrCat("unix://", dir_.path(), "/sluice.sock"); }

  // Waits (polling GetStatus) until `n` WatchEvents streams are open.
  void WaitForWatchStreams(uint32_t n) {
    for (int i = 0; i < 2000; ++i) {
      v1::GetStatusResponse status;
      grpc::ClientContext context;
      ASSERT_TRUE(stub_->GetStatus(&context, v1::GetStatusRequest(), &status).ok());
      if (status.watch_streams() == n) return;
      absl::SleepFor(absl::Milliseconds(5));
    }
    FAIL() << "the watch stream never registered";
  }

  TempDir dir_;
  SucceedingWriter writer_;
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<v1::Scheduler::Stub> stub_;
};

}  // namespace sluice::ctl::testing

#endif  // SLUICE_TESTS_SLUICECTL_IN_PROCESS_DAEMON_H_
