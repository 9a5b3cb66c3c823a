#include "tools/sluicectl/client_tls.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace sluice::ctl {
namespace {

// The file's contents; InvalidArgument naming `flag` if it cannot be read.
absl::StatusOr<std::string> ReadPem(const std::string& path, const char* flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " ", path, ": cannot read it: ", std::strerror(errno)));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (contents.str().find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(flag, " ", path, ": not a PEM file"));
  }
  return contents.str();
}

void FillFrom(std::string* field, const char* name, const char* (*getenv)(const char*)) {
  if (!field->empty()) return;
  if (const char* value = getenv(name)) *field = value;
}

}  // namespace

ClientTls TlsWithEnvironment(ClientTls flags, const char* (*getenv)(const char*)) {
  FillFrom(&flags.ca_file, "SLUICE_TLS_CA", getenv);
  FillFrom(&flags.cert_file, "SLUICE_TLS_CERT", getenv);
  FillFrom(&flags.key_file, "SLUICE_TLS_KEY", getenv);
  FillFrom(&flags.server_name, "SLUICE_TLS_SERVER_NAME", getenv);
  return flags;
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ClientTls& tls) {
  if (!tls.enabled()) return grpc::InsecureChannelCredentials();
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert and --tls-key go together: a client certificate needs its key");
  }
  if (tls.ca_file.empty() && tls.cert_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls-server-name needs TLS: give --tls-ca (and --tls-cert/--tls-key for mutual TLS)");
  }
  grpc::SslCredentialsOptions options;
  if (!tls.ca_file.empty()) {
    absl::StatusOr<std::string> ca = ReadPem(tls.ca_file, "--tls-ca");
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = std::move(*ca);
  }
  if (!tls.cert_file.empty()) {
    absl::StatusOr<std::string> cert = ReadPem(tls.cert_file, "--tls-cert");
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadPem(tls.key_file, "--tls-key");
    if (!key.ok()) return key.status();
    options.pem_cert_chain = std::move(*cert);
    options.pem_private_key = std::move(*key);
  }
  return grpc::SslCredentials(options);
}

}  // namespace sluice::ctl
