// HttpTransport against a small cpp-httplib server on loopback: completion
// of every exchange exactly once (answers, streams, cancels, timeouts,
// shutdown), headers of interest, the connection limit, timers on a simulated
// clock, and exchanges never parked behind a stream that does not end.
#include "scheduler/kube/http_transport.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scheduler/common/clock.h"

namespace sluice::kube {
namespace {

constexpr absl::Duration kDeadline = absl::Seconds(15);

// /ok answers at once with the APIServer's headers; /stream sends a byte every
// 20 ms until the client goes away or the server stops; /hang answers only
// when the server stops; /missing is a 404 with a Status body.
class TestServer {
 public:
  TestServer() {
    server_.new_task_queue = [] { return new httplib::ThreadPool(64); };
    server_.set_keep_alive_max_count(1000);
    server_.Get("/ok", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Retry-After", "3");
      res.set_header("X-Kubernetes-Pf-Flowschema-Uid", "fs-uid");
      res.set_header("X-Kubernetes-Pf-Prioritylevel-Uid", "pl-uid");
      res.set_header("Audit-Id", "audit-1");
      res.set_content("ok", "text/plain");
    });
    server_.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.status = 201;
      res.set_content(req.method + " " + req.get_header_value("Content-Type") + " " + req.body,
                      "text/plain");
    });
    server_.Get("/missing", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content(R"({"kind":"Status","code":404})", "application/json");
    });
    server_.Get("/stream", [this](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("application/json", [this](size_t, httplib::DataSink& sink) {
        if (stopping_.load()) {
          sink.done();
          return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return sink.write("x", 1);
      });
    });
    server_.Get("/hang", [this](const httplib::Request&, httplib::Response& res) {
      for (int i = 0; i < 1500 && !stopping_.load(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      res.set_content("late", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is a no-op until the listener runs: wait for it, or the destructor
    // could hang in join().
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TestServer() {
    stopping_.store(true);
    server_.stop();
    thread_.join();
  }

  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_); }

 private:
  httplib::Server server_;
  std::atomic<bool> stopping_{false};
  int port_ = 0;
  std::thread thread_;
};

std::unique_ptr<HttpTransport> MakeTransport(const std::string& url, const Clock& clock,
                                             int max_connections = 32) {
  HttpTransportOptions options;
  options.server = url;
  options.max_connections_per_host = max_connections;
  absl::StatusOr<std::unique_ptr<HttpTransport>> t = HttpTransport::Create(options, clock);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? std::move(*t) : nullptr;
}

// Collects one response; the callback may outlive this object.
class AwaitResponse {
 public:
  HttpCallback Callback() {
    return [state = state_](HttpResponse r) {
      EXPECT_FALSE(state->done.HasBeenNotified()) << "completed twice";
      state->response = std::move(r);
      state->done.Notify();
    };
  }
  HttpResponse Get() {
    if (!state_->done.WaitForNotificationWithTimeout(kDeadline)) {
      ADD_FAILURE() << "no completion within " << kDeadline;
      return HttpResponse{};
    }
    return std::move(state_->response);
  }

 private:
  struct State {
    absl::Notification done;
    HttpResponse response;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

HttpRequest Get(const std::string& target) {
  HttpRequest r;
  r.method = HttpMethod::kGet;
  r.target = target;
  return r;
}

TEST(HttpTransportTest, AnswerWithTheHeadersOfInterest) {
  TestServer server;
  auto transport = MakeTransport(server.url(), RealClock::Get());
  AwaitResponse r;
  transport->Submit(Get("/ok"), r.Callback());
  HttpResponse response = r.Get();
  EXPECT_EQ(response.error, TransportError::kNone) << response.error_detail;
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "ok");
  EXPECT_EQ(response.content_type, "text/plain");
  EXPECT_EQ(response.retry_after, "3");
  EXPECT_EQ(response.flow_schema_uid, "fs-uid");
  EXPECT_EQ(response.priority_level_uid, "pl-uid");
  EXPECT_EQ(response.audit_id, "audit-1");
  EXPECT_EQ(response.http_version, 11);
  EXPECT_TRUE(response.new_connection);
  EXPECT_EQ(response.request.target, "/ok");  // handed back for a resubmission

  AwaitResponse again;
  transport->Submit(Get("/ok"), again.Callback());
  EXPECT_FALSE(again.Get().new_connection);  // kept alive
  const HttpTransportStats stats = transport->Stats();
  EXPECT_EQ(stats.submitted, 2);
  EXPECT_EQ(stats.completed, 2);
  EXPECT_EQ(stats.failed, 0);
  EXPECT_EQ(stats.connections_opened, 1);
}

TEST(HttpTransportTest, PostSendsBodyAndContentType) {
  TestServer server;
  auto transport = MakeTransport(server.url(), RealClock::Get());
  HttpRequest request;
  request.method = HttpMethod::kPost;
  request.target = "/echo";
  request.body = R"({"a":1})";
  request.content_type = "application/json";
  AwaitResponse r;
  transport->Submit(std::move(request), r.Callback());
  HttpResponse response = r.Get();
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, R"(POST application/json {"a":1})");
}

TEST(HttpTransportTest, StreamsTwoHundredsAndCollectsOtherBodies) {
  TestServer server;
  auto transport = MakeTransport(server.url(), RealClock::Get());
  // A non-2xx answer to a streaming request is collected for classification.
  std::atomic<int> chunks{0};
  HttpRequest missing = Get("/missing");
  missing.on_body = [&chunks](absl::string_view) {
    ++chunks;
    return true;
  };
  AwaitResponse not_found;
  transport->Submit(std::move(missing), not_found.Callback());
  HttpResponse r = not_found.Get();
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"kind":"Status","code":404})");
  EXPECT_EQ(chunks.load(), 0);

  // A 200 goes to the sink; returning false stops the exchange.
  absl::Notification three_bytes;
  int seen = 0;  // I/O thread only
  HttpRequest stream = Get("/stream");
  stream.timeout = absl::InfiniteDuration();
  stream.on_body = [&](absl::string_view chunk) {
    seen += static_cast<int>(chunk.size());
    if (seen < 3) return true;
    three_bytes.Notify();
    return false;
  };
  AwaitResponse stopped;
  transport->Submit(std::move(stream), stopped.Callback());
  HttpResponse s = stopped.Get();
  EXPECT_TRUE(three_bytes.HasBeenNotified());
  EXPECT_EQ(s.status, 200);
  EXPECT_EQ(s.error, TransportError::kAborted);
  EXPECT_EQ(s.error_detail, "stopped by the body consumer");
  EXPECT_EQ(s.body, "");
}

TEST(HttpTransportTest, CancelEndsAStreamOnce) {
  TestServer server;
  auto transport = MakeTransport(server.url(), RealClock::Get());
  absl::Notification first_byte;
  HttpRequest stream = Get("/stream");
  stream.on_body = [&](absl::string_view) {
    if (!first_byte.HasBeenNotified()) first_byte.Notify();
    return true;
  };
  AwaitResponse r;
  const RequestId id = transport->Submit(std::move(stream), r.Callback());
  ASSERT_TRUE(first_byte.WaitForNotificationWithTimeout(kDeadline));
  transport->Cancel(id);
  transport->Cancel(id);  // twice: still one completion
  HttpResponse response = r.Get();
  EXPECT_EQ(response.error, TransportError::kAborted);
  EXPECT_EQ(response.error_detail, "canceled");
  transport->Cancel(id);  // after completion: ignored
  transport->Cancel(0);
}

TEST(HttpTransportTest, DeadlinePassedIsATimeout) {
  TestServer server;
  auto transport = MakeTransport(server.url(), RealClock::Get());
  HttpRequest hang = Get("/hang");
  hang.timeout = absl::Milliseconds(100);
  AwaitResponse r;
  transport->Submit(std::move(hang), r.Callback());
  HttpResponse response = r.Get();
  EXPECT_EQ(response.error, TransportError::kTimeout) << response.error_detail;
}

TEST(HttpTransportTest, DestructionCompletesEverythingOutstanding) {
  TestServer server;
  auto transport = MakeTransport(server.url(), RealClock::Get());
  absl::Notification streaming;
  HttpRequest stream = Get("/stream");
  stream.on_body = [&](absl::string_view) {
    if (!streaming.HasBeenNotified()) streaming.Notify();
    return true;
  };
  AwaitResponse stream_done;
  AwaitResponse hang_done;
  transport->Submit(std::move(stream), stream_done.Callback());
  transport->Submit(Get("/hang"), hang_done.Callback());
  ASSERT_TRUE(streaming.WaitForNotificationWithTimeout(kDeadline));
  bool timer_ran = false;
  transport->RunAfter(absl::Hours(1), [&] { timer_ran = true; });
  transport.reset();  // callbacks run before this returns
  EXPECT_EQ(stream_done.Get().error, TransportError::kShutdown);
  EXPECT_EQ(hang_done.Get().error, TransportError::kShutdown);
  EXPECT_FALSE(timer_ran);
}

TEST(HttpTransportTest, ConnectionsStayWithinTheLimit) {
  TestServer server;
  auto transport = MakeTransport(server.url(), RealClock::Get(), /*max_connections=*/4);
  std::vector<AwaitResponse> responses(50);
  for (AwaitResponse& r : responses) transport->Submit(Get("/ok"), r.Callback());
  for (AwaitResponse& r : responses) EXPECT_EQ(r.Get().status, 200);
  EXPECT_LE(transport->Stats().connections_opened, 4);
  EXPECT_EQ(transport->Stats().completed, 50);
}

TEST(HttpTransportTest, ARequestIsNeverParkedBehindANewStream) {
  // libcurl's PIPEWAIT would hold the second exchange until the first
  // connection's exchange completed: never, for a watch over HTTP/1.1.
  TestServer server;
  for (int i = 0; i < 10; ++i) {
    SCOPED_TRACE(i);
    auto transport = MakeTransport(server.url(), RealClock::Get());
    HttpRequest stream = Get("/stream");
    stream.on_body = [](absl::string_view) { return true; };
    AwaitResponse stream_done;
    transport->Submit(std::move(stream), stream_done.Callback());
    AwaitResponse ok;
    transport->Submit(Get("/ok"), ok.Callback());  // while the stream's connection opens
    ASSERT_EQ(ok.Get().status, 200);
    transport.reset();
    EXPECT_EQ(stream_done.Get().error, TransportError::kShutdown);
  }
}

TEST(HttpTransportTest, TimersFollowTheInjectedClockExactly) {
  TestServer server;
  SimulatedClock clock;
  auto transport = MakeTransport(server.url(), clock);
  // A posted task runs after every timer due when it was posted.
  auto barrier = [&transport] {
    for (int i = 0; i < 2; ++i) {
      absl::Notification done;
      transport->Post([&done] { done.Notify(); });
      ASSERT_TRUE(done.WaitForNotificationWithTimeout(kDeadline));
    }
  };
  std::atomic<int> fired{0};
  transport->RunAfter(absl::Seconds(5), [&] { fired.fetch_add(1); });
  const TimerId canceled = transport->RunAfter(absl::Seconds(5), [&] { fired.fetch_add(100); });
  transport->CancelTimer(canceled);
  transport->CancelTimer(canceled);  // twice: harmless
  clock.Advance(absl::Seconds(5) - absl::Nanoseconds(1));
  transport->Wakeup();
  barrier();
  EXPECT_EQ(fired.load(), 0);
  clock.Advance(absl::Nanoseconds(1));
  transport->Wakeup();
  barrier();
  EXPECT_EQ(fired.load(), 1);
  // A timer may schedule another from the I/O thread.
  absl::Notification chained;
  transport->RunAfter(absl::ZeroDuration(), [&] {
    EXPECT_TRUE(transport->InIoThread());
    transport->RunAfter(absl::ZeroDuration(), [&] { chained.Notify(); });
  });
  EXPECT_TRUE(chained.WaitForNotificationWithTimeout(kDeadline));
}

TEST(HttpTransportTest, RejectsBadOptions) {
  HttpTransportOptions options;
  options.server = "ftp://x";
  EXPECT_FALSE(HttpTransport::Create(options, RealClock::Get()).ok());
  options.server = "https://127.0.0.1:1";
  options.tls.ca_file = "/nonexistent/ca.crt";
  absl::StatusOr<std::unique_ptr<HttpTransport>> t =
      HttpTransport::Create(options, RealClock::Get());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kNotFound);
  options.tls.ca_file.clear();
  options.max_connections_per_host = 0;
  EXPECT_FALSE(HttpTransport::Create(options, RealClock::Get()).ok());
}

}  // namespace
}  // namespace sluice::kube
