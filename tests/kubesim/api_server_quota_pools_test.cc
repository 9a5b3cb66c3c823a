// ResourceQuota and capacity pools over HTTP, in process on 127.0.0.1:0: the
// 403 bodies, the resourcequotas resource (create, get, list, Table, watch,
// PUT, PATCH, delete), /sim/quotas, /sim/pools and the counters of
// /sim/stats. (Pool behaviour is tested on the simulated clock in
// capacity_pools_test.cc.)
#include <httplib.h>

#include <algorithm>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "scheduler/common/clock.h"
#include "tests/kubesim/test_pods.h"
#include "tools/kubesim/api_server.h"
#include "tools/kubesim/json_parse.h"
#include "tools/kubesim/sim_cluster.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {
namespace {

using testing::PodBody;
using testing::PodWithResources;

class ApiServerQuotaTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> quota_flags, std::vector<std::string> pool_flags = {}) {
    ClusterOptions o;
    for (const std::string& f : pool_flags) o.pools.push_back(*ParsePoolFlag(f));
    o.kubelet.enabled = false;
    o.nodes = 1;
    o.store.watch_history = 1000;
    for (const std::string& f : quota_flags) o.quotas.push_back(*ParseQuotaFlag(f));
    cluster_ = std::make_unique<SimCluster>(RealClock::Get(), o);
    server_ = std::make_unique<ApiServer>(cluster_.get(), ServerOptions{}, RealClock::Get());
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Stop();
  }
  httplib::Client Client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(10, 0);
    return c;
  }
  httplib::Result Post(std::string_view path, const std::string& body) {
    return Client().Post(std::string(path), body, "application/json");
  }
  httplib::Result Get(std::string_view path, const httplib::Headers& headers = {}) {
    return Client().Get(std::string(path), headers);
  }
  static rapidjson::Document Json(const std::string& s) {
    rapidjson::Document d;
    ParseJson(s, &d);
    EXPECT_FALSE(d.HasParseError()) << s;
    return d;
  }

  std::unique_ptr<SimCluster> cluster_;
  std::unique_ptr<ApiServer> server_;
  int port_ = 0;
};

TEST_F(ApiServerQuotaTest, ExceededQuotaIs403WithTheApiserversBody) {
  Start({"ns=team-a,pods=1,requests.cpu=2"});
  const std::string pod = PodWithResources("a", R"({"requests":{"cpu":"1500m"}})");
  EXPECT_EQ(Post("/api/v1/namespaces/team-a/pods", pod)->status, 201);
  auto refused =
      Post("/api/v1/namespaces/team-a/pods", PodWithResources("b", R"({"requests":{"cpu":"1"}})"));
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(refused->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(
      refused->body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"b\" is forbidden: exceeded quota: quota, requested: pods=1,requests.cpu=1, used: pods=1,requests.cpu=1500m, limited: pods=1,requests.cpu=2","reason":"Forbidden","details":{"name":"b","kind":"pods"},"code":403})");
  auto missing_request = Post("/api/v1/namespaces/team-a/pods", PodBody("c"));
  EXPECT_EQ(Json(missing_request->body)["message"].GetString(),
            std::string("pods \"c\" is forbidden: failed quota: quota: must specify "
                        "requests.cpu for: main"));
  auto stats = Json(Get("/sim/stats")->body);
  EXPECT_EQ(stats["forbidden_403"].GetInt(), 2);
  EXPECT_EQ(stats["quota_refused_403"].GetInt(), 2);
  EXPECT_EQ(stats["requests"]["create"]["403"].GetInt(), 2);
}

TEST_F(ApiServerQuotaTest, QuotasAreAnApiResource) {
  Start({});
  auto discovery = Json(Get("/api/v1")->body);
  bool found = false;
  for (const auto& r : discovery["resources"].GetArray()) {
    if (std::string(r["name"].GetString()) != "resourcequotas") continue;
    found = true;
    EXPECT_STREQ(r["kind"].GetString(), "ResourceQuota");
    EXPECT_STREQ(r["shortNames"][0].GetString(), "quota");
    EXPECT_TRUE(r["namespaced"].GetBool());
  }
  EXPECT_TRUE(found);

  auto created = Post("/api/v1/namespaces/team-a/resourcequotas",
                      R"({"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"q"},)"
                      R"("spec":{"hard":{"pods":"2","limits.memory":"1Gi"}}})");
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string rv = Json(created->body)["metadata"]["resourceVersion"].GetString();
  EXPECT_EQ(Post("/api/v1/namespaces/team-a/pods", PodBody("a"))->status, 403);  // not synced
  cluster_->quota().Sync();

  auto got = Json(Get("/api/v1/namespaces/team-a/resourcequotas/q")->body);
  EXPECT_STREQ(got["status"]["hard"]["limits.memory"].GetString(), "1Gi");
  EXPECT_STREQ(got["status"]["used"]["pods"].GetString(), "0");
  auto list = Json(Get("/api/v1/resourcequotas")->body);
  EXPECT_STREQ(list["kind"].GetString(), "ResourceQuotaList");
  EXPECT_EQ(list["items"].Size(), 1u);

  // The controller's status write arrives as a MODIFIED event.
  std::string events;
  Client().Get(Cat("/api/v1/namespaces/team-a/resourcequotas?watch=1&resourceVersion=", rv),
               [&](const char* data, size_t len) {
                 events.append(data, len);
                 return std::count(events.begin(), events.end(), '\n') < 1;
               });
  EXPECT_EQ(events.find(R"({"type":"MODIFIED","object":{"kind":"ResourceQuota")"), 0u) << events;
  EXPECT_NE(events.find(R"("status":{"hard":{"limits.memory":"1Gi","pods":"2"},)"
                        R"("used":{"limits.memory":"0","pods":"0"}})"),
            std::string::npos)
      << events;

  auto table = Get("/api/v1/namespaces/team-a/resourcequotas",
                   {{"Accept", "application/json;as=Table;v=v1;g=meta.k8s.io"}});
  auto t = Json(table->body);
  EXPECT_STREQ(t["kind"].GetString(), "Table");
  EXPECT_STREQ(t["columnDefinitions"][2]["name"].GetString(), "Request");
  EXPECT_STREQ(t["rows"][0]["cells"][2].GetString(), "pods: 0/2");
  EXPECT_STREQ(t["rows"][0]["cells"][3].GetString(), "limits.memory: 0/1Gi");

  auto put =
      Client().Put("/api/v1/namespaces/team-a/resourcequotas/q",
                   R"({"metadata":{"name":"q"},"spec":{"hard":{"pods":"3"}}})", "application/json");
  ASSERT_EQ(put->status, 200) << put->body;
  EXPECT_STREQ(Json(put->body)["spec"]["hard"]["pods"].GetString(), "3");
  auto patch =
      Client().Patch("/api/v1/namespaces/team-a/resourcequotas/q",
                     R"({"spec":{"hard":{"pods":"4"}}})", "application/strategic-merge-patch+json");
  ASSERT_EQ(patch->status, 200) << patch->body;
  EXPECT_STREQ(Json(patch->body)["spec"]["hard"]["pods"].GetString(), "4");
  EXPECT_EQ(
      Client()
          .Patch("/api/v1/namespaces/team-a/resourcequotas/q", "[]", "application/json-patch+json")
          ->status,
      415);
  cluster_->quota().Sync();
  EXPECT_EQ(Post("/api/v1/namespaces/team-a/pods", PodBody("a"))->status, 201);
  EXPECT_EQ(Client().Delete("/api/v1/namespaces/team-a/resourcequotas/q")->status, 200);
  EXPECT_EQ(Get("/api/v1/namespaces/team-a/resourcequotas/q")->status, 404);
}

TEST_F(ApiServerQuotaTest, SimQuotasSetsAndShowsQuotas) {
  Start({"ns=team-a,pods=1"});
  EXPECT_EQ(Post("/api/v1/namespaces/team-a/pods", PodBody("a"))->status, 201);
  EXPECT_EQ(Post("/api/v1/namespaces/team-a/pods", PodBody("b"))->status, 403);
  auto set = Post("/sim/quotas", R"([{"spec":"ns=team-a,pods=2"},)"
                                 R"({"namespace":"team-b","name":"q","hard":{"pods":0}}])");
  ASSERT_EQ(set->status, 200) << set->body;
  auto view = Json(set->body);
  ASSERT_EQ(view["quotas"].Size(), 2u);
  EXPECT_STREQ(view["quotas"][0]["namespace"].GetString(), "team-a");
  EXPECT_STREQ(view["quotas"][0]["used"]["pods"].GetString(), "1");
  EXPECT_STREQ(view["quotas"][0]["hard"]["pods"].GetString(), "2");
  EXPECT_EQ(view["quotas"][0]["refused"].GetInt(), 1);
  EXPECT_EQ(view["refused_total"].GetInt(), 1);
  // In force as soon as the answer is back: no sync lag for /sim/quotas.
  EXPECT_EQ(Post("/api/v1/namespaces/team-a/pods", PodBody("b"))->status, 201);
  EXPECT_EQ(Post("/api/v1/namespaces/team-b/pods", PodBody("a"))->status, 403);
  EXPECT_EQ(Post("/sim/quotas", R"({"spec":"pods=1"})")->status, 400);
  EXPECT_EQ(Json(Get("/sim/quotas")->body)["quotas"].Size(), 2u);
}

TEST_F(ApiServerQuotaTest, SimPoolsShowsAndChangesPools) {
  Start({}, {"spot=10,class=spot,cpu=8", "od=unlimited"});
  auto pools = Json(Get("/sim/pools")->body);
  ASSERT_EQ(pools["pools"].Size(), 2u);
  const auto& spot = pools["pools"][0];
  EXPECT_STREQ(spot["name"].GetString(), "spot");
  EXPECT_STREQ(spot["class"].GetString(), "spot");
  EXPECT_EQ(spot["capacity"]["pods"].GetInt(), 10);
  EXPECT_STREQ(spot["capacity"]["cpu"].GetString(), "8");
  EXPECT_TRUE(spot["capacity"]["memory"].IsNull());
  EXPECT_FALSE(spot["stockout"].GetBool());
  EXPECT_EQ(spot["pending"].GetInt(), 0);
  EXPECT_EQ(spot["reclaims"].GetInt(), 0);

  auto post = Post("/sim/pools/spot", R"({"pods":3,"memory":"16Gi","stockout":true})");
  ASSERT_EQ(post->status, 200) << post->body;
  auto after = Json(post->body);
  EXPECT_EQ(after["pools"][0]["capacity"]["pods"].GetInt(), 3);
  EXPECT_STREQ(after["pools"][0]["capacity"]["memory"].GetString(), "16Gi");
  EXPECT_TRUE(after["pools"][0]["stockout"].GetBool());
  auto put = Client().Put("/sim/pools",
                          R"([{"name":"spot","pods":null,"stockout":false},)"
                          R"({"name":"od","pods":5}])",
                          "application/json");
  ASSERT_EQ(put->status, 200) << put->body;
  auto both = Json(put->body);
  EXPECT_TRUE(both["pools"][0]["capacity"]["pods"].IsNull());
  EXPECT_FALSE(both["pools"][0]["stockout"].GetBool());
  EXPECT_EQ(both["pools"][1]["capacity"]["pods"].GetInt(), 5);
  EXPECT_EQ(Post("/sim/pools/nope", R"({"pods":1})")->status, 404);
  EXPECT_EQ(Post("/sim/pools/spot", R"({"size":1})")->status, 400);
  EXPECT_EQ(Client().Delete("/sim/pools")->status, 405);
}

}  // namespace
}  // namespace sluice::kubesim
