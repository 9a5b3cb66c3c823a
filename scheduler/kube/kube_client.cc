#include "scheduler/kube/kube_client.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "scheduler/kube/json_object_stream.h"

namespace sluice::kube {

absl::StatusOr<std::unique_ptr<KubeClient>> KubeClient::Create(KubeClientOptions options,
                                                               const Clock& clock) {
  std::unique_ptr<KubeClient> client(new KubeClient(std::move(options), clock));
  HttpTransportOptions transport;
  transport.server = client->options_.config.server;
  transport.tls = client->options_.config.tls;
  transport.max_connections_per_host = client->options_.max_connections;
  transport.http2 = client->options_.http2;
  transport.user_agent = client->options_.user_agent;
  absl::StatusOr<std::unique_ptr<HttpTransport>> created =
      HttpTransport::Create(std::move(transport), clock);
  if (!created.ok()) return created.status();
  client->transport_ = std::move(*created);
  // Fail early on an unreadable token file.
  if (absl::StatusOr<std::string> token = client->token_.Token(); !token.ok()) {
    return token.status();
  }
  return client;
}

KubeClient::KubeClient(KubeClientOptions options, const Clock& clock)
    : options_(std::move(options)),
      token_(clock, options_.config.token, options_.config.token_file) {}

KubeClient::~KubeClient() = default;

void KubeClient::Send(HttpRequest request, Done done, bool retried, RequestId watch) {
  absl::StatusOr<std::string> token = token_.Token();
  if (!token.ok()) {
    // Without credentials the server can only refuse: answer here, on the I/O
    // thread like every answer.
    ApiResult refused;
    refused.code = ApiCode::kUnauthorized;
    refused.message = absl::StrCat("no bearer token: ", token.status().message());
    transport_->Post([this, watch, done = std::move(done), refused = std::move(refused)]() mutable {
      if (watch != 0) ForgetWatch(watch);
      done(std::move(refused));
    });
    return;
  }
  std::string used_token = std::move(*token);
  // Headers are rebuilt on every send (a retry carries a fresh token).
  request.headers.clear();
  request.headers.push_back("Accept: application/json");
  if (!used_token.empty()) {
    request.headers.push_back(absl::StrCat("Authorization: Bearer ", used_token));
  }
  HttpCallback callback = [this, done = std::move(done), retried, watch,
                           used_token = std::move(used_token)](HttpResponse response) mutable {
    if (response.status == 401 && !retried && token_.RefreshAfterUnauthorized(used_token)) {
      Send(std::move(response.request), std::move(done), /*retried=*/true, watch);
      return;
    }
    if (watch != 0) ForgetWatch(watch);
    done(ClassifyResponse(std::move(response)));
  };
  if (watch == 0) {
    transport_->Submit(std::move(request), std::move(callback));
    return;
  }
  // Record which exchange serves the watch, atomically with Cancel.
  absl::MutexLock lock(&watches_mu_);
  auto it = watches_.find(watch);
  if (it == watches_.end()) {
    // Canceled while its 401 was being answered: end it as canceled.
    transport_->Post([callback = std::move(callback)]() mutable {
      HttpResponse canceled;
      canceled.error = TransportError::kAborted;
      canceled.error_detail = "canceled";
      callback(std::move(canceled));
    });
    return;
  }
  it->second = transport_->Submit(std::move(request), std::move(callback));
}

void KubeClient::ForgetWatch(RequestId watch) {
  absl::MutexLock lock(&watches_mu_);
  watches_.erase(watch);
}

void KubeClient::CreatePod(absl::string_view ns, std::string body, Done done) {
  HttpRequest request;
  request.method = HttpMethod::kPost;
  request.target = ResourceRef::Pods(ns).CollectionPath();
  request.body = std::move(body);
  request.content_type = "application/json";
  request.timeout = options_.request_timeout;
  Send(std::move(request), std::move(done), /*retried=*/false, /*watch=*/0);
}

void KubeClient::DeletePod(absl::string_view ns, absl::string_view name,
                           const DeleteOptions& options, Done done) {
  HttpRequest request;
  request.method = HttpMethod::kDelete;
  request.target = ResourceRef::Pods(ns).ObjectPath(name);
  std::string body = R"({"kind":"DeleteOptions","apiVersion":"v1")";
  if (options.grace_period_seconds.has_value()) {
    absl::StrAppend(&body, ",\"gracePeriodSeconds\":", *options.grace_period_seconds);
  }
  if (!options.precondition_uid.empty()) {
    absl::StrAppend(&body, ",\"preconditions\":{\"uid\":", JsonQuote(options.precondition_uid),
                    "}");
  }
  body += "}";
  request.body = std::move(body);
  request.content_type = "application/json";
  request.timeout = options_.request_timeout;
  Send(std::move(request), std::move(done), /*retried=*/false, /*watch=*/0);
}

void KubeClient::Get(const ResourceRef& ref, absl::string_view name, Done done) {
  HttpRequest request;
  request.method = HttpMethod::kGet;
  request.target = ref.ObjectPath(name);
  request.timeout = options_.request_timeout;
  Send(std::move(request), std::move(done), /*retried=*/false, /*watch=*/0);
}

void KubeClient::List(const ResourceRef& ref, const ListOptions& options, Done done) {
  HttpRequest request;
  request.method = HttpMethod::kGet;
  request.target = ref.CollectionPath() + ListQuery(options);
  // Large lists take longer than a write.
  request.timeout = std::max(options_.request_timeout, absl::Minutes(2));
  Send(std::move(request), std::move(done), /*retried=*/false, /*watch=*/0);
}

namespace {

// The body of one watch as it streams in.
struct WatchBody {
  JsonObjectStream stream;
  absl::Status error;  // of the stream: the body is not a sequence of JSON objects
  absl::AnyInvocable<void(absl::string_view object)> on_object;
};

}  // namespace

RequestId KubeClient::Watch(const ResourceRef& ref, const WatchOptions& options,
                            absl::AnyInvocable<void(absl::string_view object)> on_object,
                            Done done) {
  HttpRequest request;
  request.method = HttpMethod::kGet;
  request.target = ref.CollectionPath() + WatchQuery(options);
  // The server ends the watch after timeoutSeconds; this is a safety net.
  request.timeout = options.timeout_seconds > 0
                        ? absl::Seconds(options.timeout_seconds) + absl::Seconds(60)
                        : absl::InfiniteDuration();
  auto body = std::make_shared<WatchBody>();
  body->on_object = std::move(on_object);
  request.on_body = [body](absl::string_view chunk) {
    body->error =
        body->stream.Feed(chunk, [&body](absl::string_view object) { body->on_object(object); });
    return body->error.ok();
  };
  Done finish = [body, done = std::move(done)](ApiResult result) mutable {
    if (!body->error.ok()) {
      result.code = ApiCode::kTransportError;
      result.transport_error = TransportError::kOther;
      result.message = absl::StrCat("watch body: ", body->error.message());
    } else if (result.ok() && body->stream.pending_bytes() > 0) {
      result.code = ApiCode::kTransportError;
      result.transport_error = TransportError::kConnectionLost;
      result.message = absl::StrCat("watch body ended inside an object (",
                                    body->stream.pending_bytes(), " bytes)");
    }
    done(std::move(result));
  };
  const RequestId watch = next_watch_.fetch_add(1, std::memory_order_relaxed);
  {
    absl::MutexLock lock(&watches_mu_);
    watches_.emplace(watch, 0);
  }
  Send(std::move(request), std::move(finish), /*retried=*/false, watch);
  return watch;
}

void KubeClient::Cancel(RequestId id) {
  RequestId exchange = 0;
  {
    absl::MutexLock lock(&watches_mu_);
    auto it = watches_.find(id);
    if (it == watches_.end()) return;
    exchange = it->second;
    watches_.erase(it);
  }
  transport_->Cancel(exchange);
}

}  // namespace sluice::kube
