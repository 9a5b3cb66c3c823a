#ifndef SLUICE_TOOLS_LOADGEN_HTTP_GET_H_
#define SLUICE_TOOLS_LOADGEN_HTTP_GET_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sluice::loadgen {

// GET `path_and_query` from `base_url` (http://HOST:PORT, no TLS); the body of
// a 200 answer. Errors: connection failures (Unavailable), other codes
// (Internal, with the code and the start of the body).
absl::StatusOr<std::string> HttpGet(const std::string& base_url, const std::string& path_and_query,
                                    absl::Duration timeout = absl::Seconds(30));

// PUT `body` (JSON) to `path` of `base_url`; the body of a 200 answer.
// Errors as HttpGet.
absl::StatusOr<std::string> HttpPutJson(const std::string& base_url, const std::string& path,
                                        const std::string& body,
                                        absl::Duration timeout = absl::Seconds(10));

// `s` percent-encoded for a URL query value.
std::string QueryEscape(const std::string& s);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_HTTP_GET_H_
