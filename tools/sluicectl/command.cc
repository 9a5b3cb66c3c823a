#include "tools/sluicectl/command.h"

#include "tools/sluicectl/address.h"

namespace sluice::ctl {

absl::StatusOr<Connection*> CommandContext::Connect() {
  if (connection_ == nullptr) {
    absl::StatusOr<DaemonAddress> address = ParseAddress(address_);
    if (!address.ok()) return address.status();
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    if (!address->is_unix() && tls_.enabled()) {
      absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> made = MakeChannelCredentials(tls_);
      if (!made.ok()) return made.status();
      credentials = std::move(*made);
    }
    connection_ = std::make_unique<Connection>(std::move(*address), call_timeout_,
                                               std::move(credentials), tls_.server_name);
  }
  return connection_.get();
}

}  // namespace sluice::ctl
