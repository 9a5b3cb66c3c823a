// sluicectl: the command line of sluiced's gRPC API. A thin shell: global
// flags, the commands, errors to stderr and the exit status.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "tools/sluicectl/address.h"
#include "tools/sluicectl/cancel_command.h"
#include "tools/sluicectl/capacity_command.h"
#include "tools/sluicectl/client_tls.h"
#include "tools/sluicectl/command.h"
#include "tools/sluicectl/cost_command.h"
#include "tools/sluicectl/exit_code.h"
#include "tools/sluicectl/interrupts.h"
#include "tools/sluicectl/status_command.h"
#include "tools/sluicectl/submit_command.h"
#include "tools/sluicectl/watch_command.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "dev"
#endif

namespace {

constexpr const char* kFooter =
    "Exit status: 0 done; 1 sluiced refused the call or did not take everything (intents\n"
    "rejected or over the queue cap, pods not found); 2 bad command line or input file;\n"
    "3 sluiced not reachable or not answering.";

}  // namespace

int main(int argc, char** argv) {
  using namespace sluice::ctl;  // NOLINT(google-build-using-namespace): main only
  InstallInterrupts();          // before any thread starts

  CLI::App app{"sluicectl: inspect and drive sluiced, the Sluice pod batch scheduler"};
  app.require_subcommand(1);
  app.fallthrough();
  app.footer(kFooter);
  app.set_version_flag("--version", SLUICE_VERSION);
  std::string address_flag;
  std::string output = "table";
  double timeout_seconds = 10;
  app.add_option("--address", address_flag,
                 "sluiced's gRPC address: unix:///path/to/sluice.sock or HOST:PORT (default: "
                 "$SLUICE_ADDRESS, else unix:///var/run/sluice/sluice.sock)");
  app.add_option("-o,--output", output,
                 "table (for people) or json (the API's messages); csv for `cost`")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  app.add_option("--timeout", timeout_seconds, "Seconds to wait for each answer")
      ->check(CLI::PositiveNumber);
  ClientTls tls_flags;
  app.add_option("--tls-ca", tls_flags.ca_file,
                 "TCP with TLS: the CA bundle (PEM) sluiced's certificate chains to "
                 "(default: $SLUICE_TLS_CA)");
  app.add_option("--tls-cert", tls_flags.cert_file,
                 "TCP with mutual TLS: this client's certificate (PEM; default: $SLUICE_TLS_CERT)");
  app.add_option("--tls-key", tls_flags.key_file,
                 "TCP with mutual TLS: the key of --tls-cert (PEM; default: $SLUICE_TLS_KEY)");
  app.add_option("--tls-server-name", tls_flags.server_name,
                 "The name sluiced's certificate must carry, when not the address's host "
                 "(default: $SLUICE_TLS_SERVER_NAME)");

  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(AddStatusCommand(app));
  commands.push_back(AddSubmitCommand(app));
  commands.push_back(AddCancelCommand(app));
  commands.push_back(AddWatchCommand(app));
  commands.push_back(AddCapacityCommand(app));
  commands.push_back(AddCostCommand(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  CommandContext context(ChooseAddress(address_flag, std::getenv(std::string(kAddressEnv).c_str())),
                         absl::Seconds(timeout_seconds),
                         output == "json"  ? OutputFormat::kJson
                         : output == "csv" ? OutputFormat::kCsv
                                           : OutputFormat::kTable,
                         TlsWithEnvironment(std::move(tls_flags), [](const char* name) {
                           return static_cast<const char*>(std::getenv(name));
                         }));
  for (const auto& command : commands) {
    if (!command->selected()) continue;
    const absl::Status status = command->Run(context);
    if (!status.ok()) {
      std::fflush(stdout);
      std::fprintf(stderr, "sluicectl: %s\n", std::string(status.message()).c_str());
    }
    return ExitCodeFor(status);
  }
  return kExitUsage;
}
