#include "scheduler/server/listen_security.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/test_pki.h"

namespace sluice {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ParseListenAddressTest, UnixSocketsNeedAnAbsolutePath) {
  absl::StatusOr<ListenAddress> a = ParseListenAddress("unix:///var/run/sluice/sluice.sock");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->kind, ListenAddress::Kind::kUnixSocket);
  EXPECT_EQ(a->socket_path, "/var/run/sluice/sluice.sock");
  EXPECT_THAT(ParseListenAddress("unix:sluice.sock").status().message(),
              HasSubstr("unix:///absolute/path"));
  EXPECT_THAT(ParseListenAddress("unix-abstract:sluice").status().message(),
              HasSubstr("no file permissions"));
}

TEST(ParseListenAddressTest, LoopbackIsRecognised) {
  for (const char* address : {"127.0.0.1:0", "127.1.2.3:7070", "[::1]:7070", "localhost:7070",
                              "LOCALHOST:1", "[::ffff:127.0.0.1]:7070"}) {
    absl::StatusOr<ListenAddress> a = ParseListenAddress(address);
    ASSERT_TRUE(a.ok()) << address << ": " << a.status();
    EXPECT_EQ(a->kind, ListenAddress::Kind::kTcp) << address;
    EXPECT_TRUE(a->loopback) << address;
  }
  for (const char* address : {"0.0.0.0:7070", "[::]:7070", ":7070", "10.0.0.5:7070",
                              "sluice.argo.svc:7070", "128.0.0.1:7070"}) {
    absl::StatusOr<ListenAddress> a = ParseListenAddress(address);
    ASSERT_TRUE(a.ok()) << address << ": " << a.status();
    EXPECT_FALSE(a->loopback) << address;
  }
}

TEST(ParseListenAddressTest, MalformedAddressesSayWhy) {
  EXPECT_THAT(ParseListenAddress("127.0.0.1").status().message(), HasSubstr("HOST:PORT"));
  EXPECT_THAT(ParseListenAddress("::1:7070").status().message(), HasSubstr("in brackets"));
  EXPECT_THAT(ParseListenAddress("[::1]7070").status().message(), HasSubstr("[IPV6]:PORT"));
  EXPECT_THAT(ParseListenAddress("127.0.0.1:99999").status().message(), HasSubstr("0..65535"));
}

SluicedConfig Listening(const std::string& address) {
  SluicedConfig config;
  config.listen = address;
  return config;
}

TEST(CheckListenSecurityTest, UnixSocketAndLoopbackNeedNoTls) {
  EXPECT_TRUE(CheckListenSecurity(Listening("unix:///tmp/s.sock")).ok());
  EXPECT_TRUE(CheckListenSecurity(Listening("127.0.0.1:0")).ok());
  EXPECT_TRUE(CheckListenSecurity(Listening("[::1]:0")).ok());
}

TEST(CheckListenSecurityTest, OtherTcpAddressesNeedTlsOrTheInsecureFlag) {
  SluicedConfig config = Listening("0.0.0.0:7070");
  absl::Status status = CheckListenSecurity(config);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("listen: 0.0.0.0:7070 is a TCP address"));
  EXPECT_THAT(status.message(), HasSubstr("--insecure-tcp-without-tls"));

  config.insecure_tcp_without_tls = true;
  EXPECT_TRUE(CheckListenSecurity(config).ok());

  config.insecure_tcp_without_tls = false;
  config.tls = {"/c.pem", "/k.pem", "/ca.pem"};
  EXPECT_TRUE(CheckListenSecurity(config).ok());
}

TEST(CheckListenSecurityTest, ReportsEveryMistakeWithItsPath) {
  SluicedConfig config = Listening("0.0.0.0:7070");
  config.tls.cert_file = "/c.pem";
  config.insecure_tcp_without_tls = true;
  absl::Status status = CheckListenSecurity(config);
  EXPECT_THAT(status.message(), HasSubstr("config: 3 errors"));
  EXPECT_THAT(status.message(), HasSubstr("tls.key_file: required"));
  EXPECT_THAT(status.message(), HasSubstr("tls.client_ca_file: required"));
  EXPECT_THAT(status.message(), HasSubstr("insecure_tcp_without_tls: contradicts tls"));
  EXPECT_THAT(status.message(), Not(HasSubstr("tls.cert_file")));
}

TEST(CheckListenSecurityTest, ReadsItsKeysFromTheConfigFile) {
  absl::StatusOr<SluicedConfig> config = ParseConfig(R"(
listen: 0.0.0.0:7070
listen_socket_group: sluice
tls:
  cert_file: /etc/sluice/tls/tls.crt
  key_file: /etc/sluice/tls/tls.key
  client_ca_file: /etc/sluice/tls/ca.crt
)");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen_socket_group, "sluice");
  EXPECT_EQ(config->tls.cert_file, "/etc/sluice/tls/tls.crt");
  EXPECT_EQ(config->tls.key_file, "/etc/sluice/tls/tls.key");
  EXPECT_EQ(config->tls.client_ca_file, "/etc/sluice/tls/ca.crt");
  EXPECT_FALSE(config->insecure_tcp_without_tls);
  EXPECT_TRUE(CheckListenSecurity(*config).ok());

  config = ParseConfig("listen: 0.0.0.0:7070\ninsecure_tcp_without_tls: true\n");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->insecure_tcp_without_tls);
  EXPECT_TRUE(CheckListenSecurity(*config).ok());

  EXPECT_THAT(ParseConfig("tls: {cert_fil: /x}\n").status().message(), HasSubstr("tls.cert_fil"));
}

class TlsFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<testing::TestPki> pki = testing::TestPki::Make();
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = *pki;
  }
  void TearDown() override { pki_.Remove(); }

  SluicedConfig Tls() const {
    SluicedConfig config = Listening("127.0.0.1:0");
    config.tls = {pki_.server_cert, pki_.server_key, pki_.ca_cert};
    return config;
  }

  testing::TestPki pki_;
};

TEST_F(TlsFilesTest, GoodFilesMakeCredentials) {
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      MakeServerCredentials(Tls());
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_NE(*credentials, nullptr);
}

TEST_F(TlsFilesTest, MissingFilesAndAKeyOfAnotherCertificateAreReported) {
  SluicedConfig config = Tls();
  config.tls.key_file = pki_.client_key;  // a real key, but not the server certificate's
  config.tls.client_ca_file = pki_.dir + "/missing.pem";
  absl::Status status = MakeServerCredentials(config).status();
  EXPECT_THAT(status.message(), HasSubstr("config: 2 errors"));
  EXPECT_THAT(status.message(), HasSubstr("tls.key_file: " + pki_.client_key +
                                          " does not match the certificate in tls.cert_file"));
  EXPECT_THAT(status.message(), HasSubstr("tls.client_ca_file: cannot read"));
  // The key itself never appears in the message.
  EXPECT_THAT(status.message(), Not(HasSubstr("PRIVATE KEY")));
}

TEST_F(TlsFilesTest, ACertificateWhereTheKeyShouldBeIsRefused) {
  SluicedConfig config = Tls();
  config.tls.key_file = pki_.server_cert;
  config.tls.cert_file = pki_.server_key;
  absl::Status status = MakeServerCredentials(config).status();
  EXPECT_THAT(status.message(),
              HasSubstr("tls.cert_file: " + pki_.server_key + " holds no PEM certificate"));
  EXPECT_THAT(status.message(), HasSubstr("tls.key_file: " + pki_.server_cert +
                                          " holds no unencrypted PEM private key"));
}

class SocketFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/sluice-sock-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    path_ = dir_ + "/s.sock";
    std::ofstream(path_) << "";
    ASSERT_EQ(::chmod(path_.c_str(), 0777), 0);
  }
  void TearDown() override {
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  struct stat Stat() const {
    struct stat st {};
    EXPECT_EQ(::stat(path_.c_str(), &st), 0);
    return st;
  }
  std::string dir_;
  std::string path_;
};

TEST_F(SocketFileTest, NoGroupMeansOwnerOnly) {
  ASSERT_TRUE(SecureSocketFile(path_, "").ok());
  EXPECT_EQ(Stat().st_mode & 0777, 0600u);
}

TEST_F(SocketFileTest, AGroupGetsReadAndWrite) {
  const gid_t gid = getgid();
  ASSERT_TRUE(SecureSocketFile(path_, absl::StrCat(gid)).ok());
  EXPECT_EQ(Stat().st_mode & 0777, 0660u);
  EXPECT_EQ(Stat().st_gid, gid);
}

TEST_F(SocketFileTest, AnUnknownGroupIsAnError) {
  absl::Status status = SecureSocketFile(path_, "no-such-group-for-sluice");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("listen_socket_group: no group named"));
}

}  // namespace
}  // namespace sluice
