// Every error body byte for byte against /work/shared/KUBE_API.md and
// apimachinery/pkg/api/errors/errors.go.
#include "tools/kubesim/api_error.h"

#include "gtest/gtest.h"

namespace sluice::kubesim {
namespace {

TEST(ApiErrorTest, AlreadyExists) {
  ApiError e = AlreadyExists("pods", "p1", false);
  EXPECT_EQ(e.http_code, 409);
  EXPECT_EQ(e.content_type, "application/json");
  EXPECT_EQ(
      e.body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"p1\" already exists","reason":"AlreadyExists","details":{"name":"p1","kind":"pods"},"code":409})");
}

TEST(ApiErrorTest, AlreadyExistsWhileBeingDeleted) {
  EXPECT_EQ(
      AlreadyExists("pods", "p1", true).body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"object is being deleted: pods \"p1\" already exists","reason":"AlreadyExists","details":{"name":"p1","kind":"pods"},"code":409})");
}

TEST(ApiErrorTest, NamespaceNotFound) {
  ApiError e = NotFound("namespaces", "team-a");
  EXPECT_EQ(e.http_code, 404);
  EXPECT_EQ(
      e.body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"namespaces \"team-a\" not found","reason":"NotFound","details":{"name":"team-a","kind":"namespaces"},"code":404})");
}

TEST(ApiErrorTest, InvalidWithOneCause) {
  ApiError e = Invalid("Pod", "p1", {{"FieldValueRequired", "Required value", "spec.containers"}});
  EXPECT_EQ(e.http_code, 422);
  EXPECT_EQ(
      e.body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Pod \"p1\" is invalid: spec.containers: Required value","reason":"Invalid","details":{"name":"p1","kind":"Pod","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.containers"}]},"code":422})");
}

TEST(ApiErrorTest, InvalidWithSeveralCausesUsesBrackets) {
  ApiError e = Invalid("Pod", "p1",
                       {{"FieldValueRequired", "Required value", "spec.containers[0].name"},
                        {"FieldValueRequired", "Required value", "spec.containers[0].image"}});
  EXPECT_EQ(
      e.body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Pod \"p1\" is invalid: [spec.containers[0].name: Required value, spec.containers[0].image: Required value]","reason":"Invalid","details":{"name":"p1","kind":"Pod","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.containers[0].name"},{"reason":"FieldValueRequired","message":"Required value","field":"spec.containers[0].image"}]},"code":422})");
}

TEST(ApiErrorTest, TooOldResourceVersionWatchStatus) {
  EXPECT_EQ(
      TooOldResourceVersionStatus(657887, 680402),
      R"json({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 657887 (680402)","reason":"Expired","code":410})json");
}

TEST(ApiErrorTest, ExpiredContinueCarriesToken) {
  ApiError e = Expired(kInconsistentContinueMessage, "TOKEN");
  EXPECT_EQ(e.http_code, 410);
  EXPECT_EQ(
      e.body,
      std::string(
          R"({"kind":"Status","apiVersion":"v1","metadata":{"continue":"TOKEN"},"status":"Failure","message":")") +
          std::string(kInconsistentContinueMessage) + R"(","reason":"Expired","code":410})");
  EXPECT_EQ(
      Expired(kExpiredListMessage).body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"The resourceVersion for the provided list is too old.","reason":"Expired","code":410})");
}

TEST(ApiErrorTest, TooManyRequestsIsPlainText) {
  ApiError e = TooManyRequests(4);
  EXPECT_EQ(e.http_code, 429);
  EXPECT_EQ(e.body, "Too many requests, please try again later.\n");
  EXPECT_EQ(e.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(e.retry_after_s, 4);
}

TEST(ApiErrorTest, ServerTimeout) {
  ApiError e = ServerTimeout("pods", "create", 2);
  EXPECT_EQ(e.http_code, 500);
  EXPECT_EQ(e.retry_after_s, 2);
  EXPECT_EQ(
      e.body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"The create operation against pods could not be completed at this time, please try again.","reason":"ServerTimeout","details":{"name":"create","kind":"pods","retryAfterSeconds":2},"code":500})");
}

TEST(ApiErrorTest, GatewayTimeout) {
  ApiError e = GatewayTimeout();
  EXPECT_EQ(e.http_code, 504);
  EXPECT_EQ(
      e.body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Timeout: request did not complete within requested timeout - context deadline exceeded","reason":"Timeout","details":{},"code":504})");
}

TEST(ApiErrorTest, Unauthorized) {
  ApiError e = Unauthorized();
  EXPECT_EQ(e.http_code, 401);
  EXPECT_EQ(
      e.body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})");
}

TEST(ApiErrorTest, ForbiddenAndConflict) {
  EXPECT_EQ(
      Forbidden("pods", "p", "exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2")
          .body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"p\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2","reason":"Forbidden","details":{"name":"p","kind":"pods"},"code":403})");
  EXPECT_EQ(
      Conflict("pods", "p", "x").body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on pods \"p\": x","reason":"Conflict","details":{"name":"p","kind":"pods"},"code":409})");
}

TEST(ApiErrorTest, TooLargeResourceVersion) {
  ApiError e = TooLargeResourceVersion(100, 50);
  EXPECT_EQ(e.http_code, 504);
  EXPECT_EQ(e.retry_after_s, 1);
  EXPECT_EQ(
      e.body,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Timeout: Too large resource version: 100, current: 50","reason":"Timeout","details":{"causes":[{"reason":"ResourceVersionTooLarge","message":"Too large resource version"}],"retryAfterSeconds":1},"code":504})");
}

TEST(ApiErrorTest, ApiOrHoldsValueOrError) {
  ApiOr<int> v = 3;
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 3);
  ApiOr<int> e = NotFound("pods", "x");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().http_code, 404);
}

}  // namespace
}  // namespace sluice::kubesim
