#include "scheduler/server/listen_security.h"

#include <arpa/inet.h>
#include <grp.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "scheduler/common/log.h"

namespace sluice {
namespace {

constexpr absl::string_view kUnixScheme = "unix://";
// How often the TLS files are checked for rotation.
constexpr unsigned int kTlsRefreshSeconds = 60;

bool IsLoopbackHost(const std::string& host) {
  if (absl::AsciiStrToLower(host) == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

absl::StatusOr<ListenAddress> ParseTcp(absl::string_view address) {
  ListenAddress out;
  out.kind = ListenAddress::Kind::kTcp;
  absl::string_view port;
  if (absl::StartsWith(address, "[")) {
    const size_t close = address.find(']');
    if (close == absl::string_view::npos || close + 1 >= address.size() ||
        address[close + 1] != ':') {
      return absl::InvalidArgumentError("must be [IPV6]:PORT");
    }
    out.host = std::string(address.substr(1, close - 1));
    port = address.substr(close + 2);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == absl::string_view::npos) {
      return absl::InvalidArgumentError("must be unix:///path or HOST:PORT");
    }
    out.host = std::string(address.substr(0, colon));
    if (absl::StrContains(out.host, ':')) {
      return absl::InvalidArgumentError("write an IPv6 address in brackets: [::1]:7070");
    }
    port = address.substr(colon + 1);
  }
  uint32_t port_number = 0;
  if (!absl::SimpleAtoi(port, &port_number) || port_number > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("port must be 0..65535, not \"", port, "\""));
  }
  out.loopback = IsLoopbackHost(out.host);
  return out;
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// OpenSSL's error queue, emptied, as one line (never contains key material).
std::string OpenSslError() {
  std::vector<std::string> parts;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    parts.emplace_back(buffer);
  }
  return parts.empty() ? "" : absl::StrCat(" (", absl::StrJoin(parts, "; "), ")");
}

// Never prompts for a passphrase: encrypted keys are refused.
int NoPassphrase(char*, int, int, void*) { return 0; }

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyDeleter>;

BioPtr MemoryBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Checks the three TLS files; appends one line per problem to `errors`.
void CheckTlsFiles(const SluicedConfig::Tls& tls, std::vector<std::string>* errors) {
  ERR_clear_error();
  absl::StatusOr<std::string> cert_pem = ReadFile(tls.cert_file);
  absl::StatusOr<std::string> key_pem = ReadFile(tls.key_file);
  absl::StatusOr<std::string> ca_pem = ReadFile(tls.client_ca_file);
  X509Ptr cert;
  KeyPtr key;
  if (!cert_pem.ok()) {
    errors->push_back(absl::StrCat("tls.cert_file: ", cert_pem.status().message()));
  } else {
    BioPtr bio = MemoryBio(*cert_pem);
    cert.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (cert == nullptr) {
      errors->push_back(absl::StrCat("tls.cert_file: ", tls.cert_file, " holds no PEM certificate",
                                     OpenSslError()));
    }
  }
  if (!key_pem.ok()) {
    errors->push_back(absl::StrCat("tls.key_file: ", key_pem.status().message()));
  } else {
    BioPtr bio = MemoryBio(*key_pem);
    key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, &NoPassphrase, nullptr));
    if (key == nullptr) {
      ERR_clear_error();
      errors->push_back(
          absl::StrCat("tls.key_file: ", tls.key_file, " holds no unencrypted PEM private key"));
    }
  }
  if (cert != nullptr && key != nullptr && X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    errors->push_back(absl::StrCat("tls.key_file: ", tls.key_file,
                                   " does not match the certificate in tls.cert_file"));
  }
  if (!ca_pem.ok()) {
    errors->push_back(absl::StrCat("tls.client_ca_file: ", ca_pem.status().message()));
  } else {
    BioPtr bio = MemoryBio(*ca_pem);
    X509Ptr ca(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (ca == nullptr) {
      errors->push_back(absl::StrCat("tls.client_ca_file: ", tls.client_ca_file,
                                     " holds no PEM certificate", OpenSslError()));
    }
  }
  ERR_clear_error();
}

// Formatted like ConfigReader::ToStatus.
absl::Status Errors(const std::vector<std::string>& errors) {
  if (errors.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("config: ", errors.size(),
                                                 errors.size() == 1 ? " error" : " errors", "\n  ",
                                                 absl::StrJoin(errors, "\n  ")));
}

}  // namespace

absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view address) {
  if (absl::StartsWith(address, "unix-abstract:")) {
    return absl::InvalidArgumentError(
        "abstract Unix sockets have no file permissions (anyone in the network namespace "
        "could connect): use unix:///absolute/path");
  }
  if (absl::StartsWith(address, kUnixScheme)) {
    ListenAddress out;
    out.kind = ListenAddress::Kind::kUnixSocket;
    out.socket_path = std::string(address.substr(kUnixScheme.size()));
    if (!absl::StartsWith(out.socket_path, "/")) {
      return absl::InvalidArgumentError("must be unix:///absolute/path");
    }
    return out;
  }
  if (absl::StartsWith(address, "unix:")) {
    return absl::InvalidArgumentError("must be unix:///absolute/path");
  }
  return ParseTcp(address);
}

absl::Status CheckListenSecurity(const SluicedConfig& config) {
  std::vector<std::string> errors;
  absl::StatusOr<ListenAddress> address = ParseListenAddress(config.listen);
  if (!address.ok()) {
    errors.push_back(absl::StrCat("listen: ", address.status().message()));
  }
  const SluicedConfig::Tls& tls = config.tls;
  if (tls.configured()) {
    for (auto [key, value] :
         {std::pair{"cert_file", &tls.cert_file}, std::pair{"key_file", &tls.key_file},
          std::pair{"client_ca_file", &tls.client_ca_file}}) {
      if (value->empty()) {
        errors.push_back(absl::StrCat(
            "tls.", key, ": required (mutual TLS needs cert_file, key_file and client_ca_file)"));
      }
    }
    if (config.insecure_tcp_without_tls) {
      errors.push_back(
          "insecure_tcp_without_tls: contradicts tls; remove one of them "
          "(--insecure-tcp-without-tls sets it)");
    }
  }
  if (address.ok() && address->kind == ListenAddress::Kind::kTcp && !tls.configured() &&
      !address->loopback && !config.insecure_tcp_without_tls) {
    errors.push_back(absl::StrCat(
        "listen: ", config.listen,
        " is a TCP address other pods can reach, and whoever connects can create pods: "
        "configure tls (cert_file, key_file, client_ca_file) for mutual TLS, listen on a "
        "unix:// socket or on loopback, or set insecure_tcp_without_tls "
        "(--insecure-tcp-without-tls) to serve it without authentication"));
  }
  return Errors(errors);
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const SluicedConfig& config) {
  absl::StatusOr<ListenAddress> address = ParseListenAddress(config.listen);
  if (!address.ok()) return address.status();
  const bool unix_socket = address->kind == ListenAddress::Kind::kUnixSocket;
  if (unix_socket && config.tls.configured()) {
    SLUICE_LOG(kWarn, "tls is ignored: the gRPC API listens on a Unix socket",
               {"listen", config.listen});
  }
  if (!unix_socket && !config.listen_socket_group.empty()) {
    SLUICE_LOG(kWarn, "listen_socket_group is ignored: the gRPC API listens on TCP",
               {"listen", config.listen});
  }
  if (unix_socket || !config.tls.configured()) {
    if (!unix_socket && !address->loopback) {
      SLUICE_LOG(kWarn,
                 "serving gRPC on TCP without TLS (insecure_tcp_without_tls): whoever reaches "
                 "this address can create pods",
                 {"listen", config.listen});
    }
    return grpc::InsecureServerCredentials();
  }
  std::vector<std::string> errors;
  CheckTlsFiles(config.tls, &errors);
  if (!errors.empty()) return Errors(errors);
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      config.tls.key_file, config.tls.cert_file, config.tls.client_ca_file, kTlsRefreshSeconds);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  std::shared_ptr<grpc::ServerCredentials> credentials =
      grpc::experimental::TlsServerCredentials(options);
  if (credentials == nullptr) return absl::InternalError("gRPC refused the TLS options");
  return credentials;
}

absl::Status SecureSocketFile(const std::string& path, const std::string& group) {
  if (group.empty()) {
    if (::chmod(path.c_str(), 0600) != 0) {
      return absl::PermissionDeniedError(absl::StrCat("chmod 0600 ", path, ": ", strerror(errno)));
    }
    return absl::OkStatus();
  }
  gid_t gid = 0;
  uint32_t numeric = 0;
  if (absl::SimpleAtoi(group, &numeric)) {
    gid = static_cast<gid_t>(numeric);
  } else {
    std::vector<char> buffer(16384);
    struct group entry {};
    struct group* found = nullptr;
    const int rc = getgrnam_r(group.c_str(), &entry, buffer.data(), buffer.size(), &found);
    if (rc != 0 || found == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("listen_socket_group: no group named \"", group, "\" (use a gid)"));
    }
    gid = found->gr_gid;
  }
  if (::chown(path.c_str(), static_cast<uid_t>(-1), gid) != 0) {
    return absl::PermissionDeniedError(absl::StrCat("listen_socket_group: cannot give ", path,
                                                    " to group ", group, ": ", strerror(errno),
                                                    " (sluiced must be a member of the group)"));
  }
  if (::chmod(path.c_str(), 0660) != 0) {
    return absl::PermissionDeniedError(absl::StrCat("chmod 0660 ", path, ": ", strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace sluice
