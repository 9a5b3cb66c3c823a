#ifndef SLUICE_TOOLS_LOADGEN_SCHEDULER_CHANNEL_H_
#define SLUICE_TOOLS_LOADGEN_SCHEDULER_CHANNEL_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/channel.h"
#include "grpcpp/support/status.h"

namespace sluice::loadgen {

// A gRPC status as an absl::Status of the same code, its message prefixed
// with `what` (e.g. the RPC's name).
absl::Status FromGrpc(const grpc::Status& status, absl::string_view what);

// A channel to sluiced at `target` (unix:///path or HOST:PORT), plaintext,
// without message size limits. When sluiced goes away the channel tries to
// reconnect after 100 ms, backing off to at most 1 s between attempts (gRPC's
// default grows to 120 s: far too slow to follow a restarted sluiced).
std::shared_ptr<grpc::Channel> MakeSchedulerChannel(const std::string& target);

}  // namespace sluice::loadgen

#endif  // SLUICE_TOOLS_LOADGEN_SCHEDULER_CHANNEL_H_
