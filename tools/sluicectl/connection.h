#ifndef SLUICE_TOOLS_SLUICECTL_CONNECTION_H_
#define SLUICE_TOOLS_SLUICECTL_CONNECTION_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"
#include "sluice/v1/scheduler.grpc.pb.h"
#include "tools/sluicectl/address.h"

namespace sluice::ctl {

// The channel to one sluiced, and failed calls explained to a person.
// Creating it does not connect; the first call does.
//
// Thread-compatible; the stub may be used from several threads, as any gRPC
// stub.
class Connection {
 public:
  // `call_timeout` bounds every unary call (streams have no deadline).
  // `credentials` null: plaintext. `tls_server_name` (with TLS credentials)
  // replaces the address's host when checking sluiced's certificate.
  Connection(DaemonAddress address, absl::Duration call_timeout,
             std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr,
             std::string tls_server_name = "");

  v1::Scheduler::Stub& stub() { return *stub_; }
  const DaemonAddress& address() const { return address_; }

  // Connects now (streams use it before printing anything): OK once the
  // channel is ready, else the status Explain gives for an unreachable
  // daemon. Waits at most the call timeout.
  absl::Status WaitUntilReady(absl::string_view rpc) const;

  // Sets the unary call deadline on `context`.
  void SetDeadline(grpc::ClientContext& context) const;

  // Turns a failed call of `rpc` ("GetStatus") into a status whose message a
  // person can act on:
  //   Unavailable: sluiced was not reached; the message names the address,
  //     says what a direct connect(2) found (no socket file, connection
  //     refused, ...) and how to point sluicectl elsewhere.
  //   DeadlineExceeded: reached but no answer within the call timeout.
  //   Aborted: sluiced answered with an error (its code and message).
  // REQUIRES: !status.ok().
  absl::Status Explain(const grpc::Status& status, absl::string_view rpc) const;

 private:
  absl::Status Unreachable(const grpc::Status& status, absl::string_view rpc) const;

  const DaemonAddress address_;
  const absl::Duration call_timeout_;
  const bool tls_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Scheduler::Stub> stub_;
};

}  // namespace sluice::ctl

#endif  // SLUICE_TOOLS_SLUICECTL_CONNECTION_H_
