#ifndef SLUICE_SCHEDULER_KUBE_API_RESULT_H_
#define SLUICE_SCHEDULER_KUBE_API_RESULT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "scheduler/kube/http_transport.h"

namespace sluice::kube {

// What an APIServer answer means for the caller. See KUBE_API.md for the bodies.
enum class ApiCode {
  kOk,                 // 2xx other than 201
  kCreated,            // 201
  kAlreadyExists,      // 409, reason AlreadyExists (a create of an existing name)
  kConflict,           // 409 otherwise (resourceVersion / precondition mismatch)
  kThrottled,          // 429 (APF: plain-text body and Retry-After)
  kQuotaExceeded,      // 403 `exceeded quota: Q, requested: .., used: .., limited: ..`
  kQuotaOther,         // 403 `failed quota: Q: ..` or `status unknown for quota: Q..`
  kForbidden,          // 403 otherwise (RBAC, admission, namespace terminating)
  kInvalid,            // 422, with causes
  kNamespaceNotFound,  // 404 whose details.kind is "namespaces"
  kNotFound,           // 404 otherwise
  kExpired,            // 410 (resourceVersion or continue token too old)
  kUnauthorized,       // 401, or no credentials could be read
  kServerTimeout,      // 500 ServerTimeout, 504, 500 `resource quota evaluates timeout`
  kServerError,        // any other 5xx
  kTransportError,     // no (complete) HTTP answer: see ApiResult::transport_error
  kOther,              // any other status (400, 405, 415, ...)
};
absl::string_view ApiCodeName(ApiCode code);

// Worth retrying the same request later (after a backoff or Retry-After): throttling,
// server-side timeouts and errors, lost connections. A create retried after an
// ambiguous failure may answer AlreadyExists, which callers count as success.
bool IsRetryable(ApiCode code, TransportError transport_error);

// A metav1.StatusCause (422 details.causes[]).
struct StatusCause {
  std::string reason;  // e.g. "FieldValueRequired"
  std::string message;
  std::string field;  // e.g. "spec.containers[0].image"
};

// A quota denial parsed from a 403 message.
struct QuotaDenial {
  std::string quota_name;
  // For kQuotaExceeded, the figures exactly as the message gives them: "k=v,k=v" with
  // keys sorted and canonical quantities, e.g. "requests.cpu=1,requests.memory=1Gi".
  std::string requested;
  std::string used;
  std::string limited;
};

// One classified answer. Move-only so that bodies are never copied by accident; callbacks
// receive it by value and can forward it to another thread cheaply.
struct ApiResult {
  ApiResult() = default;
  ApiResult(ApiResult&&) = default;
  ApiResult& operator=(ApiResult&&) = default;
  ApiResult(const ApiResult&) = delete;
  ApiResult& operator=(const ApiResult&) = delete;

  bool ok() const { return code == ApiCode::kOk || code == ApiCode::kCreated; }
  bool retryable() const { return IsRetryable(code, transport_error); }
  // "AlreadyExists 409: pods \"x\" already exists" style summary for logs and events.
  std::string Summary() const;

  ApiCode code = ApiCode::kOther;
  int http_status = 0;  // 0 when no HTTP answer
  TransportError transport_error = TransportError::kNone;
  std::string reason;   // Status.reason ("AlreadyExists", "Forbidden", ...), may be empty
  std::string message;  // Status.message, the plain-text body, or the transport error
  std::string details_name;
  std::string details_kind;
  std::vector<StatusCause> causes;
  std::optional<QuotaDenial> quota;  // kQuotaExceeded and kQuotaOther
  // kAlreadyExists while the existing object is terminating (message prefixed
  // `object is being deleted: `): the name is not usable yet.
  bool object_being_deleted = false;
  // When to retry: the Retry-After header (whole seconds) or Status
  // details.retryAfterSeconds. For kThrottled it is always set (kDefaultRetryAfter when
  // the server gave none).
  std::optional<absl::Duration> retry_after;
  absl::Duration latency;          // from submission to completion
  int http_version = 0;            // 11 or 20
  std::string flow_schema_uid;     // X-Kubernetes-PF-FlowSchema-UID
  std::string priority_level_uid;  // X-Kubernetes-PF-PriorityLevel-UID
  std::string audit_id;
  // The response body: the object for 2xx, the Status (or text) otherwise. Moved, never
  // copied.
  std::string body;
};

// Used for a 429 without a usable Retry-After header.
inline constexpr absl::Duration kDefaultRetryAfter = absl::Seconds(1);

// Classifies an answer from the transport. Consumes the response body.
ApiResult ClassifyResponse(HttpResponse&& response);

// Classifies an HTTP status and body directly (tests; watch ERROR events carry a Status
// with a code but arrive inside a 200).
ApiResult ClassifyStatus(int http_status, std::string body, absl::string_view retry_after_header);

// Parses the message of a quota 403 (after `is forbidden: `, or the whole message).
// nullopt when the message is not a quota denial.
std::optional<QuotaDenial> ParseQuotaExceeded(absl::string_view message);
std::optional<QuotaDenial> ParseQuotaOther(absl::string_view message);

}  // namespace sluice::kube

#endif  // SLUICE_SCHEDULER_KUBE_API_RESULT_H_
