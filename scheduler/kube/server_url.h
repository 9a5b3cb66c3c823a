#ifndef SLUICE_SCHEDULER_KUBE_SERVER_URL_H_
#define SLUICE_SCHEDULER_KUBE_SERVER_URL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sluice::kube {

// The parts of an APIServer base URL: scheme://host[:port][/prefix].
struct ServerUrl {
  std::string scheme;       // "http" or "https"
  std::string host;         // without IPv6 brackets
  int port = 0;             // explicit or the scheme's default (80, 443)
  std::string path_prefix;  // "" or "/a/b" (no trailing slash)

  bool is_ipv6() const { return host.find(':') != std::string::npos; }
  // Host as it appears in a URL (IPv6 bracketed).
  std::string UrlHost() const;
  // Canonical base URL with an explicit port, no trailing slash.
  std::string ToString() const;
};

// Parses a base URL; rejects other schemes, user info, queries and fragments.
absl::StatusOr<ServerUrl> ParseServerUrl(absl::string_view url);

}  // namespace sluice::kube

#endif  // SLUICE_SCHEDULER_KUBE_SERVER_URL_H_
