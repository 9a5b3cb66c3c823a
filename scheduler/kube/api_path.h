#ifndef SLUICE_SCHEDULER_KUBE_API_PATH_H_
#define SLUICE_SCHEDULER_KUBE_API_PATH_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace sluice::kube {

// A resource collection on the APIServer: pods of one namespace, resource quotas of all
// namespaces, ...
struct ResourceRef {
  std::string api_prefix = "/api/v1";  // "/apis/GROUP/VERSION" for grouped resources
  std::string resource;                // plural, lower case: "pods", "resourcequotas"
  std::string ns;                      // empty: all namespaces (collections only)

  static ResourceRef Pods(absl::string_view ns = "");
  static ResourceRef ResourceQuotas(absl::string_view ns = "");

  // /api/v1/namespaces/NS/pods, or /api/v1/pods for all namespaces.
  std::string CollectionPath() const;
  // /api/v1/namespaces/NS/pods/NAME. REQUIRES: ns non-empty.
  std::string ObjectPath(absl::string_view name) const;
};

struct ListOptions {
  std::string label_selector;  // e.g. "sluice.dev/managed=true"
  std::string field_selector;  // e.g. "status.phase!=Succeeded"
  int64_t limit = 0;           // page size; 0: no pagination
  std::string continue_token;  // from the previous page's metadata.continue
  // "" (most recent, consistent read), "0" (any, from the watch cache) or a version.
  std::string resource_version;
};

struct WatchOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // events after this version
  int64_t timeout_seconds = 0;   // server closes the watch after this; 0: server default
  bool allow_bookmarks = true;
};

// Percent-encodes a query value or path segment (RFC 3986 unreserved characters kept).
std::string PercentEncode(absl::string_view text);
// "?limit=500&labelSelector=..." (empty when no option is set).
std::string ListQuery(const ListOptions& options);
// "?watch=1&resourceVersion=..&allowWatchBookmarks=true&timeoutSeconds=..&labelSelector=..".
std::string WatchQuery(const WatchOptions& options);
// A JSON string literal (quotes included) for `text`.
std::string JsonQuote(absl::string_view text);

}  // namespace sluice::kube

#endif  // SLUICE_SCHEDULER_KUBE_API_PATH_H_
