#include "scheduler/kube/kube_config.h"

#include <cstdlib>
#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "scheduler/kube/file_contents.h"
#include "scheduler/kube/server_url.h"
#include "yaml-cpp/yaml.h"

namespace sluice::kube {
namespace {

std::string Redacted(const std::string& secret) {
  return secret.empty() ? "none" : absl::StrCat("<", secret.size(), " bytes>");
}

std::string DirName(absl::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == absl::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string ResolvePath(absl::string_view base_dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) return path;
  return absl::StrCat(base_dir, "/", path);
}

// Reads one kubeconfig document; every error names `origin` and the key path.
class KubeconfigReader {
 public:
  KubeconfigReader(absl::string_view base_dir, absl::string_view origin)
      : base_dir_(base_dir), origin_(origin) {}

  absl::Status Error(absl::string_view key_path, absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(origin_, ": ", key_path, ": ", what));
  }

  // A scalar string under `node[key]`; nullopt when absent or null.
  absl::StatusOr<std::optional<std::string>> String(const YAML::Node& node, const char* key,
                                                    absl::string_view path) const {
    const YAML::Node value = node[key];
    if (!value || value.IsNull()) return std::optional<std::string>();
    if (!value.IsScalar()) return Error(absl::StrCat(path, ".", key), "must be a string");
    return std::optional<std::string>(value.Scalar());
  }

  absl::StatusOr<bool> Bool(const YAML::Node& node, const char* key, absl::string_view path) const {
    const YAML::Node value = node[key];
    if (!value || value.IsNull()) return false;
    bool out = false;
    if (!value.IsScalar() || !YAML::convert<bool>::decode(value, out)) {
      return Error(absl::StrCat(path, ".", key), "must be true or false");
    }
    return out;
  }

  // `*-data` keys hold base64 of PEM.
  absl::StatusOr<std::string> Base64(const YAML::Node& node, const char* key,
                                     absl::string_view path) const {
    absl::StatusOr<std::optional<std::string>> text = String(node, key, path);
    if (!text.ok()) return text.status();
    if (!text->has_value()) return std::string();
    std::string decoded;
    if (!absl::Base64Unescape(**text, &decoded) || decoded.empty()) {
      return Error(absl::StrCat(path, ".", key), "not valid base64");
    }
    return decoded;
  }

  // A file path key: resolved against the kubeconfig's directory, must be readable.
  absl::StatusOr<std::string> File(const YAML::Node& node, const char* key,
                                   absl::string_view path) const {
    absl::StatusOr<std::optional<std::string>> text = String(node, key, path);
    if (!text.ok()) return text.status();
    if (!text->has_value() || (*text)->empty()) return std::string();
    std::string resolved = ResolvePath(base_dir_, **text);
    absl::StatusOr<std::string> contents = ReadFileContents(resolved);
    if (!contents.ok()) {
      return Error(absl::StrCat(path, ".", key), contents.status().message());
    }
    return resolved;
  }

  // The entry named `name` in the list `list_key` (clusters, users, contexts); sets
  // `*index` to its position for messages.
  absl::StatusOr<YAML::Node> Named(const YAML::Node& root, const char* list_key,
                                   const char* inner_key, const std::string& name,
                                   absl::string_view referrer, size_t* index) const {
    const YAML::Node list = root[list_key];
    if (list && !list.IsNull() && !list.IsSequence()) {
      return Error(list_key, "must be a list");
    }
    if (list && list.IsSequence()) {
      for (size_t i = 0; i < list.size(); ++i) {
        const YAML::Node entry = list[i];
        if (!entry.IsMap()) return Error(absl::StrCat(list_key, "[", i, "]"), "must be a map");
        const YAML::Node entry_name = entry["name"];
        if (entry_name && entry_name.IsScalar() && entry_name.Scalar() == name) {
          const YAML::Node inner = entry[inner_key];
          if (!inner || !inner.IsMap()) {
            return Error(absl::StrCat(list_key, "[", i, "].", inner_key), "missing or not a map");
          }
          *index = i;
          return inner;
        }
      }
    }
    return Error(referrer, absl::StrCat("\"", name, "\" names no entry in ", list_key, "[]"));
  }

  absl::StatusOr<KubeConfig> Read(const YAML::Node& root, absl::string_view context_override);

 private:
  absl::Status ReadCluster(const YAML::Node& cluster, absl::string_view path, KubeConfig* out);
  absl::Status ReadUser(const YAML::Node& user, absl::string_view path, KubeConfig* out);

  const std::string base_dir_;
  const std::string origin_;
};

absl::Status KubeconfigReader::ReadCluster(const YAML::Node& cluster, absl::string_view path,
                                           KubeConfig* out) {
  absl::StatusOr<std::optional<std::string>> server = String(cluster, "server", path);
  if (!server.ok()) return server.status();
  if (!server->has_value() || (*server)->empty()) {
    return Error(absl::StrCat(path, ".server"), "missing");
  }
  absl::StatusOr<ServerUrl> url = ParseServerUrl(**server);
  if (!url.ok()) return Error(absl::StrCat(path, ".server"), url.status().message());
  out->server = url->ToString();

  absl::StatusOr<std::string> ca_file = File(cluster, "certificate-authority", path);
  if (!ca_file.ok()) return ca_file.status();
  absl::StatusOr<std::string> ca_pem = Base64(cluster, "certificate-authority-data", path);
  if (!ca_pem.ok()) return ca_pem.status();
  absl::StatusOr<bool> insecure = Bool(cluster, "insecure-skip-tls-verify", path);
  if (!insecure.ok()) return insecure.status();
  absl::StatusOr<std::optional<std::string>> server_name = String(cluster, "tls-server-name", path);
  if (!server_name.ok()) return server_name.status();
  if (cluster["proxy-url"]) {
    return Error(absl::StrCat(path, ".proxy-url"), "proxies are not supported");
  }
  if (*insecure && (!ca_file->empty() || !ca_pem->empty())) {
    return Error(absl::StrCat(path, ".insecure-skip-tls-verify"),
                 "cannot be combined with certificate-authority(-data)");
  }
  out->tls.ca_file = std::move(*ca_file);
  out->tls.ca_pem = std::move(*ca_pem);
  out->tls.insecure_skip_verify = *insecure;
  out->tls.server_name = server_name->value_or("");
  return absl::OkStatus();
}

absl::Status KubeconfigReader::ReadUser(const YAML::Node& user, absl::string_view path,
                                        KubeConfig* out) {
  for (const char* unsupported : {"exec", "auth-provider", "username", "password", "as"}) {
    if (user[unsupported]) {
      return Error(absl::StrCat(path, ".", unsupported),
                   "not supported (use a token, tokenFile or client certificate)");
    }
  }
  absl::StatusOr<std::optional<std::string>> token = String(user, "token", path);
  if (!token.ok()) return token.status();
  absl::StatusOr<std::string> token_file = File(user, "tokenFile", path);
  if (!token_file.ok()) return token_file.status();
  absl::StatusOr<std::string> cert_file = File(user, "client-certificate", path);
  if (!cert_file.ok()) return cert_file.status();
  absl::StatusOr<std::string> cert_pem = Base64(user, "client-certificate-data", path);
  if (!cert_pem.ok()) return cert_pem.status();
  absl::StatusOr<std::string> key_file = File(user, "client-key", path);
  if (!key_file.ok()) return key_file.status();
  absl::StatusOr<std::string> key_pem = Base64(user, "client-key-data", path);
  if (!key_pem.ok()) return key_pem.status();
  const bool has_cert = !cert_file->empty() || !cert_pem->empty();
  const bool has_key = !key_file->empty() || !key_pem->empty();
  if (has_cert != has_key) {
    return Error(path, has_cert ? "client-certificate given without client-key"
                                : "client-key given without client-certificate");
  }
  out->token = token->value_or("");
  out->token_file = std::move(*token_file);
  out->tls.client_cert_file = std::move(*cert_file);
  out->tls.client_cert_pem = std::move(*cert_pem);
  out->tls.client_key_file = std::move(*key_file);
  out->tls.client_key_pem = std::move(*key_pem);
  return absl::OkStatus();
}

absl::StatusOr<KubeConfig> KubeconfigReader::Read(const YAML::Node& root,
                                                  absl::string_view context_override) {
  if (!root.IsMap()) return Error("(top level)", "not a YAML map");
  std::string context_name(context_override);
  if (context_name.empty()) {
    absl::StatusOr<std::optional<std::string>> current = String(root, "current-context", "");
    if (!current.ok()) return current.status();
    if (!current->has_value() || (*current)->empty()) {
      return Error("current-context", "missing and no context was requested");
    }
    context_name = **current;
  }
  size_t ctx_index = 0;
  absl::StatusOr<YAML::Node> context =
      Named(root, "contexts", "context", context_name,
            context_override.empty() ? "current-context" : "requested context", &ctx_index);
  if (!context.ok()) return context.status();
  const std::string ctx_path = absl::StrCat("contexts[", ctx_index, "].context");

  KubeConfig out;
  out.origin = absl::StrCat(origin_, " (context ", context_name, ")");
  absl::StatusOr<std::optional<std::string>> cluster_name = String(*context, "cluster", ctx_path);
  if (!cluster_name.ok()) return cluster_name.status();
  if (!cluster_name->has_value()) return Error(absl::StrCat(ctx_path, ".cluster"), "missing");
  size_t cluster_index = 0;
  absl::StatusOr<YAML::Node> cluster = Named(root, "clusters", "cluster", **cluster_name,
                                             absl::StrCat(ctx_path, ".cluster"), &cluster_index);
  if (!cluster.ok()) return cluster.status();
  if (absl::Status s =
          ReadCluster(*cluster, absl::StrCat("clusters[", cluster_index, "].cluster"), &out);
      !s.ok()) {
    return s;
  }

  absl::StatusOr<std::optional<std::string>> user_name = String(*context, "user", ctx_path);
  if (!user_name.ok()) return user_name.status();
  if (user_name->has_value() && !(*user_name)->empty()) {
    size_t user_index = 0;
    absl::StatusOr<YAML::Node> user =
        Named(root, "users", "user", **user_name, absl::StrCat(ctx_path, ".user"), &user_index);
    if (!user.ok()) return user.status();
    if (absl::Status s = ReadUser(*user, absl::StrCat("users[", user_index, "].user"), &out);
        !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<std::optional<std::string>> ns = String(*context, "namespace", ctx_path);
  if (!ns.ok()) return ns.status();
  if (ns->has_value() && !(*ns)->empty()) out.default_namespace = **ns;
  return out;
}

}  // namespace

std::string KubeConfig::DebugString() const {
  return absl::StrCat(
      "server=", server, " origin=", origin, " namespace=", default_namespace,
      " token=", Redacted(token), " token_file=", token_file.empty() ? "none" : token_file,
      " ca=", !tls.ca_pem.empty() ? "inline" : (tls.ca_file.empty() ? "system" : tls.ca_file),
      " client_cert=",
      !tls.client_cert_pem.empty() ? "inline"
                                   : (tls.client_cert_file.empty() ? "none" : tls.client_cert_file),
      " client_key=",
      !tls.client_key_pem.empty() ? Redacted(tls.client_key_pem)
                                  : (tls.client_key_file.empty() ? "none" : tls.client_key_file),
      tls.insecure_skip_verify ? " insecure-skip-tls-verify" : "",
      tls.server_name.empty() ? "" : absl::StrCat(" tls_server_name=", tls.server_name));
}

absl::StatusOr<KubeConfig> ParseKubeconfig(absl::string_view yaml, absl::string_view base_dir,
                                           absl::string_view context, absl::string_view origin) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    // The parser's message cites a line and column, not the text: no secret leaks.
    return absl::InvalidArgumentError(absl::StrCat(origin, ": not valid YAML: ", e.what()));
  }
  try {
    KubeconfigReader reader(base_dir, origin);
    return reader.Read(root, context);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(origin, ": ", e.what()));
  }
}

absl::StatusOr<KubeConfig> LoadKubeconfigFile(const std::string& path, absl::string_view context) {
  absl::StatusOr<std::string> text = ReadFileContents(path);
  if (!text.ok()) {
    return absl::Status(text.status().code(),
                        absl::StrCat("kubeconfig: ", text.status().message()));
  }
  return ParseKubeconfig(*text, DirName(path), context, absl::StrCat("kubeconfig ", path));
}

absl::StatusOr<KubeConfig> LoadInClusterConfig(const InClusterOptions& options) {
  auto getenv = options.getenv ? options.getenv
                               : std::function<const char*(const char*)>(
                                     [](const char* name) { return std::getenv(name); });
  const char* host = getenv("KUBERNETES_SERVICE_HOST");
  const char* port = getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || *host == '\0' || port == nullptr || *port == '\0') {
    return absl::FailedPreconditionError(
        "in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set "
        "(not running in a pod?)");
  }
  const std::string host_text(host);
  const std::string url_host = host_text.find(':') != std::string::npos && host_text[0] != '['
                                   ? absl::StrCat("[", host_text, "]")
                                   : host_text;
  absl::StatusOr<ServerUrl> url = ParseServerUrl(absl::StrCat("https://", url_host, ":", port));
  if (!url.ok())
    return absl::InvalidArgumentError(absl::StrCat("in-cluster: ", url.status().message()));

  KubeConfig out;
  out.origin = "in-cluster";
  out.server = url->ToString();
  absl::StatusOr<std::string> token = ReadFileContents(options.token_file);
  if (!token.ok()) {
    return absl::Status(token.status().code(),
                        absl::StrCat("in-cluster token: ", token.status().message()));
  }
  out.token_file = options.token_file;
  absl::StatusOr<std::string> ca = ReadFileContents(options.ca_file);
  if (!ca.ok()) {
    return absl::Status(ca.status().code(), absl::StrCat("in-cluster CA: ", ca.status().message()));
  }
  out.tls.ca_file = options.ca_file;
  absl::StatusOr<std::string> ns = ReadFileContents(options.namespace_file);
  if (ns.ok()) {
    absl::string_view trimmed = absl::StripAsciiWhitespace(*ns);
    if (!trimmed.empty()) out.default_namespace = std::string(trimmed);
  } else if (!absl::IsNotFound(ns.status())) {
    return absl::Status(ns.status().code(),
                        absl::StrCat("in-cluster namespace: ", ns.status().message()));
  }
  return out;
}

absl::StatusOr<KubeConfig> ConfigFromUrl(absl::string_view url) {
  absl::StatusOr<ServerUrl> parsed = ParseServerUrl(url);
  if (!parsed.ok()) return parsed.status();
  KubeConfig out;
  out.server = parsed->ToString();
  out.origin = absl::StrCat("url ", url);
  return out;
}

}  // namespace sluice::kube
