// The HTTP face of kubesim, in process on 127.0.0.1:0.
#include "tools/kubesim/api_server.h"

#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "scheduler/common/clock.h"
#include "tests/kubesim/test_pods.h"
#include "tools/kubesim/api_error.h"
#include "tools/kubesim/json_parse.h"
#include "tools/kubesim/sim_cluster.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {
namespace {

using testing::PodBody;

class ApiServerTest : public ::testing::Test {
 protected:
  void Start(ServerOptions server = {}, ClusterOptions cluster = Quiet()) {
    cluster_ = std::make_unique<SimCluster>(RealClock::Get(), cluster);
    server_ = std::make_unique<ApiServer>(cluster_.get(), server, RealClock::Get());
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Stop();
  }
  static ClusterOptions Quiet() {
    ClusterOptions o;
    o.kubelet.enabled = false;  // no real-time transitions in these tests
    o.nodes = 1;
    return o;
  }
  httplib::Client Client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(10, 0);
    return c;
  }
  httplib::Result Post(std::string_view path, const std::string& body,
                       const httplib::Headers& headers = {}) {
    return Client().Post(std::string(path), headers, body, "application/json");
  }
  httplib::Result Get(std::string_view path, const httplib::Headers& headers = {}) {
    return Client().Get(std::string(path), headers);
  }
  rapidjson::Document Json(const std::string& s) {
    rapidjson::Document d;
    ParseJson(s, &d);
    EXPECT_FALSE(d.HasParseError()) << s;
    return d;
  }

  std::unique_ptr<SimCluster> cluster_;
  std::unique_ptr<ApiServer> server_;
  int port_ = 0;
};

TEST_F(ApiServerTest, CreateGetAndErrorBodies) {
  Start();
  auto created = Post("/api/v1/namespaces/ns/pods", PodBody("p1"));
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201);
  EXPECT_EQ(created->get_header_value("Content-Type"), "application/json");
  EXPECT_FALSE(created->get_header_value("X-Kubernetes-Pf-Flowschema-Uid").empty());
  EXPECT_FALSE(created->get_header_value("X-Kubernetes-Pf-Prioritylevel-Uid").empty());
  auto pod = Json(created->body);
  EXPECT_STREQ(pod["metadata"]["name"].GetString(), "p1");
  EXPECT_STREQ(pod["status"]["phase"].GetString(), "Pending");
  EXPECT_STREQ(pod["status"]["qosClass"].GetString(), "BestEffort");

  auto dup = Post("/api/v1/namespaces/ns/pods", PodBody("p1"));
  EXPECT_EQ(dup->status, 409);
  EXPECT_EQ(dup->body, AlreadyExists("pods", "p1", false).body);

  auto invalid = Post("/api/v1/namespaces/ns/pods", R"({"metadata":{"name":"x"},"spec":{}})");
  EXPECT_EQ(invalid->status, 422);
  EXPECT_EQ(
      invalid->body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Pod \"x\" is invalid: spec.containers: Required value","reason":"Invalid","details":{"name":"x","kind":"Pod","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.containers"}]},"code":422})");

  auto got = Get("/api/v1/namespaces/ns/pods/p1");
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, created->body);
  EXPECT_EQ(Get("/api/v1/namespaces/ns/pods/p1/status")->body, created->body);
  auto missing = Get("/api/v1/namespaces/ns/pods/nope");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, NotFound("pods", "nope").body);
  EXPECT_EQ(Get("/api/v1/widgets")->status, 404);
  EXPECT_EQ(Get("/apis/apps/v1/deployments")->body, NoSuchResource().body);
  EXPECT_EQ(
      Client().Patch("/api/v1/namespaces/ns/pods/p1", "{}", "application/merge-patch+json")->status,
      405);
}

TEST_F(ApiServerTest, UnknownNamespaceIs404WithoutAutoCreate) {
  ClusterOptions c = Quiet();
  c.auto_create_namespaces = false;
  Start({}, c);
  auto r = Post("/api/v1/namespaces/ghost/pods", PodBody("p"));
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, NotFound("namespaces", "ghost").body);
  auto ns = Post("/api/v1/namespaces",
                 R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"ghost"}})");
  EXPECT_EQ(ns->status, 201);
  EXPECT_EQ(Post("/api/v1/namespaces/ghost/pods", PodBody("p"))->status, 201);
  auto list = Json(Get("/api/v1/namespaces")->body);
  EXPECT_STREQ(list["kind"].GetString(), "NamespaceList");
  EXPECT_EQ(list["items"].Size(), 5u);  // default, kube-*, ghost
}

TEST_F(ApiServerTest, BearerTokenRequired) {
  ServerOptions s;
  s.token = "secret";
  Start(s);
  auto none = Get("/api/v1/pods");
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(
      none->body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})");
  EXPECT_EQ(Get("/api/v1/pods", {{"Authorization", "Bearer wrong"}})->status, 401);
  EXPECT_EQ(Post("/api/v1/namespaces/ns/pods", PodBody("p"))->status, 401);
  EXPECT_EQ(Get("/api/v1/pods", {{"Authorization", "Bearer secret"}})->status, 200);
  EXPECT_EQ(Get("/version")->status, 200);  // public, like system:public-info-viewer
  EXPECT_EQ(Get("/version", {{"Authorization", "Bearer wrong"}})->status, 401);
}

TEST_F(ApiServerTest, ThrottledCreatesGet429WithRetryAfter) {
  Start();
  // Change the limit while running: one token, refilled every 1000 s.
  auto limits = Client().Put("/sim/limits", R"({"mutating_qps":0.001,"mutating_burst":1})",
                             "application/json");
  ASSERT_EQ(limits->status, 200);
  auto l = Json(limits->body);
  EXPECT_EQ(l["mutating_burst"].GetInt(), 1);
  EXPECT_EQ(Post("/api/v1/namespaces/ns/pods", PodBody("a"))->status, 201);
  auto rejected = Post("/api/v1/namespaces/ns/pods", PodBody("b"));
  EXPECT_EQ(rejected->status, 429);
  EXPECT_EQ(rejected->body, "Too many requests, please try again later.\n");
  EXPECT_EQ(rejected->get_header_value("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(rejected->get_header_value("Retry-After"), "1");
  EXPECT_FALSE(rejected->get_header_value("X-Kubernetes-Pf-Flowschema-Uid").empty());
  // Reads are not throttled.
  EXPECT_EQ(Get("/api/v1/pods")->status, 200);
  auto stats = Json(Get("/sim/stats")->body);
  EXPECT_EQ(stats["rejected_429"].GetInt(), 1);
  EXPECT_EQ(stats["creates_accepted"].GetInt(), 1);
  EXPECT_EQ(stats["requests"]["create"]["429"].GetInt(), 1);
  EXPECT_EQ(stats["mutating_requests"].GetInt(), 2);
  EXPECT_EQ(stats["max_admitted_mutating_per_second"].GetInt(), 1);
  EXPECT_EQ(stats["pods_by_phase"]["Pending"].GetInt(), 1);
  EXPECT_EQ(Client().Put("/sim/limits", R"({"mutating_qps":-1})", "application/json")->status, 400);
  ASSERT_EQ(Client().Put("/sim/limits", R"({"mutating_qps":0})", "application/json")->status, 200);
  EXPECT_EQ(Post("/api/v1/namespaces/ns/pods", PodBody("b"))->status, 201);
  ASSERT_EQ(Client().Post("/sim/reset-stats", "", "application/json")->status, 200);
  EXPECT_EQ(Json(Get("/sim/stats")->body)["requests_total"].GetInt(), 0);
}

TEST_F(ApiServerTest, ListSelectorsAndPagination) {
  Start();
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(
        Post("/api/v1/namespaces/ns/pods",
             PodBody(Cat("p", i), Cat(R"("labels":{"parity":")", i % 2 ? "odd" : "even", R"("})")))
            ->status,
        201);
  }
  auto odd = Json(Get("/api/v1/namespaces/ns/pods?labelSelector=parity%3Dodd")->body);
  EXPECT_STREQ(odd["kind"].GetString(), "PodList");
  EXPECT_EQ(odd["items"].Size(), 2u);
  EXPECT_FALSE(odd["items"][0].HasMember("kind"));  // list items carry no type meta
  auto in = Json(Get("/api/v1/pods?labelSelector=parity%20in%20(odd,even),!missing")->body);
  EXPECT_EQ(in["items"].Size(), 5u);
  auto by_field = Json(Get("/api/v1/pods?fieldSelector=metadata.name%3Dp3")->body);
  ASSERT_EQ(by_field["items"].Size(), 1u);
  auto bad = Get("/api/v1/pods?fieldSelector=spec.foo%3Dx");
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(bad->body, BadRequest("field label not supported: spec.foo").body);
  EXPECT_EQ(Get("/api/v1/pods?labelSelector=a%20in%20b")->status, 400);

  auto page1 = Json(Get("/api/v1/namespaces/ns/pods?limit=2")->body);
  ASSERT_EQ(page1["items"].Size(), 2u);
  const std::string rv = page1["metadata"]["resourceVersion"].GetString();
  EXPECT_EQ(page1["metadata"]["remainingItemCount"].GetInt(), 3);
  std::string token = page1["metadata"]["continue"].GetString();
  ASSERT_EQ(Post("/api/v1/namespaces/ns/pods", PodBody("p9"))->status, 201);
  auto page2 = Json(Get(Cat("/api/v1/namespaces/ns/pods?limit=2&continue=", token))->body);
  EXPECT_EQ(std::string(page2["metadata"]["resourceVersion"].GetString()), rv);
  EXPECT_STREQ(page2["items"][0]["metadata"]["name"].GetString(), "p2");
  token = page2["metadata"]["continue"].GetString();
  auto page3 = Json(Get(Cat("/api/v1/namespaces/ns/pods?limit=2&continue=", token))->body);
  EXPECT_EQ(page3["items"].Size(), 1u);  // p4; p9 came after the snapshot
  EXPECT_FALSE(page3["metadata"].HasMember("continue"));

  // After a compaction the token expires: 410 with an inconsistent token.
  ASSERT_EQ(Client().Post("/sim/compact", "", "application/json")->status, 200);
  auto expired = Get(Cat("/api/v1/namespaces/ns/pods?limit=2&continue=", token));
  EXPECT_EQ(expired->status, 410);
  auto status = Json(expired->body);
  EXPECT_STREQ(status["reason"].GetString(), "Expired");
  EXPECT_STREQ(status["message"].GetString(), std::string(kInconsistentContinueMessage).c_str());
  EXPECT_TRUE(status["metadata"].HasMember("continue"));
}

TEST_F(ApiServerTest, WatchResumesAndExpires) {
  Start();
  auto a = Json(Post("/api/v1/namespaces/ns/pods", PodBody("a"))->body);
  Post("/api/v1/namespaces/ns/pods", PodBody("b"));
  Post("/api/v1/namespaces/ns/pods", PodBody("c"));
  const std::string rv = a["metadata"]["resourceVersion"].GetString();

  // Resume after a's RV: b and c, then stop reading.
  std::string got;
  auto r = Client().Get(Cat("/api/v1/namespaces/ns/pods?watch=true&resourceVersion=", rv),
                        [&](const char* data, size_t len) {
                          got.append(data, len);
                          return std::count(got.begin(), got.end(), '\n') < 2;
                        });
  EXPECT_EQ(
      got.find(
          R"({"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"b")"),
      0u);
  EXPECT_NE(got.find(R"("name":"c")"), std::string::npos);
  EXPECT_EQ(got.find(R"("name":"a")"), std::string::npos);

  // A too-old RV: 200, one ERROR event with the 410 Status, then the end.
  ASSERT_EQ(Client().Post("/sim/compact", "", "application/json")->status, 200);
  std::string body;
  int status = 0;
  auto c = Client();
  auto res = c.Get(
      Cat("/api/v1/pods?watch=1&resourceVersion=", rv), httplib::Headers{},
      [&](const httplib::Response& response) {
        status = response.status;
        return true;
      },
      [&](const char* data, size_t len) {
        body.append(data, len);
        return true;
      });
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, Cat(R"({"type":"ERROR","object":)",
                      TooOldResourceVersionStatus(std::stoull(rv),
                                                  cluster_->store().current_resource_version()),
                      "}\n"));
}

TEST_F(ApiServerTest, WatchTimeoutEndsTheStream) {
  Start();
  std::string body;
  auto r = Client().Get("/api/v1/pods?watch=1&timeoutSeconds=1&allowWatchBookmarks=true",
                        [&](const char* data, size_t len) {
                          body.append(data, len);
                          return true;
                        });
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body, "");  // no pods, no bookmark before a 2 s pre-deadline point
}

TEST_F(ApiServerTest, DeleteWithGraceAndPreconditions) {
  ClusterOptions c = Quiet();
  c.kubelet.enabled = true;
  c.kubelet.schedule_delay = absl::Hours(1);  // stays unscheduled
  Start({}, c);
  auto p = Json(Post("/api/v1/namespaces/ns/pods", PodBody("p"))->body);
  auto conflict =
      Client().Delete("/api/v1/namespaces/ns/pods/p",
                      R"({"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"x"}})",
                      "application/json");
  EXPECT_EQ(conflict->status, 409);
  auto deleted = Client().Delete("/api/v1/namespaces/ns/pods/p?gracePeriodSeconds=0");
  EXPECT_EQ(deleted->status, 200);
  EXPECT_STREQ(Json(deleted->body)["metadata"]["uid"].GetString(),
               p["metadata"]["uid"].GetString());
  EXPECT_EQ(Client().Delete("/api/v1/namespaces/ns/pods/p")->status, 404);
  Post("/api/v1/namespaces/ns/pods", PodBody("q", R"("labels":{"x":"1"})"));
  Post("/api/v1/namespaces/ns/pods", PodBody("r"));
  auto collection = Json(Client().Delete("/api/v1/namespaces/ns/pods?labelSelector=x%3D1")->body);
  EXPECT_EQ(collection["items"].Size(), 1u);
  EXPECT_EQ(Json(Get("/api/v1/namespaces/ns/pods")->body)["items"].Size(), 1u);
}

TEST_F(ApiServerTest, DiscoveryAndTables) {
  Start();
  Post("/api/v1/namespaces/ns/pods", PodBody("p"));
  auto version = Json(Get("/version")->body);
  EXPECT_STREQ(version["major"].GetString(), "1");
  auto api = Json(Get("/api")->body);
  EXPECT_STREQ(api["kind"].GetString(), "APIVersions");
  EXPECT_STREQ(Json(Get("/apis")->body)["kind"].GetString(), "APIGroupList");
  auto v1 = Json(Get("/api/v1")->body);
  EXPECT_STREQ(v1["kind"].GetString(), "APIResourceList");
  bool has_pods = false;
  for (const auto& r : v1["resources"].GetArray()) {
    has_pods |= std::string(r["name"].GetString()) == "pods";
  }
  EXPECT_TRUE(has_pods);
  const httplib::Headers table = {
      {"Accept",
       "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g="
       "meta.k8s.io,application/json"}};
  auto t = Json(Get("/api/v1/pods?limit=500", table)->body);
  EXPECT_STREQ(t["kind"].GetString(), "Table");
  EXPECT_STREQ(t["columnDefinitions"][0]["name"].GetString(), "Name");
  ASSERT_EQ(t["rows"].Size(), 1u);
  EXPECT_STREQ(t["rows"][0]["cells"][0].GetString(), "p");
  EXPECT_STREQ(t["rows"][0]["cells"][1].GetString(), "0/1");
  EXPECT_STREQ(t["rows"][0]["cells"][2].GetString(), "Pending");
  EXPECT_STREQ(t["rows"][0]["object"]["metadata"]["namespace"].GetString(), "ns");
  EXPECT_EQ(Get("/healthz")->body, "ok");
  EXPECT_EQ(Post("/api", "{}")->status, 405);
}

TEST_F(ApiServerTest, WatchAsTableForKubectlGetWatch) {
  Start();
  Post("/api/v1/namespaces/ns/pods", PodBody("a"));
  Post("/api/v1/namespaces/ns/pods", PodBody("b"));
  const httplib::Headers table = {
      {"Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"}};
  std::string got;
  Client().Get("/api/v1/namespaces/ns/pods?watch=1", table, [&](const char* data, size_t len) {
    got.append(data, len);
    return std::count(got.begin(), got.end(), '\n') < 2;
  });
  const size_t nl = got.find('\n');
  ASSERT_NE(nl, std::string::npos);
  auto first = Json(got.substr(0, nl));
  EXPECT_STREQ(first["type"].GetString(), "ADDED");
  EXPECT_STREQ(first["object"]["kind"].GetString(), "Table");
  EXPECT_EQ(first["object"]["columnDefinitions"].Size(), 9u);
  EXPECT_STREQ(first["object"]["rows"][0]["cells"][0].GetString(), "a");
  auto second = Json(got.substr(nl + 1, got.find('\n', nl + 1) - nl - 1));
  EXPECT_EQ(second["object"]["columnDefinitions"].Size(), 0u);
  EXPECT_STREQ(second["object"]["rows"][0]["cells"][0].GetString(), "b");
}

TEST_F(ApiServerTest, HistoryEndpoint) {
  Start();
  Post("/api/v1/namespaces/ns/pods", PodBody("p", R"("labels":{"wf":"w"})"));
  auto h = Json(Get("/sim/history")->body);
  ASSERT_EQ(h.Size(), 1u);
  EXPECT_STREQ(h[0]["name"].GetString(), "p");
  EXPECT_STREQ(h[0]["namespace"].GetString(), "ns");
  EXPECT_TRUE(h[0]["scheduled"].IsNull());
  EXPECT_EQ(Get("/sim/nothing")->status, 404);
}

TEST_F(ApiServerTest, InjectedServerErrors) {
  ServerOptions s;
  s.faults.create_5xx_rate = 1.0;
  Start(s);
  for (int i = 0; i < 10; ++i) {
    auto r = Post("/api/v1/namespaces/ns/pods", PodBody(Cat("p", i)));
    ASSERT_TRUE(r);
    if (r->status == 500) {
      EXPECT_EQ(r->body, ServerTimeout("pods", "create", 2).body);
      EXPECT_EQ(r->get_header_value("Retry-After"), "2");
    } else {
      EXPECT_EQ(r->status, 504);
      EXPECT_EQ(r->body, GatewayTimeout().body);
    }
  }
}

TEST_F(ApiServerTest, DroppedConnections) {
  ServerOptions s;
  s.faults.drop_after_headers_rate = 1.0;
  Start(s);
  auto r = Post("/api/v1/namespaces/ns/pods", PodBody("p"));
  EXPECT_FALSE(r && r->body.size() > 0 && r->status == 201 &&
               r->body.find("\"name\":\"p\"") != std::string::npos);
  EXPECT_NE(cluster_->store().Find("pods", "ns", "p"), nullptr);  // done, answer lost
}

// A throwaway self-signed certificate for 127.0.0.1.
bool WriteSelfSignedCert(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  if (key == nullptr) return false;
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("kubesim"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  FILE* c = std::fopen(cert_path.c_str(), "w");
  FILE* k = std::fopen(key_path.c_str(), "w");
  const bool ok = c != nullptr && k != nullptr && PEM_write_X509(c, cert) == 1 &&
                  PEM_write_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  if (c != nullptr) std::fclose(c);
  if (k != nullptr) std::fclose(k);
  X509_free(cert);
  EVP_PKEY_free(key);
  return ok;
}

TEST_F(ApiServerTest, ServesHttpsWithACertificate) {
  const std::string dir = ::testing::TempDir();
  const std::string cert = dir + "/kubesim_test_cert.pem";
  const std::string key = dir + "/kubesim_test_key.pem";
  ASSERT_TRUE(WriteSelfSignedCert(cert, key));
  ServerOptions s;
  s.tls_cert_file = cert;
  s.tls_key_file = key;
  s.token = "t";
  Start(s);
  EXPECT_EQ(server_->url().substr(0, 8), "https://");
  httplib::SSLClient client("127.0.0.1", port_);
  client.enable_server_certificate_verification(false);
  auto r = client.Post("/api/v1/namespaces/ns/pods", {{"Authorization", "Bearer t"}}, PodBody("p"),
                       "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  ServerOptions bad;
  bad.tls_cert_file = dir + "/missing.pem";
  bad.tls_key_file = key;
  SimCluster cluster(RealClock::Get(), Quiet());
  ApiServer broken(&cluster, bad, RealClock::Get());
  EXPECT_FALSE(broken.Start().ok());
}

}  // namespace
}  // namespace sluice::kubesim
