#include "scheduler/kube/api_result.h"

#include <cstdint>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "simdjson.h"

namespace sluice::kube {
namespace {

namespace od = simdjson::ondemand;

constexpr absl::string_view kBeingDeletedPrefix = "object is being deleted: ";

// Status.details; unknown keys are skipped.
void ReadDetails(od::object details, ApiResult* out, int64_t* retry_after_seconds) {
  for (auto field : details) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return;
    od::value value;
    if (field.value().get(value) != simdjson::SUCCESS) return;
    std::string_view text;
    if (key == "name") {
      if (value.get_string().get(text) == simdjson::SUCCESS) out->details_name = text;
    } else if (key == "kind") {
      if (value.get_string().get(text) == simdjson::SUCCESS) out->details_kind = text;
    } else if (key == "retryAfterSeconds") {
      int64_t seconds = 0;
      if (value.get_int64().get(seconds) == simdjson::SUCCESS) *retry_after_seconds = seconds;
    } else if (key == "causes") {
      od::array causes;
      if (value.get_array().get(causes) != simdjson::SUCCESS) continue;
      for (auto element : causes) {
        od::object cause;
        if (element.get_object().get(cause) != simdjson::SUCCESS) continue;
        StatusCause parsed;
        for (auto cause_field : cause) {
          std::string_view cause_key;
          if (cause_field.unescaped_key().get(cause_key) != simdjson::SUCCESS) break;
          std::string_view cause_text;
          if (cause_field.value().get_string().get(cause_text) != simdjson::SUCCESS) continue;
          if (cause_key == "reason") {
            parsed.reason = cause_text;
          } else if (cause_key == "message") {
            parsed.message = cause_text;
          } else if (cause_key == "field") {
            parsed.field = cause_text;
          }
        }
        out->causes.push_back(std::move(parsed));
      }
    }
  }
}

// Reads a metav1.Status from `body` into `out`. False if the body is not a JSON object.
// `body` gets padding capacity appended (no copy).
bool ReadStatus(std::string& body, ApiResult* out, int64_t* retry_after_seconds) {
  absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(body);
  if (trimmed.empty() || trimmed.front() != '{') return false;
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  thread_local od::parser parser;
  od::document doc;
  if (parser.iterate(body.data(), body.size(), body.capacity()).get(doc) != simdjson::SUCCESS) {
    return false;
  }
  od::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) return false;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return false;
    od::value value;
    if (field.value().get(value) != simdjson::SUCCESS) return false;
    std::string_view text;
    if (key == "message") {
      if (value.get_string().get(text) == simdjson::SUCCESS) out->message = text;
    } else if (key == "reason") {
      if (value.get_string().get(text) == simdjson::SUCCESS) out->reason = text;
    } else if (key == "details") {
      od::object details;
      if (value.get_object().get(details) == simdjson::SUCCESS) {
        ReadDetails(details, out, retry_after_seconds);
      }
    }
  }
  return true;
}

// Retry-After as delta-seconds (the APIServer never sends an HTTP date).
std::optional<absl::Duration> ParseRetryAfter(absl::string_view header) {
  int64_t seconds = 0;
  if (header.empty() || !absl::SimpleAtoi(header, &seconds) || seconds < 0) return std::nullopt;
  return absl::Seconds(seconds);
}

// The text between `begin` (after its end) and `end` (or the end of `text`).
absl::string_view Between(absl::string_view text, absl::string_view begin, absl::string_view end,
                          size_t* resume) {
  const size_t start = text.find(begin, *resume);
  if (start == absl::string_view::npos) return {};
  const size_t value_start = start + begin.size();
  size_t value_end = end.empty() ? text.size() : text.find(end, value_start);
  if (value_end == absl::string_view::npos) value_end = text.size();
  *resume = value_end;
  return text.substr(value_start, value_end - value_start);
}

}  // namespace

absl::string_view ApiCodeName(ApiCode code) {
  switch (code) {
    case ApiCode::kOk:
      return "Ok";
    case ApiCode::kCreated:
      return "Created";
    case ApiCode::kAlreadyExists:
      return "AlreadyExists";
    case ApiCode::kConflict:
      return "Conflict";
    case ApiCode::kThrottled:
      return "Throttled";
    case ApiCode::kQuotaExceeded:
      return "QuotaExceeded";
    case ApiCode::kQuotaOther:
      return "QuotaOther";
    case ApiCode::kForbidden:
      return "Forbidden";
    case ApiCode::kInvalid:
      return "Invalid";
    case ApiCode::kNamespaceNotFound:
      return "NamespaceNotFound";
    case ApiCode::kNotFound:
      return "NotFound";
    case ApiCode::kExpired:
      return "Expired";
    case ApiCode::kUnauthorized:
      return "Unauthorized";
    case ApiCode::kServerTimeout:
      return "ServerTimeout";
    case ApiCode::kServerError:
      return "ServerError";
    case ApiCode::kTransportError:
      return "TransportError";
    case ApiCode::kOther:
      return "Other";
  }
  return "Other";
}

bool IsRetryable(ApiCode code, TransportError transport_error) {
  switch (code) {
    case ApiCode::kThrottled:
    case ApiCode::kServerTimeout:
    case ApiCode::kServerError:
      return true;
    case ApiCode::kTransportError:
      return transport_error == TransportError::kConnect ||
             transport_error == TransportError::kResolve ||
             transport_error == TransportError::kTimeout ||
             transport_error == TransportError::kConnectionLost;
    default:
      return false;
  }
}

std::string ApiResult::Summary() const {
  if (code == ApiCode::kTransportError) {
    return absl::StrCat(ApiCodeName(code), " (", TransportErrorName(transport_error),
                        "): ", message);
  }
  return absl::StrCat(ApiCodeName(code), " (", http_status, reason.empty() ? "" : " ", reason, ")",
                      message.empty() ? "" : ": ", message);
}

std::optional<QuotaDenial> ParseQuotaExceeded(absl::string_view message) {
  size_t pos = 0;
  if (message.find("exceeded quota: ") == absl::string_view::npos) return std::nullopt;
  QuotaDenial denial;
  // The quota name ends at the first ", " (names are DNS labels: no commas).
  denial.quota_name = std::string(Between(message, "exceeded quota: ", ", ", &pos));
  denial.requested = std::string(Between(message, ", requested: ", ", used: ", &pos));
  denial.used = std::string(Between(message, ", used: ", ", limited: ", &pos));
  denial.limited = std::string(Between(message, ", limited: ", "", &pos));
  return denial;
}

std::optional<QuotaDenial> ParseQuotaOther(absl::string_view message) {
  size_t pos = 0;
  QuotaDenial denial;
  if (message.find("failed quota: ") != absl::string_view::npos) {
    denial.quota_name = std::string(Between(message, "failed quota: ", ": ", &pos));
    return denial;
  }
  if (message.find("status unknown for quota: ") != absl::string_view::npos) {
    denial.quota_name = std::string(Between(message, "status unknown for quota: ", ", ", &pos));
    return denial;
  }
  return std::nullopt;
}

ApiResult ClassifyStatus(int http_status, std::string body, absl::string_view retry_after_header) {
  ApiResult r;
  r.http_status = http_status;
  r.body = std::move(body);
  if (http_status >= 200 && http_status < 300) {
    r.code = http_status == 201 ? ApiCode::kCreated : ApiCode::kOk;
    return r;
  }
  int64_t retry_after_seconds = 0;
  if (!ReadStatus(r.body, &r, &retry_after_seconds)) {
    r.message = std::string(absl::StripAsciiWhitespace(r.body));
  }
  r.retry_after = ParseRetryAfter(retry_after_header);
  if (!r.retry_after.has_value() && retry_after_seconds > 0) {
    r.retry_after = absl::Seconds(retry_after_seconds);
  }
  switch (http_status) {
    case 401:
      r.code = ApiCode::kUnauthorized;
      break;
    case 403:
      if ((r.quota = ParseQuotaExceeded(r.message)).has_value()) {
        r.code = ApiCode::kQuotaExceeded;
      } else if ((r.quota = ParseQuotaOther(r.message)).has_value()) {
        r.code = ApiCode::kQuotaOther;
      } else {
        r.code = ApiCode::kForbidden;
      }
      break;
    case 404:
      r.code = r.details_kind == "namespaces" ? ApiCode::kNamespaceNotFound : ApiCode::kNotFound;
      break;
    case 409:
      r.code = r.reason == "AlreadyExists" ? ApiCode::kAlreadyExists : ApiCode::kConflict;
      r.object_being_deleted = absl::StartsWith(r.message, kBeingDeletedPrefix);
      break;
    case 410:
      r.code = ApiCode::kExpired;
      break;
    case 422:
      r.code = ApiCode::kInvalid;
      break;
    case 429:
      r.code = ApiCode::kThrottled;
      if (!r.retry_after.has_value()) r.retry_after = kDefaultRetryAfter;
      break;
    case 500:
      r.code = r.reason == "ServerTimeout" ||
                       absl::StrContains(r.message, "resource quota evaluates timeout")
                   ? ApiCode::kServerTimeout
                   : ApiCode::kServerError;
      break;
    case 504:
      r.code = ApiCode::kServerTimeout;
      break;
    default:
      r.code = http_status >= 500 && http_status < 600 ? ApiCode::kServerError : ApiCode::kOther;
      break;
  }
  return r;
}

ApiResult ClassifyResponse(HttpResponse&& response) {
  ApiResult r;
  if (response.error != TransportError::kNone) {
    r.code = ApiCode::kTransportError;
    r.transport_error = response.error;
    r.http_status = response.status;
    r.message = absl::StrCat(TransportErrorName(response.error), ": ", response.error_detail);
    r.body = std::move(response.body);
  } else {
    r = ClassifyStatus(response.status, std::move(response.body), response.retry_after);
  }
  r.latency = response.latency;
  r.http_version = response.http_version;
  r.flow_schema_uid = std::move(response.flow_schema_uid);
  r.priority_level_uid = std::move(response.priority_level_uid);
  r.audit_id = std::move(response.audit_id);
  return r;
}

}  // namespace sluice::kube
