#ifndef SLUICE_TOOLS_KUBESIM_API_ERROR_H_
#define SLUICE_TOOLS_KUBESIM_API_ERROR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sluice::kubesim {

// One failing answer of the simulated APIServer: the HTTP status code and the
// exact body, byte for byte what kube-apiserver sends (see
// /work/shared/KUBE_API.md and apimachinery/pkg/api/errors/errors.go).
struct ApiError {
  int http_code = 500;
  std::string body;
  std::string content_type = "application/json";
  // > 0: also send a `Retry-After: N` header (Status details.retryAfterSeconds,
  // or the APF delay of a 429).
  int64_t retry_after_s = 0;
};

// A value or the ApiError that replaces it. Errors are values (no exceptions).
template <typename T>
class ApiOr {
 public:
  ApiOr(T value) : v_(std::move(value)) {}         // NOLINT: implicit like StatusOr
  ApiOr(ApiError error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  const ApiError& error() const { return std::get<1>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, ApiError> v_;
};

// One entry of Status details.causes (reason, message, field).
struct StatusCause {
  std::string reason;  // "FieldValueRequired", "FieldValueInvalid", ...
  std::string message;
  std::string field;
};

// The fields of a metav1.Status; empty strings and zero numbers are omitted
// like Go's omitempty does.
struct StatusFields {
  int code = 500;
  std::string message;
  std::string reason;
  bool has_details = false;  // write "details" even when every field is empty
  std::string details_name;
  std::string details_group;
  std::string details_kind;
  std::vector<StatusCause> causes;
  int64_t retry_after_s = 0;
  std::string continue_token;  // metadata.continue (410 on an expired list)
};

// Encodes {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",...}.
std::string StatusJson(const StatusFields& fields);
ApiError StatusError(const StatusFields& fields);

// 409 `RESOURCE "NAME" already exists`, prefixed `object is being deleted: `
// while the existing object has a deletionTimestamp.
ApiError AlreadyExists(std::string_view resource, std::string_view name, bool being_deleted);
// 404 `RESOURCE "NAME" not found` (details name and kind = resource).
ApiError NotFound(std::string_view resource, std::string_view name);
// 404 for a path the server does not serve.
ApiError NoSuchResource();
// 405 for a verb a resource does not support.
ApiError MethodNotAllowed();
// 400 BadRequest with the given message.
ApiError BadRequest(std::string_view message);
// 401 Unauthorized.
ApiError Unauthorized();
// 403 Forbidden: `RESOURCE "NAME" is forbidden: DETAIL`.
ApiError Forbidden(std::string_view resource, std::string_view name, std::string_view detail);
// 409 Conflict: `Operation cannot be fulfilled on RESOURCE "NAME": DETAIL`.
ApiError Conflict(std::string_view resource, std::string_view name, std::string_view detail);
// 422 `KIND "NAME" is invalid: FIELD: MSG` (several: `is invalid: [a, b]`).
ApiError Invalid(std::string_view kind, std::string_view name,
                 const std::vector<StatusCause>& causes);
// 410 Expired with `message` (and metadata.continue when given).
ApiError Expired(std::string_view message, std::string_view continue_token = {});
// The Status of a watch ERROR event for a too-old resourceVersion:
// `too old resource version: RV (OLDEST)`, reason Expired, code 410.
std::string TooOldResourceVersionStatus(uint64_t rv, uint64_t oldest);
// 504 `Timeout: Too large resource version: RV, current: CUR` (cause
// ResourceVersionTooLarge, retryAfterSeconds 1).
ApiError TooLargeResourceVersion(uint64_t rv, uint64_t current);
// 500 ServerTimeout: `The OP operation against RESOURCE could not be completed
// at this time, please try again.` with Retry-After.
ApiError ServerTimeout(std::string_view resource, std::string_view operation,
                       int64_t retry_after_s);
// 500 InternalError: `Internal error occurred: CAUSE` (details.causes
// [{message: CAUSE}]), as apierrors.NewInternalError.
ApiError InternalError(std::string_view cause);
// 503 ServiceUnavailable with `message`, details.retryAfterSeconds and a
// Retry-After header, as apierrors.NewServiceUnavailable plus the header a
// shutting-down or overloaded apiserver sends.
ApiError ServiceUnavailable(std::string_view message, int64_t retry_after_s);
// 504 `Timeout: request did not complete within requested timeout - context
// deadline exceeded`, details {}.
ApiError GatewayTimeout();
// 429 from API Priority and Fairness: plain text, Retry-After header.
ApiError TooManyRequests(int64_t retry_after_s);

// Messages of the 410 answers to LIST (etcd3 store wording).
inline constexpr std::string_view kExpiredListMessage =
    "The resourceVersion for the provided list is too old.";
inline constexpr std::string_view kInconsistentContinueMessage =
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this response "
    "to retrieve the remainder of the results. Continuing with the provided token results in an "
    "inconsistent list - objects that were created, modified, or deleted between the time the "
    "first chunk was returned and now may show up in the list.";
// Body of a 429 rejected by APF (Go's http.Error appends a newline).
inline constexpr std::string_view kTooManyRequestsBody =
    "Too many requests, please try again later.\n";

}  // namespace sluice::kubesim

#endif  // SLUICE_TOOLS_KUBESIM_API_ERROR_H_
