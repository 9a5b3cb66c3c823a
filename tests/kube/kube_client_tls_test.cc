// The Kubernetes client over TLS with a kubeconfig (CA data or file,
// tls-server-name, insecure-skip-tls-verify, client certificate) and bearer
// tokens (static, wrong, missing, rotated in a tokenFile), against kubesim
// serving a certificate made at test time and requiring the token.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scheduler/common/clock.h"
#include "scheduler/kube/kube_client.h"
#include "scheduler/kube/kube_config.h"
#include "scheduler/kube/kube_objects.h"
#include "tests/kube/kubesim_harness.h"
#include "tests/kube/temp_dir.h"
#include "tests/kube/test_pki.h"

namespace sluice::kube {
namespace {

using testing::AwaitResult;
using ::testing::HasSubstr;
using testing::Kubesim;
using testing::PodJson;
using testing::TempDir;

constexpr char kToken[] = "sluice-token-0123456789";

// Settings of the kubeconfig under test.
struct KubeconfigSpec {
  std::string cluster_lines;  // after `server:`
  std::string user_lines;
};

class KubeClientTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::MakeTestPki(&pki_));
    kubesim::ServerOptions server;
    server.tls_cert_file = dir_.Write("server.crt", pki_.server_cert_pem);
    server.tls_key_file = dir_.Write("server.key", pki_.server_key_pem);
    server.token = kToken;
    sim_ = std::make_unique<Kubesim>(server);
    ASSERT_EQ(sim_->url().substr(0, 8), "https://");
  }

  std::string CaData() const { return absl::Base64Escape(pki_.ca_cert_pem); }

  // Writes a kubeconfig for kubesim and loads it.
  absl::StatusOr<KubeConfig> LoadConfig(const KubeconfigSpec& spec,
                                        const std::string& server_url = "") {
    const std::string yaml = absl::StrCat(
        "apiVersion: v1\nkind: Config\ncurrent-context: sim\n",
        "clusters:\n- name: kubesim\n  cluster:\n    server: ",
        server_url.empty() ? sim_->url() : server_url, "\n", spec.cluster_lines,
        "users:\n- name: sluice\n  user:\n", spec.user_lines.empty() ? "    {}\n" : spec.user_lines,
        "contexts:\n- name: sim\n  context: {cluster: kubesim, user: sluice, namespace: work}\n");
    return LoadKubeconfigFile(dir_.Write("kubeconfig", yaml));
  }

  std::unique_ptr<KubeClient> Connect(const KubeconfigSpec& spec,
                                      const std::string& server_url = "") {
    absl::StatusOr<KubeConfig> config = LoadConfig(spec, server_url);
    EXPECT_TRUE(config.ok()) << config.status();
    if (!config.ok()) return nullptr;
    KubeClientOptions options;
    options.config = *config;
    absl::StatusOr<std::unique_ptr<KubeClient>> client =
        KubeClient::Create(std::move(options), RealClock::Get());
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? std::move(*client) : nullptr;
  }

  KubeconfigSpec CaDataAndToken() const {
    return {absl::StrCat("    certificate-authority-data: ", CaData(), "\n"),
            absl::StrCat("    token: ", kToken, "\n")};
  }

  static ApiResult Create(KubeClient& client, const std::string& name) {
    AwaitResult r;
    client.CreatePod(client.config().default_namespace, PodJson(name), r.Callback());
    return r.Get();
  }

  // kubesim's request counters, read over the verified TLS connection.
  std::string Stats() {
    auto client = Connect(CaDataAndToken());
    HttpRequest request;
    request.target = "/sim/stats";
    AwaitResult r;
    client->transport().Submit(std::move(request),
                               [done = r.Callback()](HttpResponse response) mutable {
                                 done(ClassifyResponse(std::move(response)));
                               });
    return r.Get().body;
  }

  TempDir dir_;
  testing::TestPki pki_;
  std::unique_ptr<Kubesim> sim_;
};

TEST_F(KubeClientTlsTest, CaDataAndTokenCarryEveryVerb) {
  auto client = Connect(CaDataAndToken());
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->config().default_namespace, "work");

  ApiResult created = Create(*client, "p");
  ASSERT_EQ(created.code, ApiCode::kCreated) << created.Summary();
  EXPECT_EQ(created.http_version, 11);  // kubesim offers no HTTP/2 through ALPN

  AwaitResult got;
  client->Get(ResourceRef::Pods("work"), "p", got.Callback());
  EXPECT_EQ(got.Get().code, ApiCode::kOk);

  ListOptions list_options;
  list_options.limit = 10;
  AwaitResult list;
  client->List(ResourceRef::Pods(), list_options, list.Callback());
  ApiResult listed = list.Get();
  ASSERT_EQ(listed.code, ApiCode::kOk) << listed.Summary();
  KubeObjectParser parser;
  std::vector<PodInfo> pods;
  ListMeta meta;
  ASSERT_TRUE(parser.ParsePodList(listed.body, &pods, &meta).ok());
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0].name, "p");

  // A watch over TLS: the synthetic ADDED for the current state.
  absl::Mutex mu;
  std::vector<std::string> objects;
  AwaitResult ended;
  const RequestId id = client->Watch(
      ResourceRef::Pods("work"), WatchOptions{},
      [&](absl::string_view object) {
        absl::MutexLock lock(&mu);
        objects.emplace_back(object);
      },
      ended.Callback());
  {
    absl::MutexLock lock(&mu);
    ASSERT_TRUE(
        mu.AwaitWithTimeout(absl::Condition(
                                +[](std::vector<std::string>* o) { return !o->empty(); }, &objects),
                            absl::Seconds(15)));
    EXPECT_THAT(objects[0], HasSubstr(R"("type":"ADDED")"));
  }
  client->Cancel(id);
  EXPECT_EQ(ended.Get().transport_error, TransportError::kAborted);

  DeleteOptions now;
  now.grace_period_seconds = 0;
  AwaitResult deleted;
  client->DeletePod("work", "p", now, deleted.Callback());
  EXPECT_EQ(deleted.Get().code, ApiCode::kOk);
}

TEST_F(KubeClientTlsTest, WrongOrMissingTokenIs401AndNotRetried) {
  struct Case {
    const char* name;
    std::string user_lines;
  };
  const std::vector<Case> cases = {
      {"wrong token", "    token: not-the-token\n"},
      {"no token", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto client =
        Connect({absl::StrCat("    certificate-authority-data: ", CaData(), "\n"), c.user_lines});
    ApiResult r = Create(*client, "p");
    EXPECT_EQ(r.code, ApiCode::kUnauthorized) << r.Summary();
    EXPECT_EQ(r.http_status, 401);
    EXPECT_EQ(r.reason, "Unauthorized");
    EXPECT_EQ(r.message, "Unauthorized");
    EXPECT_FALSE(r.retryable());
    EXPECT_THAT(r.Summary(), ::testing::Not(HasSubstr("not-the-token")));
  }
  // A static token cannot change: each create was tried once.
  EXPECT_THAT(Stats(), HasSubstr(R"("create":{"401":2})"));
}

TEST_F(KubeClientTlsTest, RotatedTokenFileIsReReadAfter401) {
  const std::string token_file = dir_.Write("token", "expired-token\n");
  auto client = Connect({absl::StrCat("    certificate-authority-data: ", CaData(), "\n"),
                         absl::StrCat("    tokenFile: ", token_file, "\n")});
  ASSERT_NE(client, nullptr);
  dir_.Write("token", absl::StrCat(kToken, "\n"));  // the kubelet rotates it
  ApiResult r = Create(*client, "p");
  EXPECT_EQ(r.code, ApiCode::kCreated) << r.Summary();
  // One 401 with the old token, one retry with the new.
  EXPECT_THAT(Stats(), HasSubstr(R"("create":{"201":1,"401":1})"));
  // The new token is kept: no more 401s.
  EXPECT_EQ(Create(*client, "q").code, ApiCode::kCreated);
  EXPECT_THAT(Stats(), HasSubstr(R"("create":{"201":2,"401":1})"));
}

TEST_F(KubeClientTlsTest, UnchangedTokenFileGives401AfterOneReRead) {
  const std::string token_file = dir_.Write("token", "revoked-token");
  auto client = Connect({absl::StrCat("    certificate-authority-data: ", CaData(), "\n"),
                         absl::StrCat("    tokenFile: ", token_file, "\n")});
  ApiResult r = Create(*client, "p");
  EXPECT_EQ(r.code, ApiCode::kUnauthorized) << r.Summary();
  EXPECT_THAT(Stats(), HasSubstr(R"("create":{"401":1})"));
}

TEST_F(KubeClientTlsTest, WatchRetriedAfter401CanStillBeCanceled) {
  absl::Notification first_object;  // outlives the client, whose watch calls it
  AwaitResult ended;
  auto good = Connect(CaDataAndToken());
  ASSERT_EQ(Create(*good, "p").code, ApiCode::kCreated);
  const std::string token_file = dir_.Write("token", "expired-token");
  auto client = Connect({absl::StrCat("    certificate-authority-data: ", CaData(), "\n"),
                         absl::StrCat("    tokenFile: ", token_file, "\n")});
  dir_.Write("token", kToken);
  const RequestId id = client->Watch(
      ResourceRef::Pods("work"), WatchOptions{},
      [&](absl::string_view) {
        if (!first_object.HasBeenNotified()) first_object.Notify();
      },
      ended.Callback());
  ASSERT_TRUE(first_object.WaitForNotificationWithTimeout(absl::Seconds(15)));
  // The id handed out names the watch, whichever attempt is streaming.
  client->Cancel(id);
  ApiResult end = ended.Get();
  EXPECT_EQ(end.code, ApiCode::kTransportError) << end.Summary();
  EXPECT_EQ(end.transport_error, TransportError::kAborted);
}

TEST_F(KubeClientTlsTest, UnknownCaFailsTheHandshake) {
  testing::TestPki other;
  ASSERT_TRUE(testing::MakeTestPki(&other));
  auto client =
      Connect({absl::StrCat(
                   "    certificate-authority-data: ", absl::Base64Escape(other.ca_cert_pem), "\n"),
               absl::StrCat("    token: ", kToken, "\n")});
  ApiResult r = Create(*client, "p");
  EXPECT_EQ(r.code, ApiCode::kTransportError) << r.Summary();
  EXPECT_EQ(r.transport_error, TransportError::kTls);
  EXPECT_FALSE(r.retryable());
  EXPECT_EQ(sim_->cluster().store().Find("pods", "work", "p"), nullptr);
}

TEST_F(KubeClientTlsTest, InsecureSkipTlsVerifyAcceptsTheUnknownCertificate) {
  auto client =
      Connect({"    insecure-skip-tls-verify: true\n", absl::StrCat("    token: ", kToken, "\n")});
  EXPECT_EQ(Create(*client, "p").code, ApiCode::kCreated);
}

TEST_F(KubeClientTlsTest, SystemStoreDoesNotTrustTheTestCa) {
  auto client = Connect({"", absl::StrCat("    token: ", kToken, "\n")});
  ApiResult r = Create(*client, "p");
  EXPECT_EQ(r.transport_error, TransportError::kTls) << r.Summary();
}

TEST_F(KubeClientTlsTest, CaFileAndTlsServerName) {
  dir_.Write("pki/ca.crt", pki_.ca_cert_pem);
  // The certificate names 127.0.0.1 and kubesim.test.
  auto named =
      Connect({"    certificate-authority: pki/ca.crt\n    tls-server-name: kubesim.test\n",
               absl::StrCat("    token: ", kToken, "\n")});
  ApiResult r = Create(*named, "p");
  EXPECT_EQ(r.code, ApiCode::kCreated) << r.Summary();

  auto wrong = Connect({"    certificate-authority: pki/ca.crt\n    tls-server-name: other.test\n",
                        absl::StrCat("    token: ", kToken, "\n")});
  ApiResult refused = Create(*wrong, "q");
  EXPECT_EQ(refused.transport_error, TransportError::kTls) << refused.Summary();
}

TEST_F(KubeClientTlsTest, ClientCertificateFromKubeconfigData) {
  // kubesim does not ask for client certificates; the handshake must still
  // succeed with one configured (and the token authenticates).
  auto client = Connect(
      {absl::StrCat("    certificate-authority-data: ", CaData(), "\n"),
       absl::StrCat("    token: ", kToken,
                    "\n    client-certificate-data: ", absl::Base64Escape(pki_.client_cert_pem),
                    "\n    client-key-data: ", absl::Base64Escape(pki_.client_key_pem), "\n")});
  EXPECT_EQ(Create(*client, "p").code, ApiCode::kCreated);
}

TEST_F(KubeClientTlsTest, PlainHttpToATlsPortIsATransportError) {
  auto client = Connect({"", absl::StrCat("    token: ", kToken, "\n")},
                        absl::StrCat("http://127.0.0.1:", sim_->port()));
  ApiResult r = Create(*client, "p");
  EXPECT_EQ(r.code, ApiCode::kTransportError) << r.Summary();
}

}  // namespace
}  // namespace sluice::kube
