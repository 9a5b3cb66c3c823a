#ifndef SLUICE_SCHEDULER_KUBE_HTTP_TRANSPORT_H_
#define SLUICE_SCHEDULER_KUBE_HTTP_TRANSPORT_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "scheduler/common/clock.h"
#include "scheduler/kube/kube_config.h"

namespace sluice::kube {

enum class HttpMethod { kGet, kPost, kPut, kPatch, kDelete };
absl::string_view HttpMethodName(HttpMethod method);

// Why an exchange ended without a complete HTTP answer.
enum class TransportError {
  kNone,
  kConnect,         // refused, unreachable
  kResolve,         // name resolution failed
  kTimeout,         // the request's deadline (or the connect timeout) passed
  kConnectionLost,  // reset or closed mid-exchange, body cut short, send/receive failed
  kTls,             // handshake or certificate verification failed
  kAborted,         // HttpTransport::Cancel or the body sink asked to stop
  kShutdown,        // the transport was destroyed with the request outstanding
  kOther,
};
absl::string_view TransportErrorName(TransportError error);

struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  // Path and query appended to the server's base URL; starts with '/'.
  std::string target;
  std::string body;          // always sent for POST/PUT/PATCH; for DELETE when non-empty
  std::string content_type;  // of `body`, e.g. "application/json"
  // Extra "Name: value" header lines. May carry secrets (Authorization): never logged.
  std::vector<std::string> headers;
  // Deadline of the whole exchange, body included. InfiniteDuration(): none.
  absl::Duration timeout = absl::Seconds(30);
  // Streaming: when set, the body of a 2xx answer is handed here piece by piece as it
  // arrives, on the I/O thread, instead of being collected in HttpResponse::body. Return
  // false to stop the exchange (it then completes with kAborted). Bodies of non-2xx
  // answers are still collected for classification.
  absl::AnyInvocable<bool(absl::string_view chunk)> on_body;
};

struct HttpResponse {
  // HTTP status received, 0 if none. May be set together with an error (a 200 whose
  // body was cut short).
  int status = 0;
  TransportError error = TransportError::kNone;
  std::string error_detail;  // libcurl's explanation; never contains secrets
  std::string body;          // collected body (empty when streamed to on_body)
  // Headers of interest, from the final response block (raw values).
  std::string content_type;
  std::string retry_after;
  std::string flow_schema_uid;     // X-Kubernetes-PF-FlowSchema-UID
  std::string priority_level_uid;  // X-Kubernetes-PF-PriorityLevel-UID
  std::string audit_id;            // Audit-Id
  int http_version = 0;            // 11 for HTTP/1.1, 20 for HTTP/2, 0 if unknown
  bool new_connection = false;     // a connection was opened for this exchange
  // Submit() to completion on the transport's monotonic clock (queueing included).
  absl::Duration latency;
  // The request, handed back so that it can be resubmitted (e.g. after a token refresh)
  // without copying its body.
  HttpRequest request;
};

// Runs on the I/O thread, exactly once per submitted request.
using HttpCallback = absl::AnyInvocable<void(HttpResponse response)>;

using RequestId = uint64_t;  // 0 names no request
using TimerId = uint64_t;    // 0 names no timer

struct HttpTransportOptions {
  std::string server;  // base URL, as in KubeConfig::server
  TlsConfig tls;
  // Connections to the server at most (HTTP/1.1 needs one per exchange in flight, a
  // watch holds one for its lifetime; HTTP/2 multiplexes streams on fewer). Exchanges
  // beyond the limit wait in libcurl's queue.
  int max_connections_per_host = 32;
  // Offer HTTP/2 through ALPN on TLS connections (CURL_HTTP_VERSION_2TLS) and multiplex
  // on it (CURLPIPE_MULTIPLEX). Plain http:// always speaks HTTP/1.1.
  bool http2 = true;
  int max_concurrent_streams = 100;  // per HTTP/2 connection
  absl::Duration connect_timeout = absl::Seconds(10);
  std::string user_agent = "sluice/0.1";
};

struct HttpTransportStats {
  int64_t submitted = 0;
  int64_t completed = 0;
  int64_t failed = 0;  // completed with a TransportError
  int64_t connections_opened = 0;
};

// One I/O thread driving a libcurl multi handle: many exchanges in flight over a pool of
// keep-alive connections (HTTP/2 multiplexed when the server offers it), TLS per
// TlsConfig, a deadline per request, timers and posted tasks on the same thread.
//
// Threads: Submit, Cancel, Post, RunAfter, CancelTimer, Wakeup and Stats may be called
// from any thread. Every callback (HttpCallback, HttpRequest::on_body, posted tasks,
// timers) runs on the I/O thread, one at a time, and MUST NOT BLOCK: it stalls every
// other exchange. Hand work to another thread (e.g. the engine's inbox) instead.
// A callback may call back into the transport (e.g. Submit a retry).
//
// Destruction stops the I/O thread after completing every outstanding exchange with
// kShutdown (callbacks run, on the I/O thread, before the destructor returns); timers not
// yet due are dropped. Do not destroy the transport from its own I/O thread.
class HttpTransport {
 public:
  // Validates the options (server URL, readable files) and starts the I/O thread.
  // `clock` must outlive the transport; it stamps latencies and drives timers.
  static absl::StatusOr<std::unique_ptr<HttpTransport>> Create(HttpTransportOptions options,
                                                               const Clock& clock);
  ~HttpTransport();
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Queues an exchange; `done` runs exactly once on the I/O thread.
  RequestId Submit(HttpRequest request, HttpCallback done);
  // Ends the exchange early: `done` runs with kAborted unless it already completed.
  void Cancel(RequestId id);
  // Runs `task` on the I/O thread soon.
  void Post(absl::AnyInvocable<void()> task);
  // Runs `task` on the I/O thread once the clock reaches now + `delay`.
  TimerId RunAfter(absl::Duration delay, absl::AnyInvocable<void()> task);
  // Forgets a timer that has not fired. Safe for fired or unknown ids.
  void CancelTimer(TimerId id);
  // Makes the I/O thread re-check its timers now (after a SimulatedClock moved).
  void Wakeup();

  bool InIoThread() const { return std::this_thread::get_id() == io_thread_id_; }
  HttpTransportStats Stats() const;
  const Clock& clock() const { return clock_; }

 private:
  struct Transfer;
  struct Timer {
    MonoTime deadline;
    absl::AnyInvocable<void()> task;
  };

  HttpTransport(HttpTransportOptions options, const Clock& clock);
  absl::Status Init();
  void Loop();
  // Moves queued work to the I/O thread; returns true once the destructor asked to stop.
  bool DrainQueues();
  void StartTransfer(std::unique_ptr<Transfer> transfer);
  void ConfigureHandle(Transfer& transfer);
  void RunDueTimers();
  void ProcessCompletions();
  void Complete(Transfer* transfer, TransportError error, std::string detail);
  int PollTimeoutMs();
  void ShutdownAll();

  static size_t OnWrite(char* data, size_t size, size_t nmemb, void* user);
  static size_t OnHeader(char* data, size_t size, size_t nmemb, void* user);

  const HttpTransportOptions options_;
  const Clock& clock_;
  std::string base_url_;             // URL prefix for targets (host replaced by tls server_name)
  void* connect_to_list_ = nullptr;  // curl_slist for CURLOPT_CONNECT_TO (tls server_name)

  void* multi_ = nullptr;  // CURLM*; used on the I/O thread only (and Wakeup)
  std::thread io_thread_;
  std::thread::id io_thread_id_;

  // I/O thread state.
  // New exchanges may wait for a connection being set up to multiplex
  // (CURLOPT_PIPEWAIT): TLS with http2 offered, until an answer comes over
  // HTTP/1.x.
  bool may_multiplex_ = false;
  absl::flat_hash_map<RequestId, std::unique_ptr<Transfer>> active_;
  std::vector<void*> idle_handles_;  // CURL* for reuse

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::unique_ptr<Transfer>> pending_ ABSL_GUARDED_BY(mu_);
  std::vector<RequestId> cancels_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::AnyInvocable<void()>> posted_ ABSL_GUARDED_BY(mu_);
  std::map<TimerId, Timer> timers_ ABSL_GUARDED_BY(mu_);
  std::set<std::pair<MonoTime, TimerId>> timer_order_ ABSL_GUARDED_BY(mu_);

  std::atomic<uint64_t> next_id_{1};
  std::atomic<int64_t> submitted_{0};
  std::atomic<int64_t> completed_{0};
  std::atomic<int64_t> failed_{0};
  std::atomic<int64_t> connections_opened_{0};
};

}  // namespace sluice::kube

#endif  // SLUICE_SCHEDULER_KUBE_HTTP_TRANSPORT_H_
