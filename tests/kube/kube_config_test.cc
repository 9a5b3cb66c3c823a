#include "scheduler/kube/kube_config.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/kube/temp_dir.h"

namespace sluice::kube {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempDir;

constexpr char kCaPem[] = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
constexpr char kCertPem[] = "-----BEGIN CERTIFICATE-----\nME\n-----END CERTIFICATE-----\n";
constexpr char kKeyPem[] = "-----BEGIN PRIVATE KEY-----\nSECRETKEY\n-----END PRIVATE KEY-----\n";

// A kubeconfig in kubectl's layout with two clusters, users and contexts.
// ${CA_DATA}, ${CERT_DATA} and ${KEY_DATA} are replaced by base64 of the PEMs.
std::string TwoContextConfig() {
  return absl::StrReplaceAll(R"(apiVersion: v1
kind: Config
preferences: {}
current-context: prod
clusters:
- name: prod-cluster
  cluster:
    server: https://k8s.example.com:6443/
    certificate-authority-data: ${CA_DATA}
    tls-server-name: kubernetes.default
- name: dev-cluster
  cluster:
    server: http://127.0.0.1:8080
users:
- name: prod-user
  user:
    token: prod-token-123
- name: dev-user
  user:
    client-certificate-data: ${CERT_DATA}
    client-key-data: ${KEY_DATA}
contexts:
- name: dev
  context:
    cluster: dev-cluster
    user: dev-user
- name: prod
  context:
    cluster: prod-cluster
    user: prod-user
    namespace: batch
)",
                             {{"${CA_DATA}", absl::Base64Escape(kCaPem)},
                              {"${CERT_DATA}", absl::Base64Escape(kCertPem)},
                              {"${KEY_DATA}", absl::Base64Escape(kKeyPem)}});
}

// One cluster, user and context "c"; the cluster and user bodies are given
// (indented by the caller as YAML map entries under `cluster:` / `user:`).
std::string OneContextConfig(const std::string& cluster_body, const std::string& user_body) {
  return absl::StrCat("current-context: c\nclusters:\n- name: k\n  cluster:\n", cluster_body,
                      "users:\n- name: u\n  user:\n", user_body.empty() ? "    {}\n" : user_body,
                      "contexts:\n- name: c\n  context:\n    cluster: k\n    user: u\n");
}

TEST(KubeConfigTest, CurrentContextSelectsClusterUserAndNamespace) {
  absl::StatusOr<KubeConfig> c = ParseKubeconfig(TwoContextConfig(), "/etc/kube");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->server, "https://k8s.example.com:6443");  // trailing slash dropped
  EXPECT_EQ(c->tls.ca_pem, kCaPem);
  EXPECT_EQ(c->tls.ca_file, "");
  EXPECT_EQ(c->tls.server_name, "kubernetes.default");
  EXPECT_FALSE(c->tls.insecure_skip_verify);
  EXPECT_EQ(c->token, "prod-token-123");
  EXPECT_EQ(c->token_file, "");
  EXPECT_EQ(c->tls.client_cert_pem, "");
  EXPECT_EQ(c->default_namespace, "batch");
  EXPECT_THAT(c->origin, HasSubstr("context prod"));
}

TEST(KubeConfigTest, RequestedContextOverridesCurrentContext) {
  absl::StatusOr<KubeConfig> c = ParseKubeconfig(TwoContextConfig(), "/etc/kube", "dev");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->server, "http://127.0.0.1:8080");
  EXPECT_EQ(c->token, "");
  EXPECT_EQ(c->tls.client_cert_pem, kCertPem);
  EXPECT_EQ(c->tls.client_key_pem, kKeyPem);
  EXPECT_EQ(c->tls.ca_pem, "");
  EXPECT_EQ(c->default_namespace, "default");  // the context sets none
}

TEST(KubeConfigTest, DebugStringRedactsSecrets) {
  absl::StatusOr<KubeConfig> prod = ParseKubeconfig(TwoContextConfig(), "/etc/kube");
  ASSERT_TRUE(prod.ok()) << prod.status();
  EXPECT_THAT(prod->DebugString(), Not(HasSubstr("prod-token-123")));
  EXPECT_THAT(prod->DebugString(), HasSubstr("token=<14 bytes>"));
  absl::StatusOr<KubeConfig> dev = ParseKubeconfig(TwoContextConfig(), "/etc/kube", "dev");
  ASSERT_TRUE(dev.ok()) << dev.status();
  EXPECT_THAT(dev->DebugString(), Not(HasSubstr("SECRETKEY")));
  EXPECT_THAT(dev->DebugString(), HasSubstr("client_cert=inline"));
}

TEST(KubeConfigTest, FilePathsResolveAgainstTheKubeconfigDirectory) {
  TempDir dir;
  const std::string ca = dir.Write("certs/ca.crt", kCaPem);
  dir.Write("certs/client.crt", kCertPem);
  const std::string key = dir.Write("client.key", kKeyPem);
  const std::string token = dir.Write("token", "file-token\n");
  const std::string kubeconfig = dir.Write(
      "config", OneContextConfig(absl::StrCat("    server: https://10.0.0.1\n",
                                              "    certificate-authority: certs/ca.crt\n"),
                                 absl::StrCat("    tokenFile: token\n",
                                              "    client-certificate: certs/client.crt\n",
                                              "    client-key: ", key, "\n")));
  absl::StatusOr<KubeConfig> c = LoadKubeconfigFile(kubeconfig);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->server, "https://10.0.0.1:443");
  EXPECT_EQ(c->tls.ca_file, ca);
  EXPECT_EQ(c->tls.ca_pem, "");
  EXPECT_EQ(c->token_file, token);
  EXPECT_EQ(c->tls.client_cert_file, dir.path() + "/certs/client.crt");
  EXPECT_EQ(c->tls.client_key_file, key);  // absolute: kept
  EXPECT_THAT(c->origin, HasSubstr(kubeconfig));
}

TEST(KubeConfigTest, TokenAndTokenFileAreBothKept) {
  TempDir dir;
  const std::string token = dir.Write("t", "from-file");
  absl::StatusOr<KubeConfig> c = ParseKubeconfig(
      OneContextConfig("    server: http://h:1\n",
                       absl::StrCat("    token: inline\n    tokenFile: ", token, "\n")),
      dir.path());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->token, "inline");
  EXPECT_EQ(c->token_file, token);  // the client reads it and prefers it
}

TEST(KubeConfigTest, InsecureSkipTlsVerify) {
  absl::StatusOr<KubeConfig> c = ParseKubeconfig(
      OneContextConfig("    server: https://h\n    insecure-skip-tls-verify: true\n", ""), "/");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->tls.insecure_skip_verify);
  EXPECT_EQ(c->token, "");
}

TEST(KubeConfigTest, UserlessContextHasNoCredentials) {
  absl::StatusOr<KubeConfig> c = ParseKubeconfig(R"(current-context: c
clusters:
- name: k
  cluster: {server: "http://h:8080"}
contexts:
- name: c
  context: {cluster: k}
)",
                                                 "/");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->server, "http://h:8080");
  EXPECT_EQ(c->token, "");
  EXPECT_EQ(c->token_file, "");
}

struct BadConfigCase {
  const char* name;
  std::string yaml;
  std::string context;  // requested context, "" for current-context
  std::string message;  // substring of the error, naming the key path
};

TEST(KubeConfigTest, ErrorsNameTheKeyPath) {
  const std::string ok_cluster = "    server: https://h\n";
  const std::vector<BadConfigCase> cases = {
      {"not yaml", "clusters: [", "", "kubeconfig: not valid YAML"},
      {"not a map", "- a\n- b\n", "", "(top level): not a YAML map"},
      {"no current-context", "clusters: []\n", "", "current-context: missing"},
      {"current-context names nothing", "current-context: x\ncontexts: []\n", "",
       R"(current-context: "x" names no entry in contexts[])"},
      {"requested context names nothing", TwoContextConfig(), "staging",
       R"(requested context: "staging" names no entry in contexts[])"},
      {"contexts not a list", "current-context: x\ncontexts: {a: 1}\n", "",
       "contexts: must be a list"},
      {"context without cluster",
       "current-context: c\ncontexts:\n- name: c\n  context: {user: u}\n", "",
       "contexts[0].context.cluster: missing"},
      {"context body missing", "current-context: c\ncontexts:\n- name: c\n", "",
       "contexts[0].context: missing or not a map"},
      {"cluster names nothing",
       "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k}\n", "",
       R"(contexts[0].context.cluster: "k" names no entry in clusters[])"},
      {"user names nothing",
       "current-context: c\nclusters:\n- name: k\n  cluster: {server: 'http://h'}\n"
       "contexts:\n- name: c\n  context: {cluster: k, user: nobody}\n",
       "", R"(contexts[0].context.user: "nobody" names no entry in users[])"},
      {"no server", OneContextConfig("    insecure-skip-tls-verify: true\n", ""), "",
       "clusters[0].cluster.server: missing"},
      {"bad scheme", OneContextConfig("    server: ftp://h\n", ""), "",
       "clusters[0].cluster.server: server URL \"ftp://h\": scheme must be"},
      {"server not a string", OneContextConfig("    server: [a]\n", ""), "",
       "clusters[0].cluster.server: must be a string"},
      {"bad CA data", OneContextConfig(ok_cluster + "    certificate-authority-data: '!!'\n", ""),
       "", "clusters[0].cluster.certificate-authority-data: not valid base64"},
      {"missing CA file",
       OneContextConfig(ok_cluster + "    certificate-authority: nope.crt\n", ""), "",
       "clusters[0].cluster.certificate-authority: /nonexistent/nope.crt: No such file"},
      {"insecure not a bool",
       OneContextConfig(ok_cluster + "    insecure-skip-tls-verify: 3\n", ""), "",
       "clusters[0].cluster.insecure-skip-tls-verify: must be true or false"},
      {"insecure with a CA",
       OneContextConfig(ok_cluster + "    insecure-skip-tls-verify: true\n" +
                            "    certificate-authority-data: " + absl::Base64Escape(kCaPem) + "\n",
                        ""),
       "", "clusters[0].cluster.insecure-skip-tls-verify: cannot be combined"},
      {"proxy", OneContextConfig(ok_cluster + "    proxy-url: http://proxy\n", ""), "",
       "clusters[0].cluster.proxy-url: proxies are not supported"},
      {"missing token file", OneContextConfig(ok_cluster, "    tokenFile: /nonexistent/token\n"),
       "", "users[0].user.tokenFile: /nonexistent/token: No such file"},
      {"bad key data",
       OneContextConfig(ok_cluster,
                        absl::StrCat("    client-certificate-data: ", absl::Base64Escape(kCertPem),
                                     "\n    client-key-data: '*'\n")),
       "", "users[0].user.client-key-data: not valid base64"},
      {"cert without key",
       OneContextConfig(ok_cluster, absl::StrCat("    client-certificate-data: ",
                                                 absl::Base64Escape(kCertPem), "\n")),
       "", "users[0].user: client-certificate given without client-key"},
      {"key without cert",
       OneContextConfig(ok_cluster,
                        absl::StrCat("    client-key-data: ", absl::Base64Escape(kKeyPem), "\n")),
       "", "users[0].user: client-key given without client-certificate"},
      {"exec plugin", OneContextConfig(ok_cluster, "    exec: {command: aws}\n"), "",
       "users[0].user.exec: not supported"},
      {"basic auth", OneContextConfig(ok_cluster, "    username: admin\n"), "",
       "users[0].user.username: not supported"},
  };
  for (const BadConfigCase& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<KubeConfig> parsed = ParseKubeconfig(c.yaml, "/nonexistent", c.context);
    ASSERT_FALSE(parsed.ok()) << parsed->DebugString();
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << parsed.status();
    EXPECT_THAT(parsed.status().message(), HasSubstr(c.message));
    // Messages start with the origin and never carry a secret.
    EXPECT_THAT(std::string(parsed.status().message()), ::testing::StartsWith("kubeconfig"));
    EXPECT_THAT(parsed.status().message(), Not(HasSubstr("SECRETKEY")));
    EXPECT_THAT(parsed.status().message(), Not(HasSubstr("prod-token-123")));
  }
}

TEST(KubeConfigTest, MissingKubeconfigFileIsNotFound) {
  absl::StatusOr<KubeConfig> c = LoadKubeconfigFile("/nonexistent/kubeconfig");
  EXPECT_EQ(c.status().code(), absl::StatusCode::kNotFound) << c.status();
  EXPECT_THAT(c.status().message(), HasSubstr("/nonexistent/kubeconfig"));
}

TEST(KubeConfigTest, FileErrorsNameTheFile) {
  TempDir dir;
  const std::string path = dir.Write("config", OneContextConfig("    server: gopher://h\n", ""));
  absl::StatusOr<KubeConfig> c = LoadKubeconfigFile(path);
  EXPECT_THAT(c.status().message(),
              HasSubstr(absl::StrCat("kubeconfig ", path, ": clusters[0].cluster.server")));
}

// ---------------------------------------------------------------- in-cluster

// A pod's view: service account files in a temporary directory and an
// injected environment.
struct InClusterSetup {
  InClusterSetup() {
    options.token_file = dir.Write("sa/token", "sa-token\n");
    options.ca_file = dir.Write("sa/ca.crt", kCaPem);
    options.namespace_file = dir.Write("sa/namespace", "workflows\n");
    env["KUBERNETES_SERVICE_HOST"] = "10.96.0.1";
    env["KUBERNETES_SERVICE_PORT"] = "443";
    options.getenv = [this](const char* name) -> const char* {
      auto it = env.find(name);
      return it == env.end() ? nullptr : it->second.c_str();
    };
  }
  InClusterSetup(const InClusterSetup&) = delete;
  InClusterSetup& operator=(const InClusterSetup&) = delete;

  TempDir dir;
  std::map<std::string, std::string> env;
  InClusterOptions options;
};

TEST(InClusterTest, ReadsEnvironmentAndServiceAccountFiles) {
  InClusterSetup pod;
  absl::StatusOr<KubeConfig> c = LoadInClusterConfig(pod.options);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->server, "https://10.96.0.1:443");
  EXPECT_EQ(c->token, "");                           // not copied: the client re-reads the file
  EXPECT_EQ(c->token_file, pod.options.token_file);  // re-read by BearerTokenSource
  EXPECT_EQ(c->tls.ca_file, pod.options.ca_file);
  EXPECT_FALSE(c->tls.insecure_skip_verify);
  EXPECT_EQ(c->default_namespace, "workflows");  // trimmed
  EXPECT_EQ(c->origin, "in-cluster");
}

TEST(InClusterTest, BracketsAnIpv6Host) {
  InClusterSetup pod;
  pod.env["KUBERNETES_SERVICE_HOST"] = "fd00:10:96::1";
  pod.env["KUBERNETES_SERVICE_PORT"] = "6443";
  absl::StatusOr<KubeConfig> c = LoadInClusterConfig(pod.options);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->server, "https://[fd00:10:96::1]:6443");
}

TEST(InClusterTest, MissingNamespaceFileMeansDefault) {
  InClusterSetup pod;
  pod.options.namespace_file = pod.dir.path() + "/sa/absent";
  absl::StatusOr<KubeConfig> c = LoadInClusterConfig(pod.options);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->default_namespace, "default");
}

TEST(InClusterTest, Errors) {
  struct Case {
    const char* name;
    std::function<void(InClusterSetup&)> change;
    absl::StatusCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"no host", [](InClusterSetup& p) { p.env.erase("KUBERNETES_SERVICE_HOST"); },
       absl::StatusCode::kFailedPrecondition,
       "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT"},
      {"empty port", [](InClusterSetup& p) { p.env["KUBERNETES_SERVICE_PORT"] = ""; },
       absl::StatusCode::kFailedPrecondition, "must both be set"},
      {"bad port", [](InClusterSetup& p) { p.env["KUBERNETES_SERVICE_PORT"] = "https"; },
       absl::StatusCode::kInvalidArgument, "in-cluster: server URL"},
      {"no token", [](InClusterSetup& p) { p.options.token_file = "/nonexistent/token"; },
       absl::StatusCode::kNotFound, "in-cluster token: /nonexistent/token"},
      {"no CA", [](InClusterSetup& p) { p.options.ca_file = "/nonexistent/ca.crt"; },
       absl::StatusCode::kNotFound, "in-cluster CA: /nonexistent/ca.crt"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    InClusterSetup pod;
    c.change(pod);
    absl::StatusOr<KubeConfig> config = LoadInClusterConfig(pod.options);
    EXPECT_EQ(config.status().code(), c.code) << config.status();
    EXPECT_THAT(config.status().message(), HasSubstr(c.message));
  }
}

// ---------------------------------------------------------------- bare URL

TEST(ConfigFromUrlTest, PlainUrlHasNoCredentials) {
  absl::StatusOr<KubeConfig> c = ConfigFromUrl("http://127.0.0.1:8080/");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->server, "http://127.0.0.1:8080");
  EXPECT_EQ(c->token, "");
  EXPECT_EQ(c->default_namespace, "default");
  EXPECT_FALSE(ConfigFromUrl("127.0.0.1:8080").ok());
  EXPECT_FALSE(ConfigFromUrl("http://user:pw@h/").ok());
}

}  // namespace
}  // namespace sluice::kube
