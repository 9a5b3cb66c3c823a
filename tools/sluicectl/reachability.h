#ifndef SLUICE_TOOLS_SLUICECTL_REACHABILITY_H_
#define SLUICE_TOOLS_SLUICECTL_REACHABILITY_H_

#include <string>

#include "absl/time/time.h"
#include "tools/sluicectl/address.h"

namespace sluice::ctl {

// What one plain connect(2) to a daemon address found, for telling a person
// why a gRPC call could not reach sluiced.
struct Reachability {
  // True if something accepted the connection (the trouble is then above
  // the transport: not sluiced, TLS, a proxy).
  bool connects = false;
  // When !connects: why, as a clause, e.g. "the socket file /x.sock does not
  // exist" or "connection refused: nothing listens on 127.0.0.1:7070".
  std::string problem;
  // When !connects: whether the address itself is likely wrong (nothing
  // there, nothing listening), rather than, say, a permission.
  bool address_suspect = false;
};

// Probes `address`: for a Unix socket, whether the file exists, is a socket
// and accepts a connection; for TCP, name resolution and a connect bounded
// by `timeout`. Blocks the calling thread up to `timeout` per address tried.
Reachability Probe(const DaemonAddress& address, absl::Duration timeout);

}  // namespace sluice::ctl

#endif  // SLUICE_TOOLS_SLUICECTL_REACHABILITY_H_
