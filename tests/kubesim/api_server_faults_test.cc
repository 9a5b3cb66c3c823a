// Injected faults through real HTTP: an in-process ApiServer on 127.0.0.1:0,
// its faults set with PUT /sim/faults, and plain sockets or httplib clients.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "scheduler/common/clock.h"
#include "tests/kubesim/test_pods.h"
#include "tools/kubesim/api_error.h"
#include "tools/kubesim/api_server.h"
#include "tools/kubesim/json_parse.h"
#include "tools/kubesim/sim_cluster.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {
namespace {

using testing::PodBody;

// What a raw HTTP/1.1 exchange saw: the bytes answered, and the errno of the
// read that ended it (0: clean end of stream).
struct RawAnswer {
  std::string bytes;
  int read_errno = 0;
};

class ApiServerFaultsTest : public ::testing::Test {
 protected:
  void Start(const Clock& clock = RealClock::Get()) {
    ClusterOptions c;
    c.kubelet.enabled = false;
    c.nodes = 1;
    cluster_ = std::make_unique<SimCluster>(clock, c);
    server_ = std::make_unique<ApiServer>(cluster_.get(), ServerOptions{}, clock);
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
  void SetFaults(const std::string& json) {
    auto r = Client().Put("/sim/faults", json, "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }
  httplib::Result CreatePod(const std::string& name) {
    return Client().Post("/api/v1/namespaces/ns/pods", PodBody(name), "application/json");
  }
  bool PodExists(const std::string& name) {
    return cluster_->store().Find("pods", "ns", name) != nullptr;
  }
  // Sends `request` on a new connection and reads until it ends.
  RawAnswer Raw(const std::string& request) {
    RawAnswer out;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port_));
    ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    EXPECT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
    char buf[4096];
    while (true) {
      const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n > 0) {
        out.bytes.append(buf, static_cast<size_t>(n));
        continue;
      }
      out.read_errno = n < 0 ? errno : 0;
      break;
    }
    ::close(fd);
    return out;
  }
  static std::string RawPost(const std::string& name) {
    const std::string body = PodBody(name);
    return Cat("POST /api/v1/namespaces/ns/pods HTTP/1.1\r\nHost: x\r\nConnection: close\r\n",
               "Content-Type: application/json\r\nContent-Length: ", body.size(), "\r\n\r\n", body);
  }
  rapidjson::Document FaultsJson() {
    rapidjson::Document d;
    ParseJson(Client().Get("/sim/faults")->body, &d);
    return d;
  }

  std::unique_ptr<SimCluster> cluster_;
  std::unique_ptr<ApiServer> server_;
  int port_ = 0;
};

TEST_F(ApiServerFaultsTest, GetAndPutFaults) {
  Start();
  auto bad = Client().Put("/sim/faults", R"({"rate_500":2})", "application/json");
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("rate_500"), std::string::npos);
  SetFaults(R"({"rate_503":0.5,"watch_cut_s":2})");
  SetFaults(R"({"rate_500":0.25})");  // keeps the others
  rapidjson::Document d = FaultsJson();
  EXPECT_EQ(d["settings"]["rate_500"].GetDouble(), 0.25);
  EXPECT_EQ(d["settings"]["rate_503"].GetDouble(), 0.5);
  EXPECT_EQ(d["settings"]["watch_cut_s"].GetDouble(), 2.0);
}

TEST_F(ApiServerFaultsTest, InternalError500IsNotExecuted) {
  Start();
  SetFaults(R"({"rate_500":1})");
  auto r = CreatePod("p");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, InternalError("kubesim: injected fault").body);
  EXPECT_FALSE(PodExists("p"));
  EXPECT_EQ(Client().Get("/api/v1/pods")->status, 500);  // reads too
  EXPECT_EQ(Client().Get("/sim/stats")->status, 200);    // never /sim
  EXPECT_EQ(FaultsJson()["injected"]["answered_500"].GetInt64(), 2);
}

TEST_F(ApiServerFaultsTest, Unavailable503CarriesRetryAfter) {
  Start();
  SetFaults(R"({"rate_503":1,"retry_after_503_s":4})");
  auto r = CreatePod("p");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->get_header_value("Retry-After"), "4");
  EXPECT_NE(r->body.find(R"("reason":"ServiceUnavailable")"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find(R"("retryAfterSeconds":4)"), std::string::npos) << r->body;
  EXPECT_FALSE(PodExists("p"));
  SetFaults(R"({"rate_503":0})");
  EXPECT_EQ(CreatePod("p")->status, 201);
}

TEST_F(ApiServerFaultsTest, ResetBeforeExecution) {
  Start();
  SetFaults(R"({"reset_before_rate":1})");
  RawAnswer a = Raw(RawPost("p"));
  EXPECT_EQ(a.bytes, "");  // not even a status line
  EXPECT_EQ(a.read_errno, ECONNRESET);
  EXPECT_FALSE(PodExists("p"));
  EXPECT_EQ(FaultsJson()["injected"]["reset_before"].GetInt64(), 1);
}

TEST_F(ApiServerFaultsTest, ResetAfterExecutionLosesTheAnswer) {
  Start();
  SetFaults(R"({"reset_after_rate":1})");
  RawAnswer a = Raw(RawPost("p"));
  EXPECT_EQ(a.bytes, "");
  EXPECT_EQ(a.read_errno, ECONNRESET);
  EXPECT_TRUE(PodExists("p"));  // created; the 201 was lost
  SetFaults(R"({"reset_after_rate":0})");
  EXPECT_EQ(CreatePod("p")->status, 409);  // a retry finds it
}

TEST_F(ApiServerFaultsTest, LatencySpikes) {
  Start();
  SetFaults(R"({"spike_rate":1,"spike_ms":300})");
  const absl::Time start = absl::Now();
  EXPECT_EQ(Client().Get("/api/v1/pods")->status, 200);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(300));  // a sleep's lower bound
  EXPECT_EQ(FaultsJson()["injected"]["spikes"].GetInt64(), 1);
}

TEST_F(ApiServerFaultsTest, WatchStreamsAreCut) {
  Start();
  SetFaults(R"({"watch_cut_s":0.3})");
  std::string received;
  auto r = Client().Get("/api/v1/namespaces/ns/pods?watch=1", [&](const char* data, size_t n) {
    received.append(data, n);
    return true;
  });
  // The stream ended without its final chunk: the client sees a broken read.
  EXPECT_FALSE(r);
  EXPECT_EQ(FaultsJson()["injected"]["watches_cut"].GetInt64(), 1);
}

TEST_F(ApiServerFaultsTest, ForcedExpiredOnResumingWatch) {
  Start();
  ASSERT_EQ(CreatePod("p")->status, 201);
  SetFaults(R"({"watch_410_rate":1})");
  // A watch from scratch is not expired: it starts with the ADDED of p.
  std::string first;
  auto fresh = Client().Get("/api/v1/namespaces/ns/pods?watch=1&timeoutSeconds=1",
                            [&](const char* data, size_t n) {
                              first.append(data, n);
                              return false;  // enough
                            });
  EXPECT_NE(first.find(R"({"type":"ADDED")"), std::string::npos) << first;
  const uint64_t rv = cluster_->store().current_resource_version();
  auto r = Client().Get(Cat("/api/v1/namespaces/ns/pods?watch=1&resourceVersion=", rv));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body,
            Cat(R"({"type":"ERROR","object":)", TooOldResourceVersionStatus(rv, rv), "}\n"));
  EXPECT_NE(r->body.find(R"("code":410)"), std::string::npos);
  EXPECT_EQ(FaultsJson()["injected"]["watches_expired"].GetInt64(), 1);
}

TEST_F(ApiServerFaultsTest, RetryAfterGrowsTo32UnderSustainedOverload) {
  SimulatedClock clock;
  Start(clock);
  SetFaults(R"({"rate_429":1})");
  int64_t retry_after = 0;
  std::string seen;
  // Every second, enough drops to double the value (3 x retry_after).
  for (int second = 0; second < 200 && retry_after < 32; ++second) {
    for (int i = 0; i < 100; ++i) {
      auto r = CreatePod(Cat("p", second, "-", i));
      ASSERT_TRUE(r);
      ASSERT_EQ(r->status, 429);
      EXPECT_EQ(r->body, std::string(kTooManyRequestsBody));
      int64_t v = 0;
      ASSERT_TRUE(absl::SimpleAtoi(r->get_header_value("Retry-After"), &v));
      if (v != retry_after) Append(&seen, v, " ");
      retry_after = v;
    }
    clock.Advance(absl::Seconds(1));
  }
  EXPECT_EQ(seen, "1 2 4 8 16 32 ");
  EXPECT_FALSE(PodExists("p0-0"));
}

}  // namespace
}  // namespace sluice::kubesim
