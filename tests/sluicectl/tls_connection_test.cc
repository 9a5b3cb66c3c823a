// The real sluicectl against an in-process sluiced listening on TCP with
// mutual TLS (certificates made at test time with openssl).
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/test_pki.h"
#include "tests/sluicectl/in_process_daemon.h"
#include "tests/sluicectl/sluicectl_process.h"

namespace sluice::ctl {
namespace {

using ::sluice::ctl::testing::RunResult;
using ::sluice::ctl::testing::RunSluicectl;
using ::sluice::ctl::testing::SucceedingWriter;
using ::sluice::testing::TestPki;
using ::testing::HasSubstr;

class TlsConnectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<TestPki> pki = TestPki::Make();
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = new TestPki(std::move(*pki));
  }
  static void TearDownTestSuite() {
    pki_->Remove();
    delete pki_;
  }

  void SetUp() override {
    SluicedConfig config;
    config.listen = "127.0.0.1:0";
    config.metrics_listen = "";
    config.tls = {pki_->server_cert, pki_->server_key, pki_->ca_cert};
    Daemon::Options options;
    options.writer = &writer_;
    options.version = "test";
    auto daemon = Daemon::Start(config, options);
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
    writer_.loop_ = &daemon_->loop();
  }
  void TearDown() override {
    if (daemon_ != nullptr) daemon_->Shutdown(absl::Seconds(5));
  }

  std::vector<std::string> Args(std::vector<std::string> tls, const std::string& command) {
    std::vector<std::string> args = {"--address", daemon_->listen_address(), "--timeout", "5"};
    args.insert(args.end(), tls.begin(), tls.end());
    args.push_back(command);
    return args;
  }

  static TestPki* pki_;
  SucceedingWriter writer_;
  std::unique_ptr<Daemon> daemon_;
};

TestPki* TlsConnectionTest::pki_ = nullptr;

TEST_F(TlsConnectionTest, AClientCertificateFromTheRightCaIsServed) {
  const RunResult r = RunSluicectl(Args(
      {"--tls-ca", pki_->ca_cert, "--tls-cert", pki_->client_cert, "--tls-key", pki_->client_key},
      "status"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("sluiced test"));
}

TEST_F(TlsConnectionTest, TheEnvironmentCarriesTheFiles) {
  const RunResult r = RunSluicectl(
      Args({}, "status"), {"SLUICE_TLS_CA=" + pki_->ca_cert, "SLUICE_TLS_CERT=" + pki_->client_cert,
                           "SLUICE_TLS_KEY=" + pki_->client_key});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(TlsConnectionTest, PlaintextIsRefusedWithAHint) {
  const RunResult r = RunSluicectl(Args({}, "status"));
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_THAT(r.err, HasSubstr("give --tls-ca, --tls-cert and --tls-key"));
}

TEST_F(TlsConnectionTest, NoClientCertificateIsRefused) {
  const RunResult r = RunSluicectl(Args({"--tls-ca", pki_->ca_cert}, "status"));
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_THAT(r.err, HasSubstr("does its certificate chain to --tls-ca"));
}

TEST_F(TlsConnectionTest, ACertificateFromAnotherCaIsRefused) {
  const RunResult r = RunSluicectl(Args({"--tls-ca", pki_->ca_cert, "--tls-cert",
                                         pki_->stranger_cert, "--tls-key", pki_->stranger_key},
                                        "status"));
  EXPECT_EQ(r.exit_code, 3) << r.out;
}

TEST_F(TlsConnectionTest, AnUnreadableFileIsAUsageError) {
  const RunResult r = RunSluicectl(Args({"--tls-ca", "/nonexistent/ca.pem"}, "status"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.err, HasSubstr("--tls-ca /nonexistent/ca.pem: cannot read it"));
}

}  // namespace
}  // namespace sluice::ctl
