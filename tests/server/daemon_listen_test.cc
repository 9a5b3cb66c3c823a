// The daemon's gRPC listener, started in-process: who may connect over a Unix
// socket, over TCP with mutual TLS, and which TCP addresses are refused.
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "scheduler/server/daemon.h"
#include "sluice/v1/scheduler.grpc.pb.h"
#include "tests/server/test_pki.h"

namespace sluice {
namespace {

using ::testing::HasSubstr;

// Takes every write and never answers: these tests only talk to the API.
class SilentWriter : public PodWriter {
 public:
  void Create(const CreatePodCommand&) override {}
  void Delete(const DeletePodCommand&) override {}
};

class DaemonListenTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (daemon_ != nullptr) daemon_->Shutdown(absl::ZeroDuration());
  }
  static void TearDownTestSuite() {
    if (pki_.has_value()) pki_->Remove();
    pki_.reset();
  }

  absl::Status Start(SluicedConfig config) {
    config.metrics_listen = "";
    Daemon::Options options;
    options.writer = &writer_;
    absl::StatusOr<std::unique_ptr<Daemon>> daemon = Daemon::Start(config, options);
    if (!daemon.ok()) return daemon.status();
    daemon_ = std::move(*daemon);
    return absl::OkStatus();
  }

  // Made once per suite (the openssl commands take most of the time).
  static const testing::TestPki& Pki() {
    if (!pki_.has_value()) {
      absl::StatusOr<testing::TestPki> pki = testing::TestPki::Make();
      EXPECT_TRUE(pki.ok()) << pki.status();
      pki_ = pki.ok() ? *pki : testing::TestPki{};
    }
    return *pki_;
  }

  SluicedConfig MutualTls() {
    SluicedConfig config;
    config.listen = "127.0.0.1:0";
    config.tls = {Pki().server_cert, Pki().server_key, Pki().ca_cert};
    return config;
  }

  // One GetStatus over `credentials`; fails fast rather than waiting for a
  // connection that will never be accepted.
  grpc::Status Call(const std::shared_ptr<grpc::ChannelCredentials>& credentials,
                    const std::string& address) {
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    auto channel = grpc::CreateCustomChannel(address, credentials, args);
    auto stub = v1::Scheduler::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::GetStatusResponse response;
    grpc::Status status = stub->GetStatus(&context, v1::GetStatusRequest(), &response);
    if (status.ok()) {
      EXPECT_EQ(response.epoch(), daemon_->epoch());
    }
    return status;
  }

  std::shared_ptr<grpc::ChannelCredentials> Tls(const std::string& cert, const std::string& key) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = testing::TestPki::Read(Pki().ca_cert);
    if (!cert.empty()) {
      options.pem_cert_chain = testing::TestPki::Read(cert);
      options.pem_private_key = testing::TestPki::Read(key);
    }
    return grpc::SslCredentials(options);
  }

  SilentWriter writer_;
  std::unique_ptr<Daemon> daemon_;
  static std::optional<testing::TestPki> pki_;
};

std::optional<testing::TestPki> DaemonListenTest::pki_;

TEST_F(DaemonListenTest, MutualTlsServesAClientWithACertificateFromTheRightCa) {
  ASSERT_TRUE(Start(MutualTls()).ok());
  EXPECT_TRUE(Call(Tls(Pki().client_cert, Pki().client_key), daemon_->listen_address()).ok());
}

TEST_F(DaemonListenTest, MutualTlsRefusesAClientWithoutACertificate) {
  ASSERT_TRUE(Start(MutualTls()).ok());
  grpc::Status status = Call(Tls("", ""), daemon_->listen_address());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

TEST_F(DaemonListenTest, MutualTlsRefusesAClientCertificateFromAnotherCa) {
  ASSERT_TRUE(Start(MutualTls()).ok());
  grpc::Status status =
      Call(Tls(Pki().stranger_cert, Pki().stranger_key), daemon_->listen_address());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

TEST_F(DaemonListenTest, MutualTlsRefusesAPlaintextClient) {
  ASSERT_TRUE(Start(MutualTls()).ok());
  grpc::Status status = Call(grpc::InsecureChannelCredentials(), daemon_->listen_address());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

TEST_F(DaemonListenTest, LoopbackWithoutTlsIsServed) {
  SluicedConfig config;
  config.listen = "127.0.0.1:0";
  ASSERT_TRUE(Start(config).ok());
  EXPECT_TRUE(Call(grpc::InsecureChannelCredentials(), daemon_->listen_address()).ok());
}

TEST_F(DaemonListenTest, AnyOtherTcpAddressWithoutTlsIsRefusedAtStart) {
  SluicedConfig config;
  config.listen = "0.0.0.0:0";
  absl::Status status = Start(config);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("listen: 0.0.0.0:0 is a TCP address"));
  EXPECT_THAT(status.message(), HasSubstr("--insecure-tcp-without-tls"));
}

TEST_F(DaemonListenTest, TheInsecureFlagServesAnyTcpAddressWithoutTls) {
  SluicedConfig config;
  config.listen = "0.0.0.0:0";
  config.insecure_tcp_without_tls = true;
  ASSERT_TRUE(Start(config).ok());
  const std::string& address = daemon_->listen_address();
  const std::string port = address.substr(address.rfind(':') + 1);
  EXPECT_TRUE(Call(grpc::InsecureChannelCredentials(), "127.0.0.1:" + port).ok());
}

TEST_F(DaemonListenTest, BadTlsFilesStopTheStart) {
  SluicedConfig config = MutualTls();
  config.tls.key_file = Pki().client_key;
  absl::Status status = Start(config);
  EXPECT_THAT(status.message(), HasSubstr("does not match the certificate in tls.cert_file"));
}

class DaemonSocketTest : public DaemonListenTest {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/sluice-sock-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override {
    DaemonListenTest::TearDown();
    ::unlink((dir_ + "/sluice.sock").c_str());
    ::rmdir(dir_.c_str());
  }
  SluicedConfig Socket() const {
    SluicedConfig config;
    config.listen = absl::StrCat("unix://", dir_, "/sluice.sock");
    return config;
  }
  struct stat Stat() const {
    struct stat st {};
    EXPECT_EQ(::stat((dir_ + "/sluice.sock").c_str(), &st), 0);
    return st;
  }
  std::string dir_;
};

TEST_F(DaemonSocketTest, TheSocketIsTheDaemonUsersAlone) {
  ASSERT_TRUE(Start(Socket()).ok());
  EXPECT_TRUE(S_ISSOCK(Stat().st_mode));
  EXPECT_EQ(Stat().st_mode & 0777, 0600u);
  EXPECT_TRUE(Call(grpc::InsecureChannelCredentials(), daemon_->listen_address()).ok());
}

TEST_F(DaemonSocketTest, AConfiguredGroupMayConnectToo) {
  SluicedConfig config = Socket();
  config.listen_socket_group = absl::StrCat(getgid());
  ASSERT_TRUE(Start(config).ok());
  EXPECT_EQ(Stat().st_mode & 0777, 0660u);
  EXPECT_EQ(Stat().st_gid, getgid());
}

TEST_F(DaemonSocketTest, AnUnknownGroupStopsTheStart) {
  SluicedConfig config = Socket();
  config.listen_socket_group = "no-such-group-for-sluice";
  absl::Status status = Start(config);
  EXPECT_THAT(status.message(), HasSubstr("listen_socket_group: no group named"));
}

}  // namespace
}  // namespace sluice
