#include "tools/sluicectl/command.h"

#include "tools/sluicectl/address.h"

namespace sluice::ctl {

absl::StatusOr<Connection*> CommandContext::Connect() {
  if (connection_ == nullptr) {
    absl::StatusOr<DaemonAddress> address = ParseAddress(address_);
    if (!address.ok()) return address.status();
    connection_ = std::make_unique<Connection>(std::move(*address), call_timeout_);
  }
  return connection_.get();
}

}  // namespace sluice::ctl
