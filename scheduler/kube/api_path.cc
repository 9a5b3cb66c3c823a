#include "scheduler/kube/api_path.h"

#include <cstdio>

#include "absl/strings/str_cat.h"

namespace sluice::kube {
namespace {

void AddParam(std::string* query, absl::string_view name, absl::string_view value) {
  absl::StrAppend(query, query->empty() ? "?" : "&", name, "=", PercentEncode(value));
}

}  // namespace

ResourceRef ResourceRef::Pods(absl::string_view ns) {
  ResourceRef ref;
  ref.resource = "pods";
  ref.ns = std::string(ns);
  return ref;
}

ResourceRef ResourceRef::ResourceQuotas(absl::string_view ns) {
  ResourceRef ref;
  ref.resource = "resourcequotas";
  ref.ns = std::string(ns);
  return ref;
}

std::string ResourceRef::CollectionPath() const {
  if (ns.empty()) return absl::StrCat(api_prefix, "/", resource);
  return absl::StrCat(api_prefix, "/namespaces/", PercentEncode(ns), "/", resource);
}

std::string ResourceRef::ObjectPath(absl::string_view name) const {
  return absl::StrCat(CollectionPath(), "/", PercentEncode(name));
}

std::string PercentEncode(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '.' || u == '_' || u == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    }
  }
  return out;
}

std::string ListQuery(const ListOptions& options) {
  std::string query;
  if (options.limit > 0) AddParam(&query, "limit", absl::StrCat(options.limit));
  if (!options.continue_token.empty()) AddParam(&query, "continue", options.continue_token);
  if (!options.resource_version.empty()) {
    AddParam(&query, "resourceVersion", options.resource_version);
  }
  if (!options.label_selector.empty()) AddParam(&query, "labelSelector", options.label_selector);
  if (!options.field_selector.empty()) AddParam(&query, "fieldSelector", options.field_selector);
  return query;
}

std::string WatchQuery(const WatchOptions& options) {
  std::string query = "?watch=1";
  if (!options.resource_version.empty()) {
    AddParam(&query, "resourceVersion", options.resource_version);
  }
  if (options.allow_bookmarks) AddParam(&query, "allowWatchBookmarks", "true");
  if (options.timeout_seconds > 0) {
    AddParam(&query, "timeoutSeconds", absl::StrCat(options.timeout_seconds));
  }
  if (!options.label_selector.empty()) AddParam(&query, "labelSelector", options.label_selector);
  if (!options.field_selector.empty()) AddParam(&query, "fieldSelector", options.field_selector);
  return query;
}

std::string JsonQuote(absl::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace sluice::kube
