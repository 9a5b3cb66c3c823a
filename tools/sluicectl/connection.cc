#include "tools/sluicectl/connection.h"

#include <chrono>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tools/sluicectl/reachability.h"

namespace sluice::ctl {
namespace {

// How long the diagnosis may wait for a TCP connect after a failed call.
constexpr absl::Duration kProbeTimeout = absl::Seconds(2);

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

constexpr absl::string_view kAddressHint =
    "Is sluiced running? If it listens elsewhere, say where with --address or "
    "$SLUICE_ADDRESS (unix:///path/to/sluice.sock or HOST:PORT).";

}  // namespace

Connection::Connection(DaemonAddress address, absl::Duration call_timeout,
                       std::shared_ptr<grpc::ChannelCredentials> credentials,
                       std::string tls_server_name)
    : address_(std::move(address)), call_timeout_(call_timeout), tls_(credentials != nullptr) {
  grpc::ChannelArguments arguments;
  if (tls_ && !tls_server_name.empty()) {
    arguments.SetSslTargetNameOverride(tls_server_name);
  }
  channel_ = grpc::CreateCustomChannel(
      address_.target, tls_ ? credentials : grpc::InsecureChannelCredentials(), arguments);
  stub_ = v1::Scheduler::NewStub(channel_);
}

void Connection::SetDeadline(grpc::ClientContext& context) const {
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(call_timeout_));
}

absl::Status Connection::WaitUntilReady(absl::string_view rpc) const {
  const auto deadline =
      std::chrono::system_clock::now() + absl::ToChronoMilliseconds(call_timeout_);
  grpc_connectivity_state state = channel_->GetState(/*try_to_connect=*/true);
  while (state != GRPC_CHANNEL_READY) {
    if (state == GRPC_CHANNEL_TRANSIENT_FAILURE || state == GRPC_CHANNEL_SHUTDOWN) {
      return Unreachable(grpc::Status(grpc::StatusCode::UNAVAILABLE, "cannot connect"), rpc);
    }
    if (!channel_->WaitForStateChange(state, deadline)) {
      return Explain(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "no connection"), rpc);
    }
    state = channel_->GetState(/*try_to_connect=*/true);
  }
  return absl::OkStatus();
}

absl::Status Connection::Explain(const grpc::Status& status, absl::string_view rpc) const {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      return Unreachable(status, rpc);
    case grpc::StatusCode::DEADLINE_EXCEEDED: {
      const Reachability probe = Probe(address_, kProbeTimeout);
      if (!probe.connects) return Unreachable(status, rpc);
      return absl::DeadlineExceededError(
          absl::StrCat("sluiced at ", address_.target, " did not answer ", rpc, " within ",
                       absl::FormatDuration(call_timeout_), " (--timeout)"));
    }
    case grpc::StatusCode::UNIMPLEMENTED:
      return absl::AbortedError(absl::StrCat(address_.target,
                                             " does not serve sluice.v1.Scheduler/", rpc,
                                             ": is it sluiced, and a version that has ", rpc, "?"));
    default:
      return absl::AbortedError(absl::StrCat("sluiced refused ", rpc, ": ",
                                             CodeName(status.error_code()), ": ",
                                             status.error_message()));
  }
}

absl::Status Connection::Unreachable(const grpc::Status& status, absl::string_view rpc) const {
  const Reachability probe = Probe(address_, kProbeTimeout);
  if (probe.connects) {
    return absl::UnavailableError(absl::StrCat(
        "sluiced at ", address_.target, " did not answer ", rpc, " (gRPC: ", status.error_message(),
        "). Something accepts connections there: ",
        tls_ ? "is it sluiced, does its certificate chain to --tls-ca and name this host "
               "(else --tls-server-name), and does it accept the certificate of --tls-cert?"
             : "is it sluiced, and does it expect TLS? A sluiced on TCP wants mutual TLS: "
               "give --tls-ca, --tls-cert and --tls-key (or $SLUICE_TLS_CA, $SLUICE_TLS_CERT, "
               "$SLUICE_TLS_KEY)."));
  }
  return absl::UnavailableError(absl::StrCat("cannot reach sluiced at ", address_.target, ": ",
                                             probe.problem, ".", probe.address_suspect ? "\n" : "",
                                             probe.address_suspect ? kAddressHint : ""));
}

}  // namespace sluice::ctl
