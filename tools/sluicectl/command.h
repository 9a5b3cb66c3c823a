#ifndef SLUICE_TOOLS_SLUICECTL_COMMAND_H_
#define SLUICE_TOOLS_SLUICECTL_COMMAND_H_

#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/sluicectl/client_tls.h"
#include "tools/sluicectl/connection.h"
#include "tools/sluicectl/json_output.h"

namespace sluice::ctl {

// What every command runs with: the global flags, and the connection to
// sluiced, made on first use (so that `submit --dry-run` needs no daemon).
class CommandContext {
 public:
  CommandContext(std::string address, absl::Duration call_timeout, OutputFormat format,
                 ClientTls tls = {})
      : address_(std::move(address)),
        call_timeout_(call_timeout),
        format_(format),
        tls_(std::move(tls)) {}

  OutputFormat format() const { return format_; }
  bool json() const { return format_ == OutputFormat::kJson; }

  // InvalidArgument if the address cannot be parsed or the TLS files cannot
  // be read. TLS applies to TCP addresses; a Unix socket is plaintext.
  absl::StatusOr<Connection*> Connect();

 private:
  const std::string address_;
  const absl::Duration call_timeout_;
  const OutputFormat format_;
  const ClientTls tls_;
  std::unique_ptr<Connection> connection_;
};

// One subcommand. A command registers itself and its flags on the root
// CLI11 app when made (its flags are bound to its own members) and runs if
// the command line selected it. Results go to stdout; errors are returned
// (main prints them and picks the exit status, see exit_code.h) and
// warnings go to stderr.
class Command {
 public:
  virtual ~Command() = default;
  bool selected() const { return app_->parsed(); }
  virtual absl::Status Run(CommandContext& context) = 0;

 protected:
  explicit Command(CLI::App* app) : app_(app) {}
  CLI::App* const app_;
};

}  // namespace sluice::ctl

#endif  // SLUICE_TOOLS_SLUICECTL_COMMAND_H_
