#ifndef SLUICE_SCHEDULER_KUBE_KUBE_CLIENT_H_
#define SLUICE_SCHEDULER_KUBE_KUBE_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "scheduler/common/clock.h"
#include "scheduler/kube/api_path.h"
#include "scheduler/kube/api_result.h"
#include "scheduler/kube/bearer_token.h"
#include "scheduler/kube/http_transport.h"
#include "scheduler/kube/kube_config.h"

namespace sluice::kube {

struct KubeClientOptions {
  KubeConfig config;
  // Connections to the APIServer at most (HTTP/1.1 needs one per request in
  // flight; HTTP/2 multiplexes).
  int max_connections = 64;
  absl::Duration request_timeout = absl::Seconds(30);
  bool http2 = true;
  std::string user_agent = "sluice/0.1";
};

struct DeleteOptions {
  std::optional<int64_t> grace_period_seconds;
  // Delete only this incarnation (Preconditions.uid): 409 Conflict otherwise.
  std::string precondition_uid;
};

// The Kubernetes REST API as Sluice uses it, asynchronous, on one I/O thread.
// Every call returns at once; `done` runs once on the I/O thread with the
// classified answer and must not block. A 401 re-reads a rotating token and
// retries once; when no token can be read at all, `done` gets kUnauthorized
// without a request being sent.
//
// Thread-safe: calls may come from any thread.
class KubeClient {
 public:
  using Done = absl::AnyInvocable<void(ApiResult result)>;

  static absl::StatusOr<std::unique_ptr<KubeClient>> Create(KubeClientOptions options,
                                                            const Clock& clock);
  // Completes every outstanding request (with a shutdown error) and stops.
  ~KubeClient();
  KubeClient(const KubeClient&) = delete;
  KubeClient& operator=(const KubeClient&) = delete;

  // POST /api/v1/namespaces/NS/pods.
  void CreatePod(absl::string_view ns, std::string body, Done done);
  // DELETE /api/v1/namespaces/NS/pods/NAME.
  void DeletePod(absl::string_view ns, absl::string_view name, const DeleteOptions& options,
                 Done done);
  // GET one object.
  void Get(const ResourceRef& ref, absl::string_view name, Done done);
  // GET one page of a collection.
  void List(const ResourceRef& ref, const ListOptions& options, Done done);
  // GET ?watch=1: every complete JSON object of the stream goes to `on_object`
  // (I/O thread; the view lives for the call), then `done` with the end of the
  // exchange: kOk when the server ended the stream cleanly (its timeout, or
  // after an ERROR event), kTransportError otherwise — kOther with the
  // JsonObjectStream error when the body is not a stream of JSON objects,
  // kConnectionLost when it ends inside an object, kAborted after Cancel.
  // Returns an id for Cancel that stays valid across the 401 retry.
  RequestId Watch(const ResourceRef& ref, const WatchOptions& options,
                  absl::AnyInvocable<void(absl::string_view object)> on_object, Done done);
  // Ends a watch early (`done` then runs with kAborted). Unknown or finished
  // ids are ignored.
  void Cancel(RequestId id);

  HttpTransport& transport() { return *transport_; }
  const KubeConfig& config() const { return options_.config; }

 private:
  KubeClient(KubeClientOptions options, const Clock& clock);
  // Submits `request` with fresh credentials. `watch` (0: none) is the handle
  // Watch returned; the exchange serving it is recorded in watches_.
  void Send(HttpRequest request, Done done, bool retried, RequestId watch);
  // The watch handle is done: forget it.
  void ForgetWatch(RequestId watch);

  const KubeClientOptions options_;
  BearerTokenSource token_;
  // Watch handles -> the transport exchange serving each (a 401 retry is a new
  // exchange). A handle missing here was canceled or has ended.
  absl::Mutex watches_mu_;
  absl::flat_hash_map<RequestId, RequestId> watches_ ABSL_GUARDED_BY(watches_mu_);
  std::atomic<RequestId> next_watch_{1};
  // Last: destroyed first, completing outstanding exchanges while the members
  // their callbacks use (token_, watches_) still exist.
  std::unique_ptr<HttpTransport> transport_;
};

}  // namespace sluice::kube

#endif  // SLUICE_SCHEDULER_KUBE_KUBE_CLIENT_H_
