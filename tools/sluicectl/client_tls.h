#ifndef SLUICE_TOOLS_SLUICECTL_CLIENT_TLS_H_
#define SLUICE_TOOLS_SLUICECTL_CLIENT_TLS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"

namespace sluice::ctl {

// How sluicectl proves itself to a sluiced listening on TCP with mutual TLS
// (sluiced's tls.cert_file/key_file/client_ca_file). PEM file paths; all
// empty: a plaintext channel (a Unix socket, or loopback TCP).
struct ClientTls {
  std::string ca_file;    // the CA bundle sluiced's certificate chains to
  std::string cert_file;  // this client's certificate chain
  std::string key_file;   // and its key
  // The name to check sluiced's certificate against, when it is not the
  // host of the address (e.g. connecting by IP to a certificate for a name).
  std::string server_name;

  bool enabled() const {
    return !ca_file.empty() || !cert_file.empty() || !key_file.empty() || !server_name.empty();
  }
};

// Fills empty fields of `flags` from $SLUICE_TLS_CA, $SLUICE_TLS_CERT,
// $SLUICE_TLS_KEY and $SLUICE_TLS_SERVER_NAME (`getenv` stands for the
// environment).
ClientTls TlsWithEnvironment(ClientTls flags, const char* (*getenv)(const char*));

// The channel credentials for `tls`: plaintext when !tls.enabled(), else TLS
// with the files' contents. InvalidArgument naming the flag when a file
// cannot be read, or when a certificate comes without its key (or the
// reverse), or when a server name is given without any TLS file.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ClientTls& tls);

}  // namespace sluice::ctl

#endif  // SLUICE_TOOLS_SLUICECTL_CLIENT_TLS_H_
