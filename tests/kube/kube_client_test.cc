// The Kubernetes client against kubesim over plain HTTP on loopback: verbs,
// pagination, watches (resume, bookmarks, deadline, 410) and every error class
// kubesim can produce. TLS and bearer tokens: kube_client_tls_test.cc.
#include "scheduler/kube/kube_client.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scheduler/common/clock.h"
#include "scheduler/kube/kube_objects.h"
#include "tests/kube/kubesim_harness.h"

namespace sluice::kube {
namespace {

using testing::AwaitResult;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Kubesim;
using testing::PodJson;

constexpr absl::Duration kDeadline = absl::Seconds(15);

std::unique_ptr<KubeClient> Connect(const std::string& url) {
  absl::StatusOr<KubeConfig> config = ConfigFromUrl(url);
  EXPECT_TRUE(config.ok()) << config.status();
  KubeClientOptions options;
  options.config = *config;
  absl::StatusOr<std::unique_ptr<KubeClient>> client =
      KubeClient::Create(std::move(options), RealClock::Get());
  EXPECT_TRUE(client.ok()) << client.status();
  return client.ok() ? std::move(*client) : nullptr;
}

ApiResult CreatePod(KubeClient& client, const std::string& ns, const std::string& body) {
  AwaitResult r;
  client.CreatePod(ns, body, r.Callback());
  return r.Get();
}

ApiResult GetPod(KubeClient& client, const std::string& ns, const std::string& name) {
  AwaitResult r;
  client.Get(ResourceRef::Pods(ns), name, r.Callback());
  return r.Get();
}

ApiResult DeletePod(KubeClient& client, const std::string& ns, const std::string& name,
                    const DeleteOptions& options) {
  AwaitResult r;
  client.DeletePod(ns, name, options, r.Callback());
  return r.Get();
}

ApiResult ListPods(KubeClient& client, const std::string& ns, const ListOptions& options) {
  AwaitResult r;
  client.List(ResourceRef::Pods(ns), options, r.Callback());
  return r.Get();
}

// One watch: the objects it delivered and how it ended.
class WatchRecorder {
 public:
  auto OnObject() {
    return [this](absl::string_view object) {
      absl::MutexLock lock(&mu_);
      objects_.emplace_back(object);
    };
  }
  auto OnDone() { return ended_.Callback(); }

  // Waits until `n` objects arrived; returns them.
  std::vector<std::string> WaitForObjects(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return objects_.size() >= n; };
    if (!mu_.AwaitWithTimeout(absl::Condition(&enough), kDeadline)) {
      ADD_FAILURE() << "only " << objects_.size() << " of " << n << " watch objects arrived";
    }
    return objects_;
  }
  std::vector<std::string> objects() {
    absl::MutexLock lock(&mu_);
    return objects_;
  }
  ApiResult WaitForEnd() { return ended_.Get(kDeadline); }

 private:
  absl::Mutex mu_;
  std::vector<std::string> objects_ ABSL_GUARDED_BY(mu_);
  AwaitResult ended_;
};

// "ADDED b" / "BOOKMARK 17" / "ERROR 410 Expired": one line per watch event.
std::string Describe(const std::string& event) {
  KubeObjectParser parser;
  WatchEventType type;
  PodInfo pod;
  WatchError error;
  absl::Status s = parser.ParsePodEvent(event, &type, &pod, &error);
  if (!s.ok()) return absl::StrCat("unparsable: ", s.message());
  switch (type) {
    case WatchEventType::kAdded:
      return absl::StrCat("ADDED ", pod.name);
    case WatchEventType::kModified:
      return absl::StrCat("MODIFIED ", pod.name);
    case WatchEventType::kDeleted:
      return absl::StrCat("DELETED ", pod.name);
    case WatchEventType::kBookmark:
      return absl::StrCat("BOOKMARK ", pod.resource_version);
    case WatchEventType::kError:
      return absl::StrCat("ERROR ", error.code, " ", error.reason);
  }
  return "?";
}

std::vector<std::string> DescribeAll(const std::vector<std::string>& events) {
  std::vector<std::string> out;
  for (const std::string& e : events) out.push_back(Describe(e));
  return out;
}

std::string ResourceVersionOf(const ApiResult& created) {
  KubeObjectParser parser;
  PodInfo pod;
  EXPECT_TRUE(parser.ParsePod(created.body, &pod).ok());
  return pod.resource_version;
}

std::string Rv(Kubesim& sim) {
  return absl::StrCat(sim.cluster().store().current_resource_version());
}

// ---------------------------------------------------------------- verbs

TEST(KubeClientTest, CreateGetDelete) {
  Kubesim sim;
  auto client = Connect(sim.url());
  ApiResult created = CreatePod(*client, "ns", PodJson("p1"));
  ASSERT_EQ(created.code, ApiCode::kCreated) << created.Summary();
  EXPECT_EQ(created.http_status, 201);
  EXPECT_EQ(created.http_version, 11);  // plain http: HTTP/1.1
  EXPECT_FALSE(created.flow_schema_uid.empty());
  EXPECT_FALSE(created.priority_level_uid.empty());
  EXPECT_FALSE(created.audit_id.empty());
  KubeObjectParser parser;
  const std::string uid = parser.ObjectUid(created.body);
  ASSERT_FALSE(uid.empty());

  ApiResult got = GetPod(*client, "ns", "p1");
  ASSERT_EQ(got.code, ApiCode::kOk) << got.Summary();
  EXPECT_EQ(parser.ObjectUid(got.body), uid);

  // Another incarnation's uid: 409 Conflict, the pod stays.
  DeleteOptions wrong_uid;
  wrong_uid.precondition_uid = "not-" + uid;
  ApiResult conflict = DeletePod(*client, "ns", "p1", wrong_uid);
  EXPECT_EQ(conflict.code, ApiCode::kConflict) << conflict.Summary();
  EXPECT_EQ(conflict.http_status, 409);
  EXPECT_FALSE(conflict.retryable());

  DeleteOptions now;
  now.precondition_uid = uid;
  now.grace_period_seconds = 0;
  ApiResult deleted = DeletePod(*client, "ns", "p1", now);
  ASSERT_EQ(deleted.code, ApiCode::kOk) << deleted.Summary();
  EXPECT_EQ(sim.cluster().store().Find("pods", "ns", "p1"), nullptr);

  ApiResult gone = GetPod(*client, "ns", "p1");
  EXPECT_EQ(gone.code, ApiCode::kNotFound) << gone.Summary();
  EXPECT_EQ(gone.details_kind, "pods");
  EXPECT_EQ(gone.details_name, "p1");
  EXPECT_EQ(DeletePod(*client, "ns", "p1", now).code, ApiCode::kNotFound);
}

TEST(KubeClientTest, GracefulDeleteKeepsThePodUntilTheKubeletRemovesIt) {
  Kubesim sim;
  auto client = Connect(sim.url());
  ASSERT_TRUE(CreatePod(*client, "ns", PodJson("p")).ok());
  sim.Advance(absl::Seconds(2));  // scheduled and running
  DeleteOptions grace;
  grace.grace_period_seconds = 30;
  ApiResult deleted = DeletePod(*client, "ns", "p", grace);
  ASSERT_EQ(deleted.code, ApiCode::kOk) << deleted.Summary();
  KubeObjectParser parser;
  PodInfo pod;
  ASSERT_TRUE(parser.ParsePod(deleted.body, &pod).ok());
  EXPECT_NE(pod.deletion_time, absl::InfinitePast());
  EXPECT_EQ(GetPod(*client, "ns", "p").code, ApiCode::kOk);
  sim.Advance(absl::Seconds(31));
  EXPECT_EQ(GetPod(*client, "ns", "p").code, ApiCode::kNotFound);
}

// ---------------------------------------------------------------- list

TEST(KubeClientTest, ListPaginatesWithAConstantResourceVersion) {
  Kubesim sim;
  auto client = Connect(sim.url());
  for (int i = 0; i < 7; ++i) {
    const std::string labels = i < 5 ? R"("sluice.dev/managed":"true")" : R"("other":"x")";
    ASSERT_TRUE(CreatePod(*client, "ns", PodJson(absl::StrCat("p", i), labels)).ok());
  }
  ListOptions options;
  options.limit = 2;
  options.label_selector = "sluice.dev/managed=true";
  std::vector<std::string> names;
  std::string first_rv;
  int pages = 0;
  KubeObjectParser parser;
  while (true) {
    ApiResult page = ListPods(*client, "ns", options);
    ASSERT_EQ(page.code, ApiCode::kOk) << page.Summary();
    ++pages;
    std::vector<PodInfo> pods;
    ListMeta meta;
    ASSERT_TRUE(parser.ParsePodList(page.body, &pods, &meta).ok());
    for (const PodInfo& pod : pods) names.push_back(pod.name);
    if (first_rv.empty()) {
      first_rv = meta.resource_version;
      // A create between pages is not in this list's snapshot.
      ASSERT_TRUE(CreatePod(*client, "ns", PodJson("late", R"("sluice.dev/managed":"true")")).ok());
    }
    EXPECT_EQ(meta.resource_version, first_rv);
    if (meta.continue_token.empty()) break;
    options.continue_token = meta.continue_token;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(names, ElementsAre("p0", "p1", "p2", "p3", "p4"));

  // Without pagination, across namespaces.
  ListOptions all;
  ApiResult everything = ListPods(*client, "", all);
  ASSERT_EQ(everything.code, ApiCode::kOk);
  std::vector<PodInfo> pods;
  ListMeta meta;
  ASSERT_TRUE(parser.ParsePodList(everything.body, &pods, &meta).ok());
  EXPECT_EQ(pods.size(), 8u);
  EXPECT_TRUE(meta.continue_token.empty());
}

TEST(KubeClientTest, ExpiredContinueTokenIs410) {
  Kubesim sim;
  auto client = Connect(sim.url());
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(CreatePod(*client, "ns", PodJson(absl::StrCat("p", i))).ok());
  ListOptions options;
  options.limit = 1;
  ApiResult first = ListPods(*client, "ns", options);
  KubeObjectParser parser;
  std::vector<PodInfo> pods;
  ListMeta meta;
  ASSERT_TRUE(parser.ParsePodList(first.body, &pods, &meta).ok());
  ASSERT_FALSE(meta.continue_token.empty());
  sim.cluster().store().Compact();
  options.continue_token = meta.continue_token;
  ApiResult expired = ListPods(*client, "ns", options);
  EXPECT_EQ(expired.code, ApiCode::kExpired) << expired.Summary();
  EXPECT_EQ(expired.http_status, 410);
  EXPECT_EQ(expired.reason, "Expired");
}

// ---------------------------------------------------------------- watch

TEST(KubeClientTest, WatchResumesAfterAResourceVersionAndGetsBookmarks) {
  kubesim::ServerOptions server;
  server.bookmark_interval = absl::Minutes(1);
  kubesim::ClusterOptions cluster = Kubesim::QuietCluster();
  cluster.kubelet.enabled = false;  // only the test changes pods
  Kubesim sim(server, cluster);
  auto client = Connect(sim.url());
  ApiResult a = CreatePod(*client, "ns", PodJson("a"));
  ASSERT_TRUE(CreatePod(*client, "ns", PodJson("b")).ok());
  ASSERT_TRUE(CreatePod(*client, "other", PodJson("x")).ok());
  ASSERT_TRUE(CreatePod(*client, "ns", PodJson("c")).ok());

  WatchRecorder watch;
  WatchOptions options;
  options.resource_version = ResourceVersionOf(a);
  options.allow_bookmarks = true;
  const RequestId id =
      client->Watch(ResourceRef::Pods("ns"), options, watch.OnObject(), watch.OnDone());
  ASSERT_NE(id, 0u);
  // Only what came after a's version, only in "ns".
  EXPECT_THAT(DescribeAll(watch.WaitForObjects(2)), ElementsAre("ADDED b", "ADDED c"));

  ASSERT_TRUE(CreatePod(*client, "ns", PodJson("d")).ok());
  ASSERT_TRUE(DeletePod(*client, "ns", "b", DeleteOptions{}).ok());  // unscheduled: gone at once
  EXPECT_THAT(DescribeAll(watch.WaitForObjects(4)),
              ElementsAre("ADDED b", "ADDED c", "ADDED d", "DELETED b"));
  sim.clock().Advance(absl::Minutes(1));
  // A bookmark carrying the latest version.
  EXPECT_THAT(DescribeAll(watch.WaitForObjects(5)),
              ElementsAre("ADDED b", "ADDED c", "ADDED d", "DELETED b",
                          absl::StrCat("BOOKMARK ", Rv(sim))));

  client->Cancel(id);
  ApiResult end = watch.WaitForEnd();
  EXPECT_EQ(end.code, ApiCode::kTransportError);
  EXPECT_EQ(end.transport_error, TransportError::kAborted);
}

TEST(KubeClientTest, WatchEndsCleanlyAtItsTimeoutAfterAFinalBookmark) {
  Kubesim sim;
  auto client = Connect(sim.url());
  ASSERT_TRUE(CreatePod(*client, "ns", PodJson("a")).ok());
  WatchRecorder watch;
  WatchOptions options;
  options.allow_bookmarks = true;
  options.timeout_seconds = 30;
  client->Watch(ResourceRef::Pods(), options, watch.OnObject(), watch.OnDone());
  // No resourceVersion: the current state first, as synthetic ADDEDs.
  EXPECT_THAT(DescribeAll(watch.WaitForObjects(1)), ElementsAre("ADDED a"));
  sim.clock().Advance(absl::Seconds(28));  // 2 s before the deadline: a bookmark
  EXPECT_THAT(DescribeAll(watch.WaitForObjects(2)),
              ElementsAre("ADDED a", absl::StrCat("BOOKMARK ", Rv(sim))));
  sim.clock().Advance(absl::Seconds(2));
  ApiResult end = watch.WaitForEnd();
  EXPECT_EQ(end.code, ApiCode::kOk) << end.Summary();
  EXPECT_EQ(end.http_status, 200);
}

TEST(KubeClientTest, WatchFromACompactedVersionGetsOne410ErrorEvent) {
  Kubesim sim;
  auto client = Connect(sim.url());
  ApiResult a = CreatePod(*client, "ns", PodJson("a"));
  ASSERT_TRUE(CreatePod(*client, "ns", PodJson("b")).ok());
  sim.cluster().store().Compact();
  WatchRecorder watch;
  WatchOptions options;
  options.resource_version = ResourceVersionOf(a);
  client->Watch(ResourceRef::Pods(), options, watch.OnObject(), watch.OnDone());
  ApiResult end = watch.WaitForEnd();
  EXPECT_EQ(end.code, ApiCode::kOk) << end.Summary();  // 200, then the ERROR event
  EXPECT_THAT(DescribeAll(watch.objects()), ElementsAre("ERROR 410 Expired"));
  KubeObjectParser parser;
  WatchEventType type;
  PodInfo pod;
  WatchError error;
  ASSERT_TRUE(parser.ParsePodEvent(watch.objects()[0], &type, &pod, &error).ok());
  EXPECT_EQ(error.message,
            absl::StrCat("too old resource version: ", ResourceVersionOf(a), " (", Rv(sim), ")"));
}

// A server that answers every watch with `body` (chunked), for streams kubesim
// never sends.
class ScriptedWatchServer {
 public:
  explicit ScriptedWatchServer(std::vector<std::string> chunks) : chunks_(std::move(chunks)) {
    server_.Get(".*", [this](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("application/json", [this](size_t, httplib::DataSink& sink) {
        for (const std::string& c : chunks_) {
          sink.write(c.data(), c.size());
        }
        sink.done();
        return true;
      });
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is a no-op until the listener runs: wait for it, or the destructor
    // could hang in join().
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~ScriptedWatchServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_); }

 private:
  const std::vector<std::string> chunks_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST(KubeClientTest, GarbageInAWatchBodyEndsTheWatchWithAClearError) {
  ScriptedWatchServer server(
      {R"({"type":"ADDED","object":{"metadata":{"name":"a"}}})", "\n<html>oops</html>"});
  auto client = Connect(server.url());
  WatchRecorder watch;
  client->Watch(ResourceRef::Pods(), WatchOptions{}, watch.OnObject(), watch.OnDone());
  ApiResult end = watch.WaitForEnd();
  EXPECT_THAT(DescribeAll(watch.objects()), ElementsAre("ADDED a"));
  EXPECT_EQ(end.code, ApiCode::kTransportError);
  EXPECT_EQ(end.transport_error, TransportError::kOther);
  EXPECT_THAT(end.message, HasSubstr("expected '{' at byte 52 of the stream, found '<'"));
}

TEST(KubeClientTest, WatchBodyEndingInsideAnObjectIsALostConnection) {
  ScriptedWatchServer server({R"({"type":"ADDED","object":{"metadata":{"name":"a"}}})",
                              R"({"type":"ADDED","object":{"meta)"});
  auto client = Connect(server.url());
  WatchRecorder watch;
  client->Watch(ResourceRef::Pods(), WatchOptions{}, watch.OnObject(), watch.OnDone());
  ApiResult end = watch.WaitForEnd();
  EXPECT_THAT(DescribeAll(watch.objects()), ElementsAre("ADDED a"));
  EXPECT_EQ(end.code, ApiCode::kTransportError);
  EXPECT_EQ(end.transport_error, TransportError::kConnectionLost);
  EXPECT_THAT(end.message, HasSubstr("ended inside an object"));
}

// ---------------------------------------------------------------- errors

TEST(KubeClientTest, AlreadyExistsInvalidAndBadRequest) {
  Kubesim sim;
  auto client = Connect(sim.url());
  ASSERT_TRUE(CreatePod(*client, "ns", PodJson("p")).ok());

  ApiResult dup = CreatePod(*client, "ns", PodJson("p"));
  EXPECT_EQ(dup.code, ApiCode::kAlreadyExists) << dup.Summary();
  EXPECT_EQ(dup.message, R"(pods "p" already exists)");
  EXPECT_EQ(dup.details_name, "p");
  EXPECT_EQ(dup.details_kind, "pods");
  EXPECT_FALSE(dup.object_being_deleted);
  EXPECT_FALSE(dup.retryable());

  ApiResult invalid = CreatePod(
      *client, "ns", R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},"spec":{}})");
  EXPECT_EQ(invalid.code, ApiCode::kInvalid) << invalid.Summary();
  EXPECT_EQ(invalid.http_status, 422);
  EXPECT_EQ(invalid.details_kind, "Pod");
  ASSERT_EQ(invalid.causes.size(), 1u);
  EXPECT_EQ(invalid.causes[0].reason, "FieldValueRequired");
  EXPECT_EQ(invalid.causes[0].field, "spec.containers");

  ListOptions bad;
  bad.field_selector = "spec.foo=x";
  ApiResult rejected = ListPods(*client, "", bad);
  EXPECT_EQ(rejected.code, ApiCode::kOther) << rejected.Summary();
  EXPECT_EQ(rejected.http_status, 400);
  EXPECT_EQ(rejected.message, "field label not supported: spec.foo");
}

TEST(KubeClientTest, AlreadyExistsWhileTheOldPodTerminates) {
  Kubesim sim;
  auto client = Connect(sim.url());
  ASSERT_TRUE(CreatePod(*client, "ns", PodJson("p")).ok());
  sim.Advance(absl::Seconds(2));  // running: a graceful delete keeps it a while
  ASSERT_TRUE(DeletePod(*client, "ns", "p", DeleteOptions{}).ok());
  ApiResult dup = CreatePod(*client, "ns", PodJson("p"));
  EXPECT_EQ(dup.code, ApiCode::kAlreadyExists) << dup.Summary();
  EXPECT_TRUE(dup.object_being_deleted);
}

TEST(KubeClientTest, MissingNamespaceIs404Namespaces) {
  kubesim::ClusterOptions cluster = Kubesim::QuietCluster();
  cluster.auto_create_namespaces = false;
  Kubesim sim({}, cluster);
  auto client = Connect(sim.url());
  ApiResult r = CreatePod(*client, "ghost", PodJson("p"));
  EXPECT_EQ(r.code, ApiCode::kNamespaceNotFound) << r.Summary();
  EXPECT_EQ(r.message, R"(namespaces "ghost" not found)");
  EXPECT_EQ(r.details_name, "ghost");
  EXPECT_FALSE(r.retryable());
}

TEST(KubeClientTest, ThrottledCreateIs429WithRetryAfter) {
  Kubesim sim;
  // One token that never refills (the simulated clock stands still).
  sim.server().throttle().SetLimits({.mutating_qps = 0.001, .mutating_burst = 1});
  auto client = Connect(sim.url());
  ASSERT_TRUE(CreatePod(*client, "ns", PodJson("a")).ok());
  ApiResult throttled = CreatePod(*client, "ns", PodJson("b"));
  EXPECT_EQ(throttled.code, ApiCode::kThrottled) << throttled.Summary();
  EXPECT_EQ(throttled.http_status, 429);
  EXPECT_EQ(throttled.message, "Too many requests, please try again later.");
  EXPECT_EQ(throttled.reason, "");  // plain text, not a Status
  EXPECT_EQ(throttled.retry_after, absl::Seconds(1));
  EXPECT_TRUE(throttled.retryable());
  EXPECT_FALSE(throttled.flow_schema_uid.empty());
  // Reads are not throttled.
  EXPECT_EQ(GetPod(*client, "ns", "a").code, ApiCode::kOk);
}

TEST(KubeClientTest, ServerTimeoutsAreRetryable) {
  kubesim::ServerOptions server;
  server.faults.create_5xx_rate = 1.0;
  Kubesim sim(server);
  auto client = Connect(sim.url());
  for (int i = 0; i < 6; ++i) {
    ApiResult r = CreatePod(*client, "ns", PodJson(absl::StrCat("p", i)));
    SCOPED_TRACE(r.Summary());
    EXPECT_EQ(r.code, ApiCode::kServerTimeout);
    EXPECT_TRUE(r.http_status == 500 || r.http_status == 504);
    if (r.http_status == 500) {
      EXPECT_EQ(r.reason, "ServerTimeout");
      EXPECT_EQ(r.retry_after, absl::Seconds(2));
    }
    EXPECT_TRUE(r.retryable());
  }
}

TEST(KubeClientTest, ForbiddenIs403) {
  Kubesim sim;
  auto client = Connect(sim.url());
  // kubesim refuses to delete an immortal namespace (403 Forbidden); the
  // client has no namespace verbs, so go through its transport.
  HttpRequest request;
  request.method = HttpMethod::kDelete;
  request.target = "/api/v1/namespaces/default";
  AwaitResult r;
  client->transport().Submit(std::move(request),
                             [done = r.Callback()](HttpResponse response) mutable {
                               done(ClassifyResponse(std::move(response)));
                             });
  ApiResult forbidden = r.Get();
  EXPECT_EQ(forbidden.code, ApiCode::kForbidden) << forbidden.Summary();
  EXPECT_EQ(forbidden.reason, "Forbidden");
  EXPECT_FALSE(forbidden.quota.has_value());
}

TEST(KubeClientTest, NothingListeningIsARetryableConnectError) {
  // A port that was free a moment ago.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  auto client = Connect(absl::StrCat("http://127.0.0.1:", ntohs(addr.sin_port)));
  ApiResult r = GetPod(*client, "ns", "p");
  EXPECT_EQ(r.code, ApiCode::kTransportError) << r.Summary();
  EXPECT_EQ(r.transport_error, TransportError::kConnect);
  EXPECT_TRUE(r.retryable());
}

TEST(KubeClientTest, DestroyingTheClientCompletesOutstandingWatches) {
  Kubesim sim;
  auto client = Connect(sim.url());
  WatchRecorder watch;
  client->Watch(ResourceRef::Pods(), WatchOptions{}, watch.OnObject(), watch.OnDone());
  ASSERT_TRUE(CreatePod(*client, "ns", PodJson("a")).ok());
  watch.WaitForObjects(1);
  client.reset();
  ApiResult end = watch.WaitForEnd();
  EXPECT_EQ(end.code, ApiCode::kTransportError);
  EXPECT_EQ(end.transport_error, TransportError::kShutdown);
}

}  // namespace
}  // namespace sluice::kube
