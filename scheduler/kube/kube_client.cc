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

RequestId KubeClient::Send(HttpRequest request, Done done, bool retried) {
  absl::StatusOr<std::string> token = token_.Token();
  std::string used_token = token.ok() ? *token : std::string();
  // Headers are rebuilt on every send (a retry carries a fresh token).
  request.headers.clear();
  request.headers.push_back("Accept: application/json");
  if (!request.body.empty() || request.method == HttpMethod::kPost) {
    // No 100-continue round trip before the body.
    request.headers.push_back("Expect:");
  }
  if (!used_token.empty())
    request.headers.push_back(absl::StrCat("Authorization: Bearer ", used_token));
  return transport_->Submit(
      std::move(request), [this, done = std::move(done), retried,
                           used_token = std::move(used_token)](HttpResponse response) mutable {
        if (response.status == 401 && !retried && token_.RefreshAfterUnauthorized(used_token)) {
          Send(std::move(response.request), std::move(done), /*retried=*/true);
          return;
        }
        done(ClassifyResponse(std::move(response)));
      });
}

void KubeClient::CreatePod(absl::string_view ns, std::string body, Done done) {
  HttpRequest request;
  request.method = HttpMethod::kPost;
  request.target = ResourceRef::Pods(ns).CollectionPath();
  request.body = std::move(body);
  request.content_type = "application/json";
  request.timeout = options_.request_timeout;
  Send(std::move(request), std::move(done), false);
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
  Send(std::move(request), std::move(done), false);
}

void KubeClient::Get(const ResourceRef& ref, absl::string_view name, Done done) {
  HttpRequest request;
  request.method = HttpMethod::kGet;
  request.target = ref.ObjectPath(name);
  request.timeout = options_.request_timeout;
  Send(std::move(request), std::move(done), false);
}

void KubeClient::List(const ResourceRef& ref, const ListOptions& options, Done done) {
  HttpRequest request;
  request.method = HttpMethod::kGet;
  request.target = ref.CollectionPath() + ListQuery(options);
  // Large lists take longer than a write.
  request.timeout = std::max(options_.request_timeout, absl::Minutes(2));
  Send(std::move(request), std::move(done), false);
}

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
  auto stream = std::make_shared<JsonObjectStream>();
  request.on_body = [stream, on_object = std::move(on_object)](absl::string_view chunk) mutable {
    return stream->Feed(chunk, [&on_object](absl::string_view object) { on_object(object); }).ok();
  };
  return Send(std::move(request), std::move(done), false);
}

void KubeClient::Cancel(RequestId id) { transport_->Cancel(id); }

}  // namespace sluice::kube
