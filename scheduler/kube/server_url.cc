#include "scheduler/kube/server_url.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace sluice::kube {

std::string ServerUrl::UrlHost() const { return is_ipv6() ? absl::StrCat("[", host, "]") : host; }

std::string ServerUrl::ToString() const {
  return absl::StrCat(scheme, "://", UrlHost(), ":", port, path_prefix);
}

absl::StatusOr<ServerUrl> ParseServerUrl(absl::string_view url) {
  ServerUrl out;
  absl::string_view rest = url;
  if (absl::ConsumePrefix(&rest, "https://")) {
    out.scheme = "https";
    out.port = 443;
  } else if (absl::ConsumePrefix(&rest, "http://")) {
    out.scheme = "http";
    out.port = 80;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("server URL \"", url, "\": scheme must be http:// or https://"));
  }
  if (rest.find_first_of("?#@") != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("server URL \"", url, "\": user info, query and fragment are not allowed"));
  }
  const size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  absl::string_view path = slash == absl::string_view::npos ? "" : rest.substr(slash);
  while (absl::ConsumeSuffix(&path, "/")) {
  }
  out.path_prefix = std::string(path);
  absl::string_view port_text;
  if (absl::ConsumePrefix(&authority, "[")) {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("server URL \"", url, "\": unterminated IPv6 address"));
    }
    out.host = std::string(authority.substr(0, close));
    absl::string_view after = authority.substr(close + 1);
    if (!after.empty() && !absl::ConsumePrefix(&after, ":")) {
      return absl::InvalidArgumentError(
          absl::StrCat("server URL \"", url, "\": junk after IPv6 address"));
    }
    port_text = after;
  } else {
    const size_t colon = authority.rfind(':');
    if (colon != absl::string_view::npos) {
      port_text = authority.substr(colon + 1);
      authority = authority.substr(0, colon);
    }
    out.host = std::string(authority);
  }
  if (out.host.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("server URL \"", url, "\": empty host"));
  }
  if (!port_text.empty()) {
    int port = 0;
    if (!absl::SimpleAtoi(port_text, &port) || port <= 0 || port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("server URL \"", url, "\": bad port"));
    }
    out.port = port;
  }
  return out;
}

}  // namespace sluice::kube
