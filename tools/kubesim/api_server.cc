#include "tools/kubesim/api_server.h"

#include <dirent.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "rapidjson/document.h"
#include "tools/kubesim/discovery.h"
#include "tools/kubesim/http_worker_pool.h"
#include "tools/kubesim/ids.h"
#include "tools/kubesim/json_parse.h"
#include "tools/kubesim/json_writer.h"
#include "tools/kubesim/plain_http_server.h"
#include "tools/kubesim/strings.h"
#include "tools/kubesim/table.h"
#include "tools/kubesim/watch_stream.h"

namespace sluice::kubesim {
namespace {

// UIDs of the FlowSchema ("service-accounts") and PriorityLevelConfiguration
// ("workload-low") every request of the simulator is classified into.
constexpr char kFlowSchemaUid[] = "3f5e1f4e-5b8a-4a55-9a1e-2f1f6f1f0c01";
constexpr char kPriorityLevelUid[] = "7d7c2d90-4c1b-4f6e-8f6e-6b0c8f0e0a02";
constexpr char kJson[] = "application/json";
// How long a watch provider call blocks waiting for events (bounds the time a
// stopping server waits for its watch threads).
constexpr absl::Duration kWatchPoll = absl::Milliseconds(100);

// httplib::SSLServer exposing the listening socket, so that its fixed listen
// backlog of 5 can be raised (PlainHttpServer does the same for plain HTTP).
class TunedSslServer : public httplib::SSLServer {
 public:
  using httplib::SSLServer::SSLServer;
  int listen_fd() const { return static_cast<int>(this->svr_sock_); }
};

std::string Param(const httplib::Request& req, const char* key) {
  return req.has_param(key) ? req.get_param_value(key) : std::string();
}

bool ParamTrue(const httplib::Request& req, const char* key) {
  const std::string v = Param(req, key);
  return v == "1" || v == "true" || v == "True";
}

int PortOf(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
  if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
  return -1;
}

// Resets the TCP connection `req` arrived on: a RST, and nothing more is
// sent. httplib does not expose the socket, so it is found among the
// process's descriptors by the ports httplib recorded (local port = the
// server's, peer port = the client's; an in-process client's own socket has
// them the other way round). connect(AF_UNSPEC) disconnects an established
// socket with a RST; httplib's later write fails and it closes the
// descriptor. Returns false when the socket was not found.
bool ResetConnection(const httplib::Request& req) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return false;
  bool done = false;
  while (dirent* e = ::readdir(dir)) {
    char* end = nullptr;
    const long fd_long = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0') continue;
    const int fd = static_cast<int>(fd_long);
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_storage local{}, peer{};
    socklen_t local_len = sizeof(local), peer_len = sizeof(peer);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
      continue;
    }
    if (PortOf(local) != req.local_port || PortOf(peer) != req.remote_port) continue;
    sockaddr unspec{};
    unspec.sa_family = AF_UNSPEC;
    ::connect(fd, &unspec, sizeof(unspec));
    done = true;
    break;
  }
  ::closedir(dir);
  return done;
}

}  // namespace

// What a request addresses.
struct ApiServer::Route {
  enum class Type { kNotFound, kVersion, kApi, kApis, kApiV1, kResource };
  Type type = Type::kNotFound;
  const ResourceInfo* resource = nullptr;
  std::string namespace_name;
  std::string name;
  std::string subresource;
  std::string verb;  // Kubernetes verb
  bool mutating = false;
};

// The answer being built; written to the httplib response at the end.
struct ApiServer::Reply {
  int code = 200;
  std::string body;
  std::string content_type = kJson;
  int64_t retry_after_s = 0;
  bool streaming = false;  // the handler installed a content provider

  void Json(int c, std::string b) {
    code = c;
    body = std::move(b);
    content_type = kJson;
  }
  void Error(const ApiError& e) {
    code = e.http_code;
    body = e.body;
    content_type = e.content_type;
    retry_after_s = e.retry_after_s;
  }
};

ApiServer::ApiServer(SimCluster* cluster, ServerOptions options, const Clock& clock)
    : cluster_(cluster),
      options_(std::move(options)),
      clock_(clock),
      throttle_(clock, options_.limits, options_.qps_schedule),
      stats_(clock),
      faults_(options_.faults, options_.fault_seed) {}

ApiServer::~ApiServer() { Stop(); }

std::string ApiServer::url() const {
  const bool tls = !options_.tls_cert_file.empty();
  return Cat(tls ? "https" : "http", "://", options_.host, ":", port_);
}

absl::StatusOr<int> ApiServer::Start() {
  const bool tls = !options_.tls_cert_file.empty() || !options_.tls_key_file.empty();
  int listen_fd = -1;
  if (tls) {
    auto server = std::make_unique<TunedSslServer>(options_.tls_cert_file.c_str(),
                                                   options_.tls_key_file.c_str());
    if (!server->is_valid()) {
      return absl::InvalidArgumentError(Cat("cannot load TLS certificate ", options_.tls_cert_file,
                                            " / key ", options_.tls_key_file));
    }
    http_ = std::move(server);
  } else {
    http_ = std::make_unique<PlainHttpServer>();
  }
  // Writes to connections a client (or an injected reset) closed must fail
  // with EPIPE rather than kill the process (httplib sends without
  // MSG_NOSIGNAL).
  std::signal(SIGPIPE, SIG_IGN);
  const size_t threads = options_.http_threads;
  http_->new_task_queue = [threads] { return new HttpWorkerPool(threads); };
  http_->set_keep_alive_max_count(std::numeric_limits<int32_t>::max());
  http_->set_keep_alive_timeout(options_.keep_alive_timeout_s);
  http_->set_read_timeout(60);
  http_->set_write_timeout(30);
  http_->set_tcp_nodelay(true);
  http_->set_payload_max_length(64 << 20);
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { Handle(req, res); };
  http_->Get(".*", handler);
  http_->Post(".*", handler);
  http_->Put(".*", handler);
  http_->Patch(".*", handler);
  http_->Delete(".*", handler);
  if (options_.log_requests) {
    http_->set_logger([](const httplib::Request& req, const httplib::Response& res) {
      std::fprintf(stderr, "kubesim: %s %s -> %d [accept: %s]\n", req.method.c_str(),
                   req.target.c_str(), res.status, req.get_header_value("Accept").c_str());
    });
  }
  if (options_.port == 0) {
    port_ = http_->bind_to_any_port(options_.host);
    if (port_ <= 0) return absl::UnavailableError(Cat("cannot bind ", options_.host));
  } else {
    if (!http_->bind_to_port(options_.host, options_.port)) {
      return absl::UnavailableError(Cat("cannot bind ", options_.host, ":", options_.port));
    }
    port_ = options_.port;
  }
  listen_fd = tls ? static_cast<TunedSslServer*>(http_.get())->listen_fd()
                  : static_cast<PlainHttpServer*>(http_.get())->listen_fd();
  ::listen(listen_fd, SOMAXCONN);  // httplib listens with a backlog of 5
  listener_ = std::thread([this] { http_->listen_after_bind(); });
  return port_;
}

void ApiServer::Stop() {
  if (http_ == nullptr || stopping_.exchange(true)) return;
  http_->stop();
  if (auto* plain = dynamic_cast<PlainHttpServer*>(http_.get())) plain->WakeIdleConnections();
  if (listener_.joinable()) listener_.join();
}

double ApiServer::Random() {
  thread_local absl::InsecureBitGen gen;
  return absl::Uniform<double>(gen, 0.0, 1.0);
}

void ApiServer::Handle(const httplib::Request& req, httplib::Response& res) {
  // kube-apiserver gzips only large answers; httplib would gzip every JSON
  // answer and hold watch events in the compressor, so Accept-Encoding is
  // ignored (the request object belongs to httplib's worker; it is not const
  // there).
  const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");

  const std::string& path = req.path;
  if (absl::StartsWith(path, "/sim/")) {
    HandleSim(req, res);
    return;
  }
  if (path == "/healthz" || path == "/livez" || path == "/readyz") {
    res.set_content("ok", "text/plain; charset=utf-8");
    return;
  }

  Route route;
  std::vector<absl::string_view> seg = absl::StrSplit(path, '/', absl::SkipEmpty());
  const std::string method = req.method;
  if (seg.size() == 1 && seg[0] == "version") {
    route.type = Route::Type::kVersion;
  } else if (seg.size() == 1 && seg[0] == "api") {
    route.type = Route::Type::kApi;
  } else if (seg.size() == 1 && seg[0] == "apis") {
    route.type = Route::Type::kApis;
  } else if (seg.size() == 2 && seg[0] == "api" && seg[1] == "v1") {
    route.type = Route::Type::kApiV1;
  } else if (seg.size() >= 3 && seg[0] == "api" && seg[1] == "v1") {
    ObjectStore& store = cluster_->store();
    size_t i = 2;
    if (seg.size() >= 5 && seg[2] == "namespaces") {
      const ResourceInfo* inner = store.FindResource(ToStd(seg[4]));
      if (inner != nullptr && inner->namespaced) {
        route.namespace_name = std::string(seg[3]);
        i = 4;
      }
    }
    route.resource = store.FindResource(ToStd(seg[i]));
    const size_t rest = seg.size() - i - 1;  // segments after the resource
    const bool scoped_ok =
        route.resource != nullptr &&
        (route.namespace_name.empty() ? (!route.resource->namespaced || rest == 0)
                                      : route.resource->namespaced);
    if (scoped_ok && rest <= 2) {
      route.type = Route::Type::kResource;
      if (rest >= 1) route.name = std::string(seg[i + 1]);
      if (rest == 2) route.subresource = std::string(seg[i + 2]);
    }
  }
  const bool collection = route.name.empty();
  if (route.type != Route::Type::kResource) {
    route.verb = "get";  // discovery and unknown paths
  } else if (method == "GET" || method == "HEAD") {
    route.verb = collection ? (ParamTrue(req, "watch") ? "watch" : "list") : "get";
  } else if (method == "POST") {
    route.verb = "create";
  } else if (method == "PUT") {
    route.verb = "update";
  } else if (method == "PATCH") {
    route.verb = "patch";
  } else if (method == "DELETE") {
    route.verb = collection ? "deletecollection" : "delete";
  }
  route.mutating = method != "GET" && method != "HEAD";

  Reply reply;
  // Authentication first, as the apiserver's filter chain does.
  const bool public_path = route.type == Route::Type::kVersion;
  if (!options_.token.empty()) {
    const std::string auth = req.get_header_value("Authorization");
    const bool anonymous_ok = public_path && auth.empty();
    if (!anonymous_ok && auth != Cat("Bearer ", options_.token)) {
      reply.Error(Unauthorized());
      stats_.RecordRequest(route.verb, reply.code);
      res.status = reply.code;
      res.set_content(reply.body, reply.content_type);
      return;
    }
  }
  res.set_header("Audit-Id", NewUid());
  res.set_header("Cache-Control", "no-cache, private");
  res.set_header("X-Kubernetes-Pf-Flowschema-Uid", kFlowSchemaUid);
  res.set_header("X-Kubernetes-Pf-Prioritylevel-Uid", kPriorityLevelUid);

  RequestFaults faults;
  if (route.type == Route::Type::kResource) {
    faults = faults_.PlanRequest(route.mutating, route.verb == "watch",
                                 route.verb == "create" && route.resource->name == "pods");
  }
  if (faults.before != RequestFaults::Before::kNone) {
    if (faults.delay > absl::ZeroDuration()) absl::SleepFor(faults.delay);
    switch (faults.before) {
      case RequestFaults::Before::kReset:
        ResetConnection(req);
        stats_.RecordDroppedConnection();
        return;
      case RequestFaults::Before::k500:
        reply.Error(InternalError("kubesim: injected fault"));
        break;
      case RequestFaults::Before::k503:
        reply.Error(ServiceUnavailable("the server is currently unable to handle the request",
                                       faults.retry_after_503_s));
        break;
      case RequestFaults::Before::k429:
        stats_.RecordMutating(false);
        reply.Error(TooManyRequests(throttle_.RejectNow()));
        res.set_header("X-Content-Type-Options", "nosniff");
        break;
      case RequestFaults::Before::kNone:
        break;
    }
    stats_.RecordRequest(route.verb, reply.code);
    res.status = reply.code;
    if (reply.retry_after_s > 0) res.set_header("Retry-After", Cat(reply.retry_after_s));
    res.set_content(reply.body, reply.content_type);
    return;
  }

  bool admitted = false;
  if (route.mutating && route.type == Route::Type::kResource) {
    const MonoTime give_up = clock_.MonoNow() + options_.queue_wait;
    while (true) {
      Throttle::Decision d = throttle_.TryAdmit(give_up);
      if (d.kind == Throttle::Decision::Kind::kAdmitted) break;
      if (d.kind == Throttle::Decision::Kind::kWait) {
        absl::SleepFor(std::min(d.wait, absl::Milliseconds(5)));
        continue;
      }
      stats_.RecordMutating(false);
      reply.Error(TooManyRequests(d.retry_after_s));
      res.set_header("X-Content-Type-Options", "nosniff");
      stats_.RecordRequest(route.verb, reply.code);
      res.status = reply.code;
      res.set_header("Retry-After", Cat(reply.retry_after_s));
      res.set_content(reply.body, reply.content_type);
      return;
    }
    stats_.RecordMutating(true);
    admitted = true;
  }
  if (faults.delay > absl::ZeroDuration()) absl::SleepFor(faults.delay);

  const bool discovery =
      route.type != Route::Type::kResource && route.type != Route::Type::kNotFound;
  if (discovery && method != "GET" && method != "HEAD") {
    reply.Error(MethodNotAllowed());
  } else {
    switch (route.type) {
      case Route::Type::kVersion:
        reply.Json(200, VersionJson());
        break;
      case Route::Type::kApi:
        reply.Json(200, ApiVersionsJson(Cat(options_.host, ":", port_)));
        break;
      case Route::Type::kApis:
        reply.Json(200, ApiGroupListJson());
        break;
      case Route::Type::kApiV1:
        reply.Json(200, ApiResourceListJson(cluster_->store().resources()));
        break;
      case Route::Type::kResource:
        HandleApi(req, route, faults, res, &reply);
        break;
      case Route::Type::kNotFound:
        reply.Error(NoSuchResource());
        break;
    }
  }
  if (admitted) throttle_.Release();

  stats_.RecordRequest(route.verb, reply.code);
  if (reply.streaming) return;
  res.status = reply.code;
  if (reply.retry_after_s > 0) res.set_header("Retry-After", Cat(reply.retry_after_s));
  if (faults.reset_after) {
    // Executed, then the connection is reset before the answer.
    ResetConnection(req);
    stats_.RecordDroppedConnection();
    return;
  }
  if (faults.drop_after_headers) {
    // Cut the connection after the status line and headers.
    stats_.RecordDroppedConnection();
    res.set_chunked_content_provider(reply.content_type,
                                     [](size_t, httplib::DataSink&) { return false; });
    return;
  }
  res.set_content(std::move(reply.body), reply.content_type);
}

void ApiServer::HandleApi(const httplib::Request& req, const Route& route,
                          const RequestFaults& faults, httplib::Response& res, Reply* reply) {
  const ResourceInfo& r = *route.resource;
  const std::string& verb = route.verb;
  if (!route.subresource.empty() &&
      !(route.subresource == "status" && verb == "get" && r.name == "pods")) {
    reply->Error(route.subresource == "status" ? MethodNotAllowed() : NoSuchResource());
    return;
  }
  if (verb == "get") {
    ApiOr<std::shared_ptr<const ApiObject>> obj =
        cluster_->store().Get(r.name, route.namespace_name, route.name);
    if (!obj.ok()) {
      reply->Error(obj.error());
    } else if (WantsTable(req.get_header_value("Accept"))) {
      reply->Json(
          200, TableJson(r, {obj.value()}, obj.value()->resource_version(), "", clock_.WallNow()));
    } else {
      reply->Json(200, obj.value()->Json());
    }
    return;
  }
  if (verb == "list") {
    ServeList(req, route, reply);
    return;
  }
  if (verb == "watch") {
    ServeWatch(req, route, res, reply);
    return;
  }
  if (verb == "create") {
    ApiOr<std::shared_ptr<const ApiObject>> created = ApiError{};
    if (r.name == "pods") {
      if (faults.create_5xx) {
        if (Random() < 0.5) {
          reply->Error(ServerTimeout("pods", "create", 2));
          return;
        }
        // A timeout after which the pod may or may not exist.
        if (Random() < 0.5) cluster_->CreatePod(route.namespace_name, req.body);
        reply->Error(GatewayTimeout());
        return;
      }
      created = cluster_->CreatePod(route.namespace_name, req.body);
    } else if (r.name == "namespaces") {
      created = cluster_->CreateNamespace(req.body);
    } else if (r.name == "resourcequotas") {
      created = cluster_->CreateQuota(route.namespace_name, req.body);
    } else {
      reply->Error(MethodNotAllowed());
      return;
    }
    if (created.ok()) {
      reply->Json(201, created.value()->Json());
    } else {
      reply->Error(created.error());
    }
    return;
  }
  if (verb == "delete") {
    ServeDelete(req, route, reply);
    return;
  }
  if (verb == "deletecollection" && r.name == "pods") {
    ServeDeleteCollection(req, route, reply);
    return;
  }
  if ((verb == "update" || verb == "patch") && r.name == "resourcequotas") {
    ServeQuotaWrite(req, route, reply);
    return;
  }
  reply->Error(MethodNotAllowed());
}

void ApiServer::ServeQuotaWrite(const httplib::Request& req, const Route& route, Reply* reply) {
  ApiOr<std::shared_ptr<const ApiObject>> result = ApiError{};
  if (route.verb == "update") {
    result = cluster_->ReplaceQuota(route.namespace_name, route.name, req.body);
  } else {
    const std::string type = req.get_header_value("Content-Type");
    if (!absl::StartsWith(type, "application/merge-patch+json") &&
        !absl::StartsWith(type, "application/strategic-merge-patch+json")) {
      StatusFields f;
      f.code = 415;
      f.reason = "UnsupportedMediaType";
      f.message =
          Cat("the body of the request was in an unknown format - accepted media types "
              "include: application/merge-patch+json, "
              "application/strategic-merge-patch+json (kubesim; got \"",
              type, "\")");
      reply->Error(StatusError(f));
      return;
    }
    result = cluster_->PatchQuota(route.namespace_name, route.name, req.body);
  }
  if (result.ok()) {
    reply->Json(200, result.value()->Json());
  } else {
    reply->Error(result.error());
  }
}

namespace {

// Parses labelSelector and fieldSelector (400 on errors or unsupported fields).
std::optional<ApiError> ParseSelectors(const httplib::Request& req, const ResourceInfo& r,
                                       LabelSelector* labels, FieldSelector* fields) {
  absl::StatusOr<LabelSelector> ls = LabelSelector::Parse(Param(req, "labelSelector"));
  if (!ls.ok()) return BadRequest(ToStd(ls.status().message()));
  absl::StatusOr<FieldSelector> fs = FieldSelector::Parse(Param(req, "fieldSelector"));
  if (!fs.ok()) return BadRequest(ToStd(fs.status().message()));
  if (std::optional<std::string> bad = fs->FirstUnsupported(r.field_labels)) {
    return BadRequest(Cat("field label not supported: ", *bad));
  }
  *labels = *std::move(ls);
  *fields = *std::move(fs);
  return std::nullopt;
}

std::string ListJson(const ResourceInfo& r, const ListResult& list) {
  size_t size = 256;
  std::string out;
  out.reserve(size + list.items.size() * 3072);
  JsonWriter w(&out);
  w.BeginObject();
  w.KeyString("kind", r.list_kind);
  w.KeyString("apiVersion", "v1");
  w.Key("metadata");
  w.BeginObject();
  w.KeyString("resourceVersion", Cat(list.resource_version));
  if (!list.continue_token.empty()) w.KeyString("continue", list.continue_token);
  if (list.remaining_item_count.has_value()) {
    w.KeyInt("remainingItemCount", *list.remaining_item_count);
  }
  w.EndObject();
  w.Key("items");
  w.BeginArray();
  for (size_t i = 0; i < list.items.size(); ++i) {
    if (i > 0) out.push_back(',');
    list.items[i]->AppendListItemJson(&out);
  }
  w.ContinueAfterValue();
  out.push_back(']');
  w.EndObject();
  return out;
}

}  // namespace

void ApiServer::ServeList(const httplib::Request& req, const Route& route, Reply* reply) {
  const ResourceInfo& r = *route.resource;
  ListOptions options;
  if (std::optional<ApiError> err = ParseSelectors(req, r, &options.labels, &options.fields)) {
    reply->Error(*err);
    return;
  }
  options.namespace_name = route.namespace_name;
  options.continue_token = Param(req, "continue");
  options.resource_version = Param(req, "resourceVersion");
  options.resource_version_match = Param(req, "resourceVersionMatch");
  const std::string limit = Param(req, "limit");
  if (!limit.empty() && !absl::SimpleAtoi(limit, &options.limit)) {
    reply->Error(BadRequest(Cat("limit: Invalid value: \"", limit, "\"")));
    return;
  }
  ApiOr<ListResult> list = cluster_->store().List(r.name, options);
  if (!list.ok()) {
    reply->Error(list.error());
    return;
  }
  if (WantsTable(req.get_header_value("Accept"))) {
    reply->Json(200, TableJson(r, list->items, list->resource_version, list->continue_token,
                               clock_.WallNow()));
  } else {
    reply->Json(200, ListJson(r, list.value()));
  }
}

void ApiServer::ServeWatch(const httplib::Request& req, const Route& route, httplib::Response& res,
                           Reply* reply) {
  const ResourceInfo& r = *route.resource;
  WatchOptions options;
  options.resource = r.name;
  options.namespace_name = route.namespace_name;
  if (std::optional<ApiError> err = ParseSelectors(req, r, &options.labels, &options.fields)) {
    reply->Error(*err);
    return;
  }
  const std::string rv = Param(req, "resourceVersion");
  if (!rv.empty() && rv != "0") {
    uint64_t n;
    if (!absl::SimpleAtoi(rv, &n)) {
      reply->Error(BadRequest(Cat("resourceVersion: Invalid value: \"", rv, "\"")));
      return;
    }
    options.from_rv = n;
  } else if (rv.empty() && Param(req, "sendInitialEvents") == "false") {
    options.from_rv = cluster_->store().current_resource_version();  // start at most recent
  }
  const WatchFaults watch_faults = faults_.PlanWatch(options.from_rv.has_value() && !rv.empty());
  if (watch_faults.expire_410) {
    // As after a compaction: 200, one ERROR event with the 410 Status, end.
    std::string event = Cat(
        "{\"type\":\"ERROR\",\"object\":",
        TooOldResourceVersionStatus(*options.from_rv, cluster_->store().current_resource_version()),
        "}\n");
    stats_.RecordWatchEvents(1);
    reply->Json(200, std::move(event));
    return;
  }
  options.allow_bookmarks = ParamTrue(req, "allowWatchBookmarks");
  options.send_initial_events = ParamTrue(req, "sendInitialEvents");
  options.bookmark_interval = options_.bookmark_interval;
  options.as_table = WantsTable(req.get_header_value("Accept"));
  int64_t timeout_s = 0;
  if (absl::SimpleAtoi(Param(req, "timeoutSeconds"), &timeout_s) && timeout_s > 0) {
    options.timeout = absl::Seconds(timeout_s);
  } else {
    options.timeout = options_.min_request_timeout * (1.0 + Random());
  }
  auto stream = std::make_shared<WatchStream>(&cluster_->store(), clock_, std::move(options));
  if (std::optional<ApiError> err = stream->Start()) {
    reply->Error(*err);
    return;
  }
  stats_.WatcherStarted();
  reply->code = 200;
  reply->streaming = true;
  res.status = 200;
  const MonoTime cut_at = watch_faults.cut_after > absl::ZeroDuration()
                              ? clock_.MonoNow() + watch_faults.cut_after
                              : MonoTime::Infinite();
  res.set_chunked_content_provider(
      kJson,
      [this, stream, cut_at](size_t, httplib::DataSink& sink) {
        if (clock_.MonoNow() >= cut_at) {
          // Injected cut: the connection closes without the final chunk.
          faults_.RecordWatchCut();
          return false;
        }
        std::string buf;
        const int64_t before = stream->events_sent();
        const bool more = stream->Next(&buf, kWatchPoll);
        stats_.RecordWatchEvents(stream->events_sent() - before);
        if (!buf.empty() && !sink.write(buf.data(), buf.size())) return false;
        if (!more || stopping_.load()) sink.done();
        return true;
      },
      [this](bool) { stats_.WatcherEnded(); });
}

namespace {

struct DeleteParams {
  std::optional<int64_t> grace_seconds;
  std::optional<std::string> uid;
};

std::optional<ApiError> ParseDeleteParams(const httplib::Request& req, DeleteParams* out) {
  const std::string grace = Param(req, "gracePeriodSeconds");
  if (!grace.empty()) {
    int64_t g;
    if (!absl::SimpleAtoi(grace, &g)) {
      return BadRequest(Cat("gracePeriodSeconds: Invalid value: \"", grace, "\""));
    }
    out->grace_seconds = g;
  }
  if (req.body.empty()) return std::nullopt;
  rapidjson::Document doc;
  if (!ParseJson(req.body, &doc) || !doc.IsObject()) {
    return BadRequest(
        "the body of the request was in an unknown format - accepted media types "
        "include: application/json, application/yaml, "
        "application/vnd.kubernetes.protobuf");
  }
  if (auto g = doc.FindMember("gracePeriodSeconds"); g != doc.MemberEnd() && g->value.IsInt64()) {
    out->grace_seconds = g->value.GetInt64();
  }
  if (auto p = doc.FindMember("preconditions"); p != doc.MemberEnd() && p->value.IsObject()) {
    if (auto uid = p->value.FindMember("uid");
        uid != p->value.MemberEnd() && uid->value.IsString()) {
      out->uid = std::string(uid->value.GetString(), uid->value.GetStringLength());
    }
  }
  return std::nullopt;
}

}  // namespace

void ApiServer::ServeDelete(const httplib::Request& req, const Route& route, Reply* reply) {
  DeleteParams params;
  if (std::optional<ApiError> err = ParseDeleteParams(req, &params)) {
    reply->Error(*err);
    return;
  }
  ApiOr<std::shared_ptr<const ApiObject>> result = ApiError{};
  if (route.resource->name == "pods") {
    result =
        cluster_->DeletePod(route.namespace_name, route.name, params.grace_seconds, params.uid);
  } else if (route.resource->name == "namespaces") {
    result = cluster_->DeleteNamespace(route.name);
  } else if (route.resource->name == "resourcequotas") {
    result = cluster_->DeleteQuota(route.namespace_name, route.name);
  } else {
    reply->Error(MethodNotAllowed());
    return;
  }
  if (result.ok()) {
    reply->Json(200, result.value()->Json());
  } else {
    reply->Error(result.error());
  }
}

void ApiServer::ServeDeleteCollection(const httplib::Request& req, const Route& route,
                                      Reply* reply) {
  DeleteParams params;
  if (std::optional<ApiError> err = ParseDeleteParams(req, &params)) {
    reply->Error(*err);
    return;
  }
  ListOptions options;
  if (std::optional<ApiError> err =
          ParseSelectors(req, *route.resource, &options.labels, &options.fields)) {
    reply->Error(*err);
    return;
  }
  options.namespace_name = route.namespace_name;
  ApiOr<ListResult> list = cluster_->store().List("pods", options);
  if (!list.ok()) {
    reply->Error(list.error());
    return;
  }
  ListResult deleted;
  for (const auto& pod : list->items) {
    ApiOr<std::shared_ptr<const ApiObject>> r = cluster_->DeletePod(
        pod->meta().namespace_name, pod->meta().name, params.grace_seconds, std::nullopt);
    if (r.ok()) deleted.items.push_back(r.value());
  }
  deleted.resource_version = cluster_->store().current_resource_version();
  reply->Json(200, ListJson(*route.resource, deleted));
}

std::string ApiServer::LimitsJson() {
  const ThrottleLimits l = throttle_.limits();
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("mutating_qps");
  w.Double(l.mutating_qps);
  w.KeyInt("mutating_burst", l.mutating_burst);
  w.KeyInt("max_inflight", l.max_inflight);
  w.EndObject();
  return out;
}

std::string ApiServer::StatsJson() {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  stats_.WriteJson(w);
  w.Key("pods_by_phase");
  w.BeginObject();
  int64_t total = 0;
  for (const auto& [phase, n] : cluster_->PodCounts()) {
    w.KeyInt(phase, n);
    if (phase != "Terminating") total += n;
  }
  w.EndObject();
  w.KeyInt("pods_total", total);
  w.Key("limits");
  w.Raw(LimitsJson());
  w.KeyInt("inflight", throttle_.inflight());
  w.KeyInt("retry_after", throttle_.retry_after());
  w.KeyInt("quota_refused_403", cluster_->quota().ledger().refused());
  w.Key("resource_version");
  w.Uint(cluster_->store().current_resource_version());
  w.EndObject();
  return out;
}

void ApiServer::HandleSimQuotas(const httplib::Request& req, httplib::Response& res) {
  if (req.method == "POST" || req.method == "PUT") {
    absl::StatusOr<std::vector<QuotaSeed>> seeds = ParseQuotaSeedsJson(req.body);
    std::string error = seeds.ok() ? "" : std::string(seeds.status().message());
    for (size_t i = 0; seeds.ok() && i < seeds->size() && error.empty(); ++i) {
      ApiOr<std::shared_ptr<const ApiObject>> set = cluster_->SetQuota((*seeds)[i]);
      if (!set.ok()) error = set.error().body;
    }
    if (!error.empty()) {
      std::string out;
      JsonWriter w(&out);
      w.BeginObject();
      w.KeyString("error", error);
      w.EndObject();
      res.status = 400;
      res.set_content(out, kJson);
      return;
    }
  } else if (req.method != "GET") {
    res.status = 405;
    res.set_content(R"({"error":"GET, POST or PUT"})", kJson);
    return;
  }
  res.set_content(cluster_->quota().QuotasJson(), kJson);
}

void ApiServer::HandleSimPools(const httplib::Request& req, httplib::Response& res) {
  const std::string name = req.path.size() > 11 ? req.path.substr(11) : std::string();
  const bool change = req.method == "POST" || req.method == "PUT";
  if (!change && !(req.method == "GET" && name.empty())) {
    res.status = 405;
    res.set_content(R"({"error":"GET /sim/pools, PUT /sim/pools or POST /sim/pools/NAME"})", kJson);
    return;
  }
  if (change) {
    absl::StatusOr<std::vector<PoolChange>> changes = ParsePoolChanges(req.body, name);
    absl::Status status = changes.status();
    for (size_t i = 0; status.ok() && i < changes->size(); ++i) {
      status = cluster_->pools().Apply((*changes)[i]);
    }
    if (!status.ok()) {
      std::string out;
      JsonWriter w(&out);
      w.BeginObject();
      w.KeyString("error", ToStd(status.message()));
      w.EndObject();
      res.status = absl::IsNotFound(status) ? 404 : 400;
      res.set_content(out, kJson);
      return;
    }
  }
  res.set_content(cluster_->pools().Json(), kJson);
}

void ApiServer::HandleSimFaults(const httplib::Request& req, httplib::Response& res) {
  if (req.method == "PUT" || req.method == "POST") {
    absl::StatusOr<FaultSettings> settings = ParseFaultSettingsJson(req.body, faults_.settings());
    if (!settings.ok()) {
      std::string out;
      JsonWriter w(&out);
      w.BeginObject();
      w.KeyString("error", ToStd(settings.status().message()));
      w.EndObject();
      res.status = 400;
      res.set_content(out, kJson);
      return;
    }
    faults_.Set(*settings);
  } else if (req.method != "GET") {
    res.status = 405;
    res.set_content(R"({"error":"GET or PUT"})", kJson);
    return;
  }
  res.set_content(faults_.Json(), kJson);
}

void ApiServer::HandleSim(const httplib::Request& req, httplib::Response& res) {
  const std::string& path = req.path;
  const std::string& method = req.method;
  if (path == "/sim/stats" && method == "GET") {
    res.set_content(StatsJson(), kJson);
  } else if (path == "/sim/reset-stats" && method == "POST") {
    stats_.Reset();
    res.set_content("{}", kJson);
  } else if (path == "/sim/history" && method == "GET") {
    res.set_content(cluster_->history().Json(), kJson);
  } else if (path == "/sim/reset-history" && method == "POST") {
    cluster_->history().Clear();
    res.set_content("{}", kJson);
  } else if (path == "/sim/compact" && method == "POST") {
    cluster_->store().Compact();
    res.set_content("{}", kJson);
  } else if (path == "/sim/faults") {
    HandleSimFaults(req, res);
  } else if (path == "/sim/quotas") {
    HandleSimQuotas(req, res);
  } else if (path == "/sim/pools" || absl::StartsWith(path, "/sim/pools/")) {
    HandleSimPools(req, res);
  } else if (path == "/sim/limits" && method == "GET") {
    res.set_content(LimitsJson(), kJson);
  } else if (path == "/sim/limits" && (method == "PUT" || method == "POST")) {
    rapidjson::Document doc;
    if (!ParseJson(req.body, &doc) || !doc.IsObject()) {
      res.status = 400;
      res.set_content(R"({"error":"body must be a JSON object"})", kJson);
      return;
    }
    ThrottleLimits l = throttle_.limits();
    bool ok = true;
    if (auto m = doc.FindMember("mutating_qps"); m != doc.MemberEnd()) {
      ok &= m->value.IsNumber() && m->value.GetDouble() >= 0;
      if (ok) l.mutating_qps = m->value.GetDouble();
    }
    if (auto m = doc.FindMember("mutating_burst"); m != doc.MemberEnd()) {
      ok &= m->value.IsInt64() && m->value.GetInt64() >= 0;
      if (ok) l.mutating_burst = m->value.GetInt64();
    }
    if (auto m = doc.FindMember("max_inflight"); m != doc.MemberEnd()) {
      ok &= m->value.IsInt64() && m->value.GetInt64() >= 0;
      if (ok) l.max_inflight = m->value.GetInt64();
    }
    if (!ok) {
      res.status = 400;
      res.set_content(R"({"error":"limits must be non-negative numbers"})", kJson);
      return;
    }
    throttle_.SetLimits(l);
    res.set_content(LimitsJson(), kJson);
  } else {
    res.status = 404;
    res.set_content(R"({"error":"no such /sim endpoint"})", kJson);
  }
}

}  // namespace sluice::kubesim
