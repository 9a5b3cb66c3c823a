#ifndef SLUICE_TOOLS_SLUICECTL_ADDRESS_H_
#define SLUICE_TOOLS_SLUICECTL_ADDRESS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sluice::ctl {

// Where sluiced listens unless told otherwise (its own default --listen).
inline constexpr absl::string_view kDefaultAddress = "unix:///var/run/sluice/sluice.sock";
// The environment variable that replaces the default.
inline constexpr absl::string_view kAddressEnv = "SLUICE_ADDRESS";

// The address to use: `flag` if not empty, else `env` (the value of
// $SLUICE_ADDRESS, may be null or empty), else kDefaultAddress.
std::string ChooseAddress(const std::string& flag, const char* env);

// A gRPC target split into what sluicectl needs to probe it when a call fails.
struct DaemonAddress {
  // The target exactly as given, handed to grpc::CreateChannel.
  std::string target;
  // Unix targets (`unix:///abs/path`, `unix:rel/path`): the socket file.
  std::string socket_path;
  // TCP targets (`HOST:PORT`, `[V6]:PORT`, `dns:///HOST:PORT`,
  // `ipv4:HOST:PORT`, `ipv6:[V6]:PORT`): host without brackets, and port.
  std::string host;
  int port = 0;

  bool is_unix() const { return !socket_path.empty(); }
};

// Parses a target. InvalidArgument (naming the accepted forms) if it is
// neither a Unix socket nor HOST:PORT with a port in 1..65535.
absl::StatusOr<DaemonAddress> ParseAddress(absl::string_view target);

}  // namespace sluice::ctl

#endif  // SLUICE_TOOLS_SLUICECTL_ADDRESS_H_
