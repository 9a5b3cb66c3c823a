#ifndef SLUICE_SCHEDULER_SERVER_LISTEN_SECURITY_H_
#define SLUICE_SCHEDULER_SERVER_LISTEN_SECURITY_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "scheduler/server/config.h"

namespace grpc {
class ServerCredentials;
}

namespace sluice {

// Who may talk to sluiced's gRPC API. Whoever can call Submit creates pods
// with Sluice's Kubernetes credentials, so the listener is locked down:
//
//   unix:///path           the socket file is mode 0600 (sluiced's user), or
//                          0660 owned by `listen_socket_group`
//   TCP with `tls`         mutual TLS: a client must present a certificate
//                          that chains to `tls.client_ca_file`
//   TCP on loopback        127.0.0.0/8, ::1, localhost: served without TLS
//                          (only processes in the same network namespace,
//                          i.e. the same pod, can connect; tests and tools use
//                          127.0.0.1:0)
//   any other TCP address  refused without `tls` unless
//                          `insecure_tcp_without_tls` (--insecure-tcp-without-tls)
//
// These are free functions over the configuration; none keeps state.

// A listen address, classified.
struct ListenAddress {
  enum class Kind { kUnixSocket, kTcp };
  Kind kind = Kind::kTcp;
  std::string socket_path;  // kUnixSocket: an absolute path
  std::string host;         // kTcp: without brackets ("::1", "0.0.0.0", "")
  bool loopback = false;    // kTcp: 127.0.0.0/8, ::1 or localhost
};

// Parses `unix:///abs/path`, `HOST:PORT`, `[V6]:PORT`. Unix sockets in the
// abstract namespace (`unix-abstract:`) and relative paths are refused: the
// first have no permissions, the second depend on the working directory.
absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view address);

// Checks the rules above without touching any file. Every violation is
// reported, with its config path, in one InvalidArgument status.
absl::Status CheckListenSecurity(const SluicedConfig& config);

// The credentials the gRPC server listens with: insecure for a Unix socket or
// a TCP address allowed without TLS, mutual TLS otherwise. With TLS, reads and
// checks the three files (PEM, the key matches the certificate) and watches
// them for rotation. REQUIRES: CheckListenSecurity(config) is OK.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const SluicedConfig& config);

// After the socket is bound: mode 0600, or 0660 and owned by `group` (a name
// or a numeric gid) when it is not empty.
absl::Status SecureSocketFile(const std::string& path, const std::string& group);

}  // namespace sluice

#endif  // SLUICE_SCHEDULER_SERVER_LISTEN_SECURITY_H_
