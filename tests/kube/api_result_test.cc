#include "scheduler/kube/api_result.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sluice::kube {
namespace {

using ::testing::HasSubstr;

// Bodies as kube-apiserver sends them (KUBE_API.md).
std::string StatusBody(const std::string& message, const std::string& reason,
                       const std::string& details, int code) {
  return R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)" +
         message + R"(,"reason":")" + reason + R"(")" +
         (details.empty() ? "" : R"(,"details":)" + details) + R"(,"code":)" +
         std::to_string(code) + "}";
}

struct ClassifyCase {
  const char* name;
  int status;
  std::string body;
  std::string retry_after_header;
  ApiCode code;
  std::string reason;
  std::string message;  // exact
  std::string details_name;
  std::string details_kind;
  std::optional<absl::Duration> retry_after;
  bool retryable;
};

TEST(ApiResultTest, ClassifiesEveryAnswerOfKubeApi) {
  const std::vector<ClassifyCase> cases = {
      {"200", 200, R"({"kind":"Pod"})", "", ApiCode::kOk, "", "", "", "", std::nullopt, false},
      {"201", 201, R"({"kind":"Pod"})", "", ApiCode::kCreated, "", "", "", "", std::nullopt, false},
      {"409 AlreadyExists", 409,
       StatusBody(R"("pods \"p\" already exists")", "AlreadyExists",
                  R"({"name":"p","kind":"pods"})", 409),
       "", ApiCode::kAlreadyExists, "AlreadyExists", R"(pods "p" already exists)", "p", "pods",
       std::nullopt, false},
      {"409 Conflict", 409,
       StatusBody(
           R"("Operation cannot be fulfilled on pods \"p\": Precondition failed: UID in precondition: x, UID in object meta: y")",
           "Conflict", R"({"name":"p","kind":"pods"})", 409),
       "", ApiCode::kConflict, "Conflict",
       R"(Operation cannot be fulfilled on pods "p": Precondition failed: UID in precondition: x, UID in object meta: y)",
       "p", "pods", std::nullopt, false},
      {"429 plain text", 429, "Too many requests, please try again later.\n", "4",
       ApiCode::kThrottled, "", "Too many requests, please try again later.", "", "",
       absl::Seconds(4), true},
      {"429 without Retry-After", 429, "Too many requests, please try again later.\n", "",
       ApiCode::kThrottled, "", "Too many requests, please try again later.", "", "",
       kDefaultRetryAfter, true},
      {"429 with an HTTP date", 429, "Too many requests, please try again later.\n",
       "Wed, 21 Oct 2015 07:28:00 GMT", ApiCode::kThrottled, "",
       "Too many requests, please try again later.", "", "", kDefaultRetryAfter, true},
      {"403 exceeded quota", 403,
       StatusBody(
           R"("pods \"p\" is forbidden: exceeded quota: compute, requested: requests.cpu=2,requests.memory=1Gi, used: requests.cpu=9,requests.memory=3Gi, limited: requests.cpu=10,requests.memory=4Gi")",
           "Forbidden", R"({"name":"p","kind":"pods"})", 403),
       "", ApiCode::kQuotaExceeded, "Forbidden",
       R"(pods "p" is forbidden: exceeded quota: compute, requested: requests.cpu=2,requests.memory=1Gi, used: requests.cpu=9,requests.memory=3Gi, limited: requests.cpu=10,requests.memory=4Gi)",
       "p", "pods", std::nullopt, false},
      {"403 failed quota", 403,
       StatusBody(
           R"("pods \"p\" is forbidden: failed quota: compute: must specify limits.cpu,limits.memory")",
           "Forbidden", R"({"name":"p","kind":"pods"})", 403),
       "", ApiCode::kQuotaOther, "Forbidden",
       R"(pods "p" is forbidden: failed quota: compute: must specify limits.cpu,limits.memory)",
       "p", "pods", std::nullopt, false},
      {"403 quota status unknown", 403,
       StatusBody(
           R"("pods \"p\" is forbidden: status unknown for quota: compute, resources: requests.cpu")",
           "Forbidden", R"({"name":"p","kind":"pods"})", 403),
       "", ApiCode::kQuotaOther, "Forbidden",
       R"(pods "p" is forbidden: status unknown for quota: compute, resources: requests.cpu)", "p",
       "pods", std::nullopt, false},
      {"403 namespace terminating", 403,
       StatusBody(
           R"("pods \"p\" is forbidden: unable to create new content in namespace ns because it is being terminated")",
           "Forbidden", R"({"name":"p","kind":"pods"})", 403),
       "", ApiCode::kForbidden, "Forbidden",
       R"(pods "p" is forbidden: unable to create new content in namespace ns because it is being terminated)",
       "p", "pods", std::nullopt, false},
      {"422", 422,
       StatusBody(
           R"("Pod \"x\" is invalid: spec.containers: Required value")", "Invalid",
           R"({"name":"x","kind":"Pod","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.containers"}]})",
           422),
       "", ApiCode::kInvalid, "Invalid", R"(Pod "x" is invalid: spec.containers: Required value)",
       "x", "Pod", std::nullopt, false},
      {"404 namespace", 404,
       StatusBody(R"("namespaces \"ghost\" not found")", "NotFound",
                  R"({"name":"ghost","kind":"namespaces"})", 404),
       "", ApiCode::kNamespaceNotFound, "NotFound", R"(namespaces "ghost" not found)", "ghost",
       "namespaces", std::nullopt, false},
      {"404 pod", 404,
       StatusBody(R"("pods \"p\" not found")", "NotFound", R"({"name":"p","kind":"pods"})", 404),
       "", ApiCode::kNotFound, "NotFound", R"(pods "p" not found)", "p", "pods", std::nullopt,
       false},
      {"410", 410,
       StatusBody(R"x("too old resource version: 657887 (680402)")x", "Expired", "", 410), "",
       ApiCode::kExpired, "Expired", "too old resource version: 657887 (680402)", "", "",
       std::nullopt, false},
      {"401", 401, StatusBody(R"("Unauthorized")", "Unauthorized", "", 401), "",
       ApiCode::kUnauthorized, "Unauthorized", "Unauthorized", "", "", std::nullopt, false},
      {"500 ServerTimeout", 500,
       StatusBody(
           R"("The create operation against pods could not be completed at this time, please try again.")",
           "ServerTimeout", R"({"name":"create","kind":"pods","retryAfterSeconds":2})", 500),
       "2", ApiCode::kServerTimeout, "ServerTimeout",
       "The create operation against pods could not be completed at this time, please try again.",
       "create", "pods", absl::Seconds(2), true},
      {"500 quota evaluation timeout", 500,
       StatusBody(R"("resource quota evaluates timeout")", "InternalError", "", 500), "",
       ApiCode::kServerTimeout, "InternalError", "resource quota evaluates timeout", "", "",
       std::nullopt, true},
      {"500 other", 500, StatusBody(R"("etcdserver: leader changed")", "InternalError", "", 500),
       "", ApiCode::kServerError, "InternalError", "etcdserver: leader changed", "", "",
       std::nullopt, true},
      {"504", 504,
       StatusBody(
           R"("Timeout: request did not complete within requested timeout - context deadline exceeded")",
           "Timeout", R"({"retryAfterSeconds":3})", 504),
       "", ApiCode::kServerTimeout, "Timeout",
       "Timeout: request did not complete within requested timeout - context deadline exceeded", "",
       "", absl::Seconds(3), true},
      {"503 text", 503, "service unavailable", "", ApiCode::kServerError, "", "service unavailable",
       "", "", std::nullopt, true},
      {"400", 400, StatusBody(R"("field label not supported: spec.foo")", "BadRequest", "", 400),
       "", ApiCode::kOther, "BadRequest", "field label not supported: spec.foo", "", "",
       std::nullopt, false},
      {"garbage body", 502, "<html>bad gateway</html>", "", ApiCode::kServerError, "",
       "<html>bad gateway</html>", "", "", std::nullopt, true},
  };
  for (const ClassifyCase& c : cases) {
    SCOPED_TRACE(c.name);
    ApiResult r = ClassifyStatus(c.status, c.body, c.retry_after_header);
    EXPECT_EQ(ApiCodeName(r.code), ApiCodeName(c.code));
    EXPECT_EQ(r.http_status, c.status);
    EXPECT_EQ(r.reason, c.reason);
    EXPECT_EQ(r.message, c.message);
    EXPECT_EQ(r.details_name, c.details_name);
    EXPECT_EQ(r.details_kind, c.details_kind);
    EXPECT_EQ(r.retry_after, c.retry_after);
    EXPECT_EQ(r.retryable(), c.retryable);
    EXPECT_EQ(r.ok(), c.status / 100 == 2);
    EXPECT_EQ(r.body, c.body);  // kept for the caller
  }
}

TEST(ApiResultTest, QuotaDenialFigures) {
  ApiResult r = ClassifyStatus(
      403,
      StatusBody(
          R"("pods \"p\" is forbidden: exceeded quota: compute, requested: requests.cpu=2,requests.memory=1Gi, used: requests.cpu=9,requests.memory=3Gi, limited: requests.cpu=10,requests.memory=4Gi")",
          "Forbidden", R"({"name":"p","kind":"pods"})", 403),
      "");
  ASSERT_TRUE(r.quota.has_value());
  EXPECT_EQ(r.quota->quota_name, "compute");
  EXPECT_EQ(r.quota->requested, "requests.cpu=2,requests.memory=1Gi");
  EXPECT_EQ(r.quota->used, "requests.cpu=9,requests.memory=3Gi");
  EXPECT_EQ(r.quota->limited, "requests.cpu=10,requests.memory=4Gi");

  std::optional<QuotaDenial> failed =
      ParseQuotaOther("pods \"p\" is forbidden: failed quota: gpu-quota: must specify limits.cpu");
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->quota_name, "gpu-quota");
  std::optional<QuotaDenial> unknown = ParseQuotaOther(
      "pods \"p\" is forbidden: status unknown for quota: new-quota, resources: pods");
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->quota_name, "new-quota");
  EXPECT_FALSE(ParseQuotaExceeded("pods \"p\" is forbidden: User cannot create").has_value());
}

TEST(ApiResultTest, InvalidCarriesCauses) {
  ApiResult r = ClassifyStatus(
      422,
      StatusBody(
          R"("Pod \"x\" is invalid: [spec.containers[0].image: Required value, metadata.name: Invalid value: \"X\": a lowercase RFC 1123 subdomain]")",
          "Invalid",
          R"({"name":"x","kind":"Pod","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.containers[0].image"},{"reason":"FieldValueInvalid","message":"Invalid value: \"X\": a lowercase RFC 1123 subdomain","field":"metadata.name"}]})",
          422),
      "");
  ASSERT_EQ(r.causes.size(), 2u);
  EXPECT_EQ(r.causes[0].reason, "FieldValueRequired");
  EXPECT_EQ(r.causes[0].field, "spec.containers[0].image");
  EXPECT_EQ(r.causes[1].reason, "FieldValueInvalid");
  EXPECT_EQ(r.causes[1].message, R"(Invalid value: "X": a lowercase RFC 1123 subdomain)");
  EXPECT_EQ(r.causes[1].field, "metadata.name");
}

TEST(ApiResultTest, AlreadyExistsWhileTerminating) {
  ApiResult r = ClassifyStatus(409,
                               StatusBody(R"("object is being deleted: pods \"p\" already exists")",
                                          "AlreadyExists", R"({"name":"p","kind":"pods"})", 409),
                               "");
  EXPECT_EQ(r.code, ApiCode::kAlreadyExists);
  EXPECT_TRUE(r.object_being_deleted);
  EXPECT_FALSE(ClassifyStatus(409,
                              StatusBody(R"("pods \"p\" already exists")", "AlreadyExists",
                                         R"({"name":"p","kind":"pods"})", 409),
                              "")
                   .object_being_deleted);
}

TEST(ApiResultTest, TransportErrors) {
  struct Case {
    TransportError error;
    bool retryable;
  };
  const std::vector<Case> cases = {
      {TransportError::kConnect, true},   {TransportError::kResolve, true},
      {TransportError::kTimeout, true},   {TransportError::kConnectionLost, true},
      {TransportError::kTls, false},      {TransportError::kAborted, false},
      {TransportError::kShutdown, false}, {TransportError::kOther, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(TransportErrorName(c.error));
    HttpResponse response;
    response.error = c.error;
    response.error_detail = "detail";
    response.latency = absl::Milliseconds(7);
    ApiResult r = ClassifyResponse(std::move(response));
    EXPECT_EQ(r.code, ApiCode::kTransportError);
    EXPECT_EQ(r.transport_error, c.error);
    EXPECT_EQ(r.retryable(), c.retryable);
    EXPECT_EQ(r.message, absl::StrCat(TransportErrorName(c.error), ": detail"));
    EXPECT_EQ(r.latency, absl::Milliseconds(7));
    EXPECT_THAT(r.Summary(), HasSubstr("TransportError"));
  }
}

TEST(ApiResultTest, HeadersReachTheResult) {
  HttpResponse response;
  response.status = 429;
  response.body = "Too many requests, please try again later.\n";
  response.retry_after = "8";
  response.flow_schema_uid = "fs";
  response.priority_level_uid = "pl";
  response.audit_id = "audit";
  response.http_version = 20;
  ApiResult r = ClassifyResponse(std::move(response));
  EXPECT_EQ(r.code, ApiCode::kThrottled);
  EXPECT_EQ(r.retry_after, absl::Seconds(8));
  EXPECT_EQ(r.flow_schema_uid, "fs");
  EXPECT_EQ(r.priority_level_uid, "pl");
  EXPECT_EQ(r.audit_id, "audit");
  EXPECT_EQ(r.http_version, 20);
  EXPECT_EQ(r.Summary(), "Throttled (429): Too many requests, please try again later.");
}

}  // namespace
}  // namespace sluice::kube
