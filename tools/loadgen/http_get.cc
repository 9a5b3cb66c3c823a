#include "tools/loadgen/http_get.h"

#include <httplib.h>

#include <cctype>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sluice::loadgen {

absl::StatusOr<std::string> HttpGet(const std::string& base_url, const std::string& path_and_query,
                                    absl::Duration timeout) {
  httplib::Client client(base_url);
  const int64_t ms = absl::ToInt64Milliseconds(timeout);
  client.set_connection_timeout(std::chrono::milliseconds(ms));
  client.set_read_timeout(std::chrono::milliseconds(ms));
  httplib::Result r = client.Get(path_and_query.c_str());
  if (!r) {
    return absl::UnavailableError(
        absl::StrCat("GET ", base_url, path_and_query, ": ", httplib::to_string(r.error())));
  }
  if (r->status != 200) {
    return absl::InternalError(absl::StrCat("GET ", base_url, path_and_query, ": HTTP ", r->status,
                                            ": ", r->body.substr(0, 200)));
  }
  return std::move(r->body);
}

absl::StatusOr<std::string> HttpPutJson(const std::string& base_url, const std::string& path,
                                        const std::string& body, absl::Duration timeout) {
  httplib::Client client(base_url);
  const int64_t ms = absl::ToInt64Milliseconds(timeout);
  client.set_connection_timeout(std::chrono::milliseconds(ms));
  client.set_read_timeout(std::chrono::milliseconds(ms));
  httplib::Result r = client.Put(path, body, "application/json");
  if (!r) {
    return absl::UnavailableError(
        absl::StrCat("PUT ", base_url, path, ": ", httplib::to_string(r.error())));
  }
  if (r->status != 200) {
    return absl::InternalError(
        absl::StrCat("PUT ", base_url, path, ": HTTP ", r->status, ": ", r->body.substr(0, 200)));
  }
  return std::move(r->body);
}

std::string QueryEscape(const std::string& s) {
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      absl::StrAppendFormat(&out, "%%%02X", c);
    }
  }
  return out;
}

}  // namespace sluice::loadgen
