#ifndef SLUICE_SCHEDULER_KUBE_KUBE_CONFIG_H_
#define SLUICE_SCHEDULER_KUBE_KUBE_CONFIG_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sluice::kube {

// How to verify the server and present ourselves over TLS. PEM bytes (`*_pem`) and file
// paths (`*_file`) are alternatives; when both are set the bytes win. Keys are secrets.
struct TlsConfig {
  std::string ca_file;  // PEM bundle; neither ca_file nor ca_pem: the system store
  std::string ca_pem;
  std::string client_cert_file;
  std::string client_cert_pem;
  std::string client_key_file;
  std::string client_key_pem;  // secret
  bool insecure_skip_verify = false;
  // Name for SNI and certificate verification instead of the URL's host (kubeconfig
  // `tls-server-name`).
  std::string server_name;
};

// Everything needed to reach one APIServer as one identity. Built by the loaders below.
// Holds secrets (token, client key): never log it except through DebugString().
struct KubeConfig {
  // Base URL without a trailing slash, e.g. "https://10.0.0.1:443" or
  // "http://127.0.0.1:8080"; may carry a path prefix ("https://proxy/k8s/clusters/c1").
  std::string server;
  TlsConfig tls;
  std::string token;       // static bearer token; secret; empty: none
  std::string token_file;  // bearer token re-read periodically (rotation); wins over `token`
  std::string default_namespace = "default";
  std::string origin;  // where the settings came from, for messages

  // One line, secrets replaced by "<redacted>"/"<N bytes>".
  std::string DebugString() const;
};

// Loads `path` (a kubeconfig YAML file) using `context` or, when empty, the file's
// `current-context`. Relative file paths in the file are resolved against its directory;
// referenced files must be readable. Errors name the file and the key path, e.g.
// `kubeconfig /x: users[0].user.client-key-data: not valid base64`. `exec`,
// `auth-provider`, basic auth and proxies are not supported and are reported as errors.
absl::StatusOr<KubeConfig> LoadKubeconfigFile(const std::string& path,
                                              absl::string_view context = "");

// As LoadKubeconfigFile for YAML text already in memory; relative paths are resolved
// against `base_dir`, and messages name `origin`.
absl::StatusOr<KubeConfig> ParseKubeconfig(absl::string_view yaml, absl::string_view base_dir,
                                           absl::string_view context = "",
                                           absl::string_view origin = "kubeconfig");

// Where a pod finds its service account; injectable for tests.
struct InClusterOptions {
  std::string token_file = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::string ca_file = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::string namespace_file = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
  // Reads an environment variable; nullptr when unset. Default: std::getenv.
  std::function<const char*(const char*)> getenv;
};

// The in-cluster configuration: https://KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT
// (both required; an IPv6 host is bracketed), the service account token file (re-read
// by the client, it rotates), its CA, and its namespace ("default" if the file is absent).
absl::StatusOr<KubeConfig> LoadInClusterConfig(const InClusterOptions& options = {});

// A bare URL without credentials, e.g. "http://127.0.0.1:8080" for kubesim. https URLs
// verify against the system store.
absl::StatusOr<KubeConfig> ConfigFromUrl(absl::string_view url);

}  // namespace sluice::kube

#endif  // SLUICE_SCHEDULER_KUBE_KUBE_CONFIG_H_
