// The TLS side of sluicectl's connection: flags, environment and files.
#include "tools/sluicectl/client_tls.h"

#include <cstring>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sluicectl/temp_dir.h"

namespace sluice::ctl {
namespace {

using ::sluice::ctl::testing::TempDir;
using ::testing::HasSubstr;

const char* FakeEnv(const char* name) {
  if (std::strcmp(name, "SLUICE_TLS_CA") == 0) return "/env/ca.pem";
  if (std::strcmp(name, "SLUICE_TLS_CERT") == 0) return "/env/cert.pem";
  return nullptr;
}

TEST(ClientTlsTest, FlagsWinAndTheEnvironmentFillsTheRest) {
  ClientTls flags;
  flags.ca_file = "/flag/ca.pem";
  const ClientTls tls = TlsWithEnvironment(flags, &FakeEnv);
  EXPECT_EQ(tls.ca_file, "/flag/ca.pem");
  EXPECT_EQ(tls.cert_file, "/env/cert.pem");
  EXPECT_EQ(tls.key_file, "");
  EXPECT_EQ(tls.server_name, "");
  EXPECT_TRUE(tls.enabled());
  EXPECT_FALSE(ClientTls().enabled());
}

TEST(ClientTlsTest, NoTlsIsPlaintext) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds =
      MakeChannelCredentials(ClientTls());
  ASSERT_TRUE(creds.ok()) << creds.status();
  EXPECT_NE(*creds, nullptr);
}

TEST(ClientTlsTest, ACertificateNeedsItsKey) {
  ClientTls tls;
  tls.ca_file = "/x/ca.pem";
  tls.cert_file = "/x/cert.pem";
  const absl::Status s = MakeChannelCredentials(tls).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("--tls-cert and --tls-key go together"));
}

TEST(ClientTlsTest, AServerNameAloneIsNotTls) {
  ClientTls tls;
  tls.server_name = "sluice.example";
  EXPECT_THAT(MakeChannelCredentials(tls).status().message(),
              HasSubstr("--tls-server-name needs TLS"));
}

TEST(ClientTlsTest, UnreadableAndNonPemFilesNameTheirFlag) {
  TempDir dir;
  ClientTls tls;
  tls.ca_file = dir.path() + "/missing.pem";
  absl::Status s = MakeChannelCredentials(tls).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("--tls-ca " + dir.path() + "/missing.pem: cannot read it"));

  tls.ca_file =
      dir.Write("ca.pem", "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n");
  tls.cert_file = dir.Write("cert.pem", "not a certificate");
  tls.key_file = dir.Write("key.pem", "-----BEGIN PRIVATE KEY-----\n");
  s = MakeChannelCredentials(tls).status();
  EXPECT_THAT(s.message(), HasSubstr("--tls-cert " + dir.path() + "/cert.pem: not a PEM file"));
}

TEST(ClientTlsTest, PemFilesMakeTlsCredentials) {
  TempDir dir;
  ClientTls tls;
  tls.ca_file =
      dir.Write("ca.pem", "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n");
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds = MakeChannelCredentials(tls);
  ASSERT_TRUE(creds.ok()) << creds.status();
  EXPECT_NE(*creds, nullptr);
}

}  // namespace
}  // namespace sluice::ctl
