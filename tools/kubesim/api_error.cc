#include "tools/kubesim/api_error.h"

#include "tools/kubesim/json_writer.h"
#include "tools/kubesim/strings.h"

namespace sluice::kubesim {

std::string StatusJson(const StatusFields& f) {
  std::string out;
  out.reserve(256);
  JsonWriter w(&out);
  w.BeginObject();
  w.KeyString("kind", "Status");
  w.KeyString("apiVersion", "v1");
  w.Key("metadata");
  w.BeginObject();
  if (!f.continue_token.empty()) w.KeyString("continue", f.continue_token);
  w.EndObject();
  w.KeyString("status", "Failure");
  if (!f.message.empty()) w.KeyString("message", f.message);
  if (!f.reason.empty()) w.KeyString("reason", f.reason);
  const bool any_detail = !f.details_name.empty() || !f.details_group.empty() ||
                          !f.details_kind.empty() || !f.causes.empty() || f.retry_after_s > 0;
  if (f.has_details || any_detail) {
    w.Key("details");
    w.BeginObject();
    if (!f.details_name.empty()) w.KeyString("name", f.details_name);
    if (!f.details_group.empty()) w.KeyString("group", f.details_group);
    if (!f.details_kind.empty()) w.KeyString("kind", f.details_kind);
    if (!f.causes.empty()) {
      w.Key("causes");
      w.BeginArray();
      for (const StatusCause& c : f.causes) {
        w.BeginObject();
        if (!c.reason.empty()) w.KeyString("reason", c.reason);
        if (!c.message.empty()) w.KeyString("message", c.message);
        if (!c.field.empty()) w.KeyString("field", c.field);
        w.EndObject();
      }
      w.EndArray();
    }
    if (f.retry_after_s > 0) w.KeyInt("retryAfterSeconds", f.retry_after_s);
    w.EndObject();
  }
  w.KeyInt("code", f.code);
  w.EndObject();
  return out;
}

ApiError StatusError(const StatusFields& fields) {
  ApiError e;
  e.http_code = fields.code;
  e.body = StatusJson(fields);
  e.retry_after_s = fields.retry_after_s;
  return e;
}

ApiError AlreadyExists(std::string_view resource, std::string_view name, bool being_deleted) {
  StatusFields f;
  f.code = 409;
  f.reason = "AlreadyExists";
  f.message = Cat(being_deleted ? "object is being deleted: " : "", resource, " \"", name,
                  "\" already exists");
  f.details_name = std::string(name);
  f.details_kind = std::string(resource);
  return StatusError(f);
}

ApiError NotFound(std::string_view resource, std::string_view name) {
  StatusFields f;
  f.code = 404;
  f.reason = "NotFound";
  f.message = Cat(resource, " \"", name, "\" not found");
  f.details_name = std::string(name);
  f.details_kind = std::string(resource);
  return StatusError(f);
}

ApiError NoSuchResource() {
  StatusFields f;
  f.code = 404;
  f.reason = "NotFound";
  f.message = "the server could not find the requested resource";
  f.has_details = true;
  return StatusError(f);
}

ApiError MethodNotAllowed() {
  StatusFields f;
  f.code = 405;
  f.reason = "MethodNotAllowed";
  f.message = "the server does not allow this method on the requested resource";
  f.has_details = true;
  return StatusError(f);
}

ApiError BadRequest(std::string_view message) {
  StatusFields f;
  f.code = 400;
  f.reason = "BadRequest";
  f.message = std::string(message);
  return StatusError(f);
}

ApiError Unauthorized() {
  StatusFields f;
  f.code = 401;
  f.reason = "Unauthorized";
  f.message = "Unauthorized";
  return StatusError(f);
}

ApiError Forbidden(std::string_view resource, std::string_view name, std::string_view detail) {
  StatusFields f;
  f.code = 403;
  f.reason = "Forbidden";
  f.message = Cat(resource, " \"", name, "\" is forbidden: ", detail);
  f.details_name = std::string(name);
  f.details_kind = std::string(resource);
  return StatusError(f);
}

ApiError Conflict(std::string_view resource, std::string_view name, std::string_view detail) {
  StatusFields f;
  f.code = 409;
  f.reason = "Conflict";
  f.message = Cat("Operation cannot be fulfilled on ", resource, " \"", name, "\": ", detail);
  f.details_name = std::string(name);
  f.details_kind = std::string(resource);
  return StatusError(f);
}

ApiError Invalid(std::string_view kind, std::string_view name,
                 const std::vector<StatusCause>& causes) {
  StatusFields f;
  f.code = 422;
  f.reason = "Invalid";
  std::string list;
  for (size_t i = 0; i < causes.size(); ++i) {
    if (i > 0) list += ", ";
    Append(&list, causes[i].field, ": ", causes[i].message);
  }
  if (causes.size() > 1) list = Cat("[", list, "]");
  f.message = Cat(kind, " \"", name, "\" is invalid: ", list);
  f.details_name = std::string(name);
  f.details_kind = std::string(kind);
  f.causes = causes;
  return StatusError(f);
}

ApiError Expired(std::string_view message, std::string_view continue_token) {
  StatusFields f;
  f.code = 410;
  f.reason = "Expired";
  f.message = std::string(message);
  f.continue_token = std::string(continue_token);
  return StatusError(f);
}

std::string TooOldResourceVersionStatus(uint64_t rv, uint64_t oldest) {
  StatusFields f;
  f.code = 410;
  f.reason = "Expired";
  f.message = Cat("too old resource version: ", rv, " (", oldest, ")");
  return StatusJson(f);
}

ApiError TooLargeResourceVersion(uint64_t rv, uint64_t current) {
  StatusFields f;
  f.code = 504;
  f.reason = "Timeout";
  f.message = Cat("Timeout: Too large resource version: ", rv, ", current: ", current);
  f.causes.push_back({"ResourceVersionTooLarge", "Too large resource version", ""});
  f.retry_after_s = 1;
  return StatusError(f);
}

ApiError ServerTimeout(std::string_view resource, std::string_view operation,
                       int64_t retry_after_s) {
  StatusFields f;
  f.code = 500;
  f.reason = "ServerTimeout";
  f.message = Cat("The ", operation, " operation against ", resource,
                  " could not be completed at this time, please try again.");
  f.details_name = std::string(operation);
  f.details_kind = std::string(resource);
  f.retry_after_s = retry_after_s;
  return StatusError(f);
}

ApiError InternalError(std::string_view cause) {
  StatusFields f;
  f.code = 500;
  f.reason = "InternalError";
  f.message = Cat("Internal error occurred: ", cause);
  f.causes.push_back({"", std::string(cause), ""});
  return StatusError(f);
}

ApiError ServiceUnavailable(std::string_view message, int64_t retry_after_s) {
  StatusFields f;
  f.code = 503;
  f.reason = "ServiceUnavailable";
  f.message = std::string(message);
  f.has_details = true;
  f.retry_after_s = retry_after_s;
  return StatusError(f);
}

ApiError GatewayTimeout() {
  StatusFields f;
  f.code = 504;
  f.reason = "Timeout";
  f.message =
      "Timeout: request did not complete within requested timeout - context deadline exceeded";
  f.has_details = true;
  return StatusError(f);
}

ApiError TooManyRequests(int64_t retry_after_s) {
  ApiError e;
  e.http_code = 429;
  e.body = std::string(kTooManyRequestsBody);
  e.content_type = "text/plain; charset=utf-8";
  e.retry_after_s = retry_after_s;
  return e;
}

}  // namespace sluice::kubesim
