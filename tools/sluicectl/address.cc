#include "tools/sluicectl/address.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace sluice::ctl {
namespace {

absl::Status Invalid(absl::string_view target, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("address '", target, "': ", why,
                   " (expected unix:///path/to/sluice.sock, unix:relative/path, HOST:PORT or "
                   "dns:///HOST:PORT)"));
}

}  // namespace

std::string ChooseAddress(const std::string& flag, const char* env) {
  if (!flag.empty()) return flag;
  if (env != nullptr && env[0] != '\0') return env;
  return std::string(kDefaultAddress);
}

absl::StatusOr<DaemonAddress> ParseAddress(absl::string_view target) {
  DaemonAddress address;
  address.target = std::string(target);
  if (target.empty()) return Invalid(target, "empty");

  absl::string_view rest = target;
  if (absl::ConsumePrefix(&rest, "unix://") || absl::ConsumePrefix(&rest, "unix:")) {
    if (rest.empty()) return Invalid(target, "no socket path");
    address.socket_path = std::string(rest);
    return address;
  }
  if (absl::StartsWith(rest, "unix-abstract:")) {
    return Invalid(target, "abstract Unix sockets are not supported");
  }
  if (!absl::ConsumePrefix(&rest, "dns:///") && !absl::ConsumePrefix(&rest, "ipv4:")) {
    absl::ConsumePrefix(&rest, "ipv6:");
  }

  const size_t colon = rest.rfind(':');
  if (colon == absl::string_view::npos) return Invalid(target, "no port");
  absl::string_view host = rest.substr(0, colon);
  const absl::string_view port = rest.substr(colon + 1);
  const bool bracketed = absl::ConsumePrefix(&host, "[");
  if (bracketed && !absl::ConsumeSuffix(&host, "]")) {
    return Invalid(target, "unbalanced '[' around an IPv6 host");
  }
  if (host.empty()) return Invalid(target, "no host");
  if (!bracketed && host.find(':') != absl::string_view::npos) {
    return Invalid(target, "an IPv6 host must be in brackets, e.g. [::1]:7070");
  }
  int port_number = 0;
  if (!absl::SimpleAtoi(port, &port_number) || port_number < 1 || port_number > 65535) {
    return Invalid(target, absl::StrCat("port '", port, "' is not a number in 1..65535"));
  }
  address.host = std::string(host);
  address.port = port_number;
  return address;
}

}  // namespace sluice::ctl
