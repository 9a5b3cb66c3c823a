#include "scheduler/kube/http_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "scheduler/kube/file_contents.h"
#include "scheduler/kube/server_url.h"

namespace sluice::kube {

struct HttpTransport::Transfer {
  RequestId id = 0;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  HttpRequest request;
  HttpCallback done;
  HttpResponse response;
  MonoTime submitted_at;
  bool sink_stopped = false;  // on_body returned false
};

namespace {

CURLM* Multi(void* multi) { return static_cast<CURLM*>(multi); }

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

TransportError ErrorFor(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return TransportError::kNone;
    case CURLE_COULDNT_CONNECT:
      return TransportError::kConnect;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return TransportError::kResolve;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportError::kTimeout;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return TransportError::kConnectionLost;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_SHUTDOWN_FAILED:
      return TransportError::kTls;
    case CURLE_ABORTED_BY_CALLBACK:
      return TransportError::kAborted;
    default:
      return TransportError::kOther;
  }
}

void SetBlob(CURL* easy, CURLoption option, const std::string& bytes) {
  curl_blob blob;
  blob.data = const_cast<char*>(bytes.data());
  blob.len = bytes.size();
  blob.flags = CURL_BLOB_COPY;
  curl_easy_setopt(easy, option, &blob);
}

long CurlMillis(absl::Duration d) {  // NOLINT(google-runtime-int): libcurl's type
  return static_cast<long>(absl::ToInt64Milliseconds(d));  // NOLINT(google-runtime-int)
}

}  // namespace

absl::string_view HttpMethodName(HttpMethod method) {
  switch (method) {
    case HttpMethod::kGet:
      return "GET";
    case HttpMethod::kPost:
      return "POST";
    case HttpMethod::kPut:
      return "PUT";
    case HttpMethod::kPatch:
      return "PATCH";
    case HttpMethod::kDelete:
      return "DELETE";
  }
  return "GET";
}

absl::string_view TransportErrorName(TransportError error) {
  switch (error) {
    case TransportError::kNone:
      return "None";
    case TransportError::kConnect:
      return "Connect";
    case TransportError::kResolve:
      return "Resolve";
    case TransportError::kTimeout:
      return "Timeout";
    case TransportError::kConnectionLost:
      return "ConnectionLost";
    case TransportError::kTls:
      return "Tls";
    case TransportError::kAborted:
      return "Aborted";
    case TransportError::kShutdown:
      return "Shutdown";
    case TransportError::kOther:
      return "Other";
  }
  return "Other";
}

HttpTransport::HttpTransport(HttpTransportOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

absl::StatusOr<std::unique_ptr<HttpTransport>> HttpTransport::Create(HttpTransportOptions options,
                                                                     const Clock& clock) {
  std::unique_ptr<HttpTransport> transport(new HttpTransport(std::move(options), clock));
  if (absl::Status status = transport->Init(); !status.ok()) return status;
  return transport;
}

absl::Status HttpTransport::Init() {
  absl::StatusOr<ServerUrl> url = ParseServerUrl(options_.server);
  if (!url.ok()) return url.status();
  if (options_.max_connections_per_host < 1) {
    return absl::InvalidArgumentError("max_connections_per_host must be at least 1");
  }
  for (const std::string* file :
       {&options_.tls.ca_file, &options_.tls.client_cert_file, &options_.tls.client_key_file}) {
    if (file->empty()) continue;
    absl::StatusOr<std::string> contents = ReadFileContents(*file);
    if (!contents.ok()) return contents.status();
  }
  const TlsConfig& tls = options_.tls;
  if (!tls.server_name.empty() && tls.server_name != url->host) {
    // Address the server by the expected name (SNI, verification, Host) and let libcurl
    // connect to the real address.
    ServerUrl named = *url;
    named.host = tls.server_name;
    base_url_ = named.ToString();
    const std::string connect_to =
        absl::StrCat(named.UrlHost(), ":", url->port, ":", url->UrlHost(), ":", url->port);
    connect_to_list_ = curl_slist_append(nullptr, connect_to.c_str());
  } else {
    base_url_ = url->ToString();
  }

  may_multiplex_ = options_.http2 && url->scheme == "https";

  GlobalInit();
  CURLM* multi = curl_multi_init();
  if (multi == nullptr) return absl::InternalError("curl_multi_init failed");
  multi_ = multi;
  curl_multi_setopt(multi, CURLMOPT_PIPELINING,
                    static_cast<long>(options_.http2 ? CURLPIPE_MULTIPLEX  // NOLINT
                                                     : CURLPIPE_NOTHING));
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                    static_cast<long>(options_.max_connections_per_host));  // NOLINT
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS,
                    static_cast<long>(std::max(options_.max_connections_per_host, 8)));  // NOLINT
  curl_multi_setopt(multi, CURLMOPT_MAX_CONCURRENT_STREAMS,
                    static_cast<long>(options_.max_concurrent_streams));  // NOLINT

  absl::Notification started;
  io_thread_ = std::thread([this, &started] {
    io_thread_id_ = std::this_thread::get_id();
    started.Notify();
    Loop();
  });
  started.WaitForNotification();
  return absl::OkStatus();
}

HttpTransport::~HttpTransport() {
  if (multi_ == nullptr) {  // Init failed before the multi handle existed
    curl_slist_free_all(static_cast<curl_slist*>(connect_to_list_));
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  Wakeup();
  io_thread_.join();
  for (void* easy : idle_handles_) curl_easy_cleanup(static_cast<CURL*>(easy));
  curl_multi_cleanup(Multi(multi_));
  curl_slist_free_all(static_cast<curl_slist*>(connect_to_list_));
}

RequestId HttpTransport::Submit(HttpRequest request, HttpCallback done) {
  auto transfer = std::make_unique<Transfer>();
  transfer->id = next_id_.fetch_add(1, std::memory_order_relaxed);
  transfer->request = std::move(request);
  transfer->done = std::move(done);
  transfer->submitted_at = clock_.MonoNow();
  const RequestId id = transfer->id;
  submitted_.fetch_add(1, std::memory_order_relaxed);
  {
    absl::MutexLock lock(&mu_);
    pending_.push_back(std::move(transfer));
  }
  Wakeup();
  return id;
}

void HttpTransport::Cancel(RequestId id) {
  if (id == 0) return;
  {
    absl::MutexLock lock(&mu_);
    cancels_.push_back(id);
  }
  Wakeup();
}

void HttpTransport::Post(absl::AnyInvocable<void()> task) {
  {
    absl::MutexLock lock(&mu_);
    posted_.push_back(std::move(task));
  }
  Wakeup();
}

TimerId HttpTransport::RunAfter(absl::Duration delay, absl::AnyInvocable<void()> task) {
  const TimerId id = next_id_.fetch_add(1, std::memory_order_relaxed);
  const MonoTime deadline = clock_.MonoNow() + std::max(delay, absl::ZeroDuration());
  {
    absl::MutexLock lock(&mu_);
    timers_.emplace(id, Timer{deadline, std::move(task)});
    timer_order_.emplace(deadline, id);
  }
  Wakeup();
  return id;
}

void HttpTransport::CancelTimer(TimerId id) {
  absl::AnyInvocable<void()> dropped;  // destroyed outside the lock
  absl::MutexLock lock(&mu_);
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  timer_order_.erase({it->second.deadline, id});
  dropped = std::move(it->second.task);
  timers_.erase(it);
}

void HttpTransport::Wakeup() { curl_multi_wakeup(Multi(multi_)); }

HttpTransportStats HttpTransport::Stats() const {
  HttpTransportStats stats;
  stats.submitted = submitted_.load(std::memory_order_relaxed);
  stats.completed = completed_.load(std::memory_order_relaxed);
  stats.failed = failed_.load(std::memory_order_relaxed);
  stats.connections_opened = connections_opened_.load(std::memory_order_relaxed);
  return stats;
}

void HttpTransport::Loop() {
  while (true) {
    const bool stopping = DrainQueues();
    RunDueTimers();
    int running = 0;
    curl_multi_perform(Multi(multi_), &running);
    ProcessCompletions();
    if (stopping) break;
    curl_multi_poll(Multi(multi_), nullptr, 0, PollTimeoutMs(), nullptr);
  }
  ShutdownAll();
}

bool HttpTransport::DrainQueues() {
  std::vector<std::unique_ptr<Transfer>> pending;
  std::vector<RequestId> cancels;
  std::vector<absl::AnyInvocable<void()>> posted;
  bool stopping;
  {
    absl::MutexLock lock(&mu_);
    pending.swap(pending_);
    cancels.swap(cancels_);
    posted.swap(posted_);
    stopping = stopping_;
  }
  for (auto& transfer : pending) {
    if (stopping) {
      Transfer* raw = transfer.get();
      active_.emplace(raw->id, std::move(transfer));
      Complete(raw, TransportError::kShutdown, "transport shut down");
    } else {
      StartTransfer(std::move(transfer));
    }
  }
  for (RequestId id : cancels) {
    auto it = active_.find(id);
    if (it != active_.end()) Complete(it->second.get(), TransportError::kAborted, "canceled");
  }
  for (auto& task : posted) task();
  return stopping;
}

void HttpTransport::StartTransfer(std::unique_ptr<Transfer> transfer) {
  CURL* easy;
  if (!idle_handles_.empty()) {
    easy = static_cast<CURL*>(idle_handles_.back());
    idle_handles_.pop_back();
  } else {
    easy = curl_easy_init();
  }
  Transfer* raw = transfer.get();
  raw->easy = easy;
  active_.emplace(raw->id, std::move(transfer));
  if (easy == nullptr) {
    Complete(raw, TransportError::kOther, "curl_easy_init failed");
    return;
  }
  ConfigureHandle(*raw);
  const CURLMcode code = curl_multi_add_handle(Multi(multi_), easy);
  if (code != CURLM_OK) {
    raw->easy = nullptr;  // not added: do not remove
    curl_easy_cleanup(easy);
    Complete(raw, TransportError::kOther,
             absl::StrCat("curl_multi_add_handle: ", curl_multi_strerror(code)));
  }
}

void HttpTransport::ConfigureHandle(Transfer& t) {
  CURL* easy = t.easy;
  const HttpRequest& req = t.request;
  const TlsConfig& tls = options_.tls;
  const std::string url = absl::StrCat(base_url_, req.target);
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_PRIVATE, &t);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION,
                   options_.http2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1);
  // PIPEWAIT parks a new exchange behind a connection still being set up, in
  // the hope of multiplexing on it. libcurl wakes a parked exchange only when a
  // connection turns out to multiplex or another exchange completes, so behind
  // a connection that turns out HTTP/1.1 and carries a watch (which never
  // completes) it would wait forever. Wait only where HTTP/2 is possible (TLS)
  // and not known to be refused.
  curl_easy_setopt(easy, CURLOPT_PIPEWAIT, may_multiplex_ ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, CurlMillis(options_.connect_timeout));
  if (req.timeout != absl::InfiniteDuration()) {
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, std::max(CurlMillis(req.timeout), 1L));
  }
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &HttpTransport::OnWrite);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &HttpTransport::OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &t);
  if (connect_to_list_ != nullptr) {
    curl_easy_setopt(easy, CURLOPT_CONNECT_TO, static_cast<curl_slist*>(connect_to_list_));
  }

  switch (req.method) {
    case HttpMethod::kGet:
      curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
      break;
    case HttpMethod::kPost:
      curl_easy_setopt(easy, CURLOPT_POST, 1L);
      break;
    default:
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, HttpMethodName(req.method).data());
      break;
  }
  if (req.method != HttpMethod::kGet && (req.method != HttpMethod::kDelete || !req.body.empty())) {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, req.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  }

  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  if (!req.content_type.empty()) {
    headers = curl_slist_append(headers, absl::StrCat("Content-Type: ", req.content_type).c_str());
  }
  for (const std::string& line : req.headers) headers = curl_slist_append(headers, line.c_str());
  t.header_list = headers;
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);

  if (base_url_.rfind("https://", 0) == 0) {
    if (tls.insecure_skip_verify) {
      curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    } else {
      curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
      curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    }
    if (!tls.ca_pem.empty()) {
      SetBlob(easy, CURLOPT_CAINFO_BLOB, tls.ca_pem);
    } else if (!tls.ca_file.empty()) {
      curl_easy_setopt(easy, CURLOPT_CAINFO, tls.ca_file.c_str());
    }
    if (!tls.client_cert_pem.empty()) {
      SetBlob(easy, CURLOPT_SSLCERT_BLOB, tls.client_cert_pem);
      curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
    } else if (!tls.client_cert_file.empty()) {
      curl_easy_setopt(easy, CURLOPT_SSLCERT, tls.client_cert_file.c_str());
      curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
    }
    if (!tls.client_key_pem.empty()) {
      SetBlob(easy, CURLOPT_SSLKEY_BLOB, tls.client_key_pem);
      curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
    } else if (!tls.client_key_file.empty()) {
      curl_easy_setopt(easy, CURLOPT_SSLKEY, tls.client_key_file.c_str());
      curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
    }
  }
}

size_t HttpTransport::OnWrite(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * nmemb;
  if (t->request.on_body) {
    if (t->response.status == 0) {
      long code = 0;  // NOLINT(google-runtime-int): libcurl's type
      curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
      t->response.status = static_cast<int>(code);
    }
    if (t->response.status >= 200 && t->response.status < 300) {
      if (!t->request.on_body(absl::string_view(data, n))) {
        t->sink_stopped = true;
        return 0;  // CURLE_WRITE_ERROR
      }
      return n;
    }
  }
  t->response.body.append(data, n);
  return n;
}

size_t HttpTransport::OnHeader(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * nmemb;
  absl::string_view line(data, n);
  if (absl::StartsWith(line, "HTTP/")) {
    // A new response block (after 100 Continue or a redirect): forget earlier headers.
    HttpResponse& r = t->response;
    r.status = 0;
    r.content_type.clear();
    r.retry_after.clear();
    r.flow_schema_uid.clear();
    r.priority_level_uid.clear();
    r.audit_id.clear();
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return n;
  const absl::string_view name = line.substr(0, colon);
  const absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
  HttpResponse& r = t->response;
  if (absl::EqualsIgnoreCase(name, "Content-Type")) {
    r.content_type = std::string(value);
  } else if (absl::EqualsIgnoreCase(name, "Retry-After")) {
    r.retry_after = std::string(value);
  } else if (absl::EqualsIgnoreCase(name, "X-Kubernetes-PF-FlowSchema-UID")) {
    r.flow_schema_uid = std::string(value);
  } else if (absl::EqualsIgnoreCase(name, "X-Kubernetes-PF-PriorityLevel-UID")) {
    r.priority_level_uid = std::string(value);
  } else if (absl::EqualsIgnoreCase(name, "Audit-Id")) {
    r.audit_id = std::string(value);
  }
  return n;
}

void HttpTransport::RunDueTimers() {
  std::vector<absl::AnyInvocable<void()>> due;
  {
    absl::MutexLock lock(&mu_);
    const MonoTime now = clock_.MonoNow();
    while (!timer_order_.empty() && timer_order_.begin()->first <= now) {
      const TimerId id = timer_order_.begin()->second;
      timer_order_.erase(timer_order_.begin());
      auto it = timers_.find(id);
      due.push_back(std::move(it->second.task));
      timers_.erase(it);
    }
  }
  for (auto& task : due) task();
}

int HttpTransport::PollTimeoutMs() {
  constexpr int kMaxWaitMs = 1000;
  absl::MutexLock lock(&mu_);
  if (!pending_.empty() || !cancels_.empty() || !posted_.empty() || stopping_) return 0;
  if (timer_order_.empty()) return kMaxWaitMs;
  const absl::Duration until = timer_order_.begin()->first - clock_.MonoNow();
  if (until <= absl::ZeroDuration()) return 0;
  // Round up so that a timer is not polled for repeatedly just before it is due.
  const int64_t ms =
      absl::ToInt64Milliseconds(until + absl::Milliseconds(1) - absl::Nanoseconds(1));
  return static_cast<int>(std::min<int64_t>(ms, kMaxWaitMs));
}

void HttpTransport::ProcessCompletions() {
  std::vector<std::pair<Transfer*, CURLcode>> done;
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(Multi(multi_), &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    void* priv = nullptr;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
    done.emplace_back(static_cast<Transfer*>(priv), msg->data.result);
  }
  for (auto [transfer, code] : done) {
    if (code == CURLE_OK) {
      long status = 0;  // NOLINT(google-runtime-int): libcurl's type
      curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &status);
      transfer->response.status = static_cast<int>(status);
      Complete(transfer, TransportError::kNone, "");
    } else if (code == CURLE_WRITE_ERROR && transfer->sink_stopped) {
      Complete(transfer, TransportError::kAborted, "stopped by the body consumer");
    } else {
      Complete(transfer, ErrorFor(code), curl_easy_strerror(code));
    }
  }
}

void HttpTransport::Complete(Transfer* transfer, TransportError error, std::string detail) {
  auto it = active_.find(transfer->id);
  std::unique_ptr<Transfer> owned = std::move(it->second);
  active_.erase(it);
  HttpResponse& r = owned->response;
  CURL* easy = owned->easy;
  if (easy != nullptr) {
    long version = 0;  // NOLINT(google-runtime-int): libcurl's type
    curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
    r.http_version = version == CURL_HTTP_VERSION_2_0   ? 20
                     : version == CURL_HTTP_VERSION_1_1 ? 11
                     : version == CURL_HTTP_VERSION_1_0 ? 10
                                                        : 0;
    // The server answered over HTTP/1.x although HTTP/2 was offered: it does
    // not multiplex, stop waiting for it to.
    if (r.http_version == 11 || r.http_version == 10) may_multiplex_ = false;
    long connects = 0;  // NOLINT(google-runtime-int): libcurl's type
    curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
    r.new_connection = connects > 0;
    if (connects > 0) connections_opened_.fetch_add(connects, std::memory_order_relaxed);
    if (r.status == 0) {
      long status = 0;  // NOLINT(google-runtime-int): libcurl's type
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      r.status = static_cast<int>(status);
    }
    curl_multi_remove_handle(Multi(multi_), easy);
    curl_easy_reset(easy);
    idle_handles_.push_back(easy);
  }
  curl_slist_free_all(owned->header_list);
  owned->header_list = nullptr;
  r.error = error;
  r.error_detail = std::move(detail);
  r.latency = clock_.MonoNow() - owned->submitted_at;
  r.request = std::move(owned->request);
  completed_.fetch_add(1, std::memory_order_relaxed);
  if (error != TransportError::kNone) failed_.fetch_add(1, std::memory_order_relaxed);
  HttpCallback done = std::move(owned->done);
  HttpResponse response = std::move(r);
  owned.reset();
  done(std::move(response));
}

void HttpTransport::ShutdownAll() {
  // Callbacks may submit or post more work while we finish; loop until nothing is left.
  while (true) {
    std::vector<Transfer*> outstanding;
    outstanding.reserve(active_.size());
    for (auto& [id, transfer] : active_) outstanding.push_back(transfer.get());
    for (Transfer* transfer : outstanding) {
      Complete(transfer, TransportError::kShutdown, "transport shut down");
    }
    DrainQueues();  // pending submissions complete with kShutdown, posted tasks run
    absl::MutexLock lock(&mu_);
    if (active_.empty() && pending_.empty() && posted_.empty()) break;
  }
  std::map<TimerId, Timer> dropped;
  {
    absl::MutexLock lock(&mu_);
    dropped.swap(timers_);
    timer_order_.clear();
  }
}

}  // namespace sluice::kube
