// A sluiced that cannot be reached: the real binary names the address, says
// what a direct connect found, points at --address, and exits 3.
#include "tools/sluicectl/connection.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sluicectl/in_process_daemon.h"
#include "tests/sluicectl/sluicectl_process.h"

namespace sluice::ctl {
namespace {

using ::sluice::ctl::testing::RunResult;
using ::sluice::ctl::testing::RunSluicectl;
using ::sluice::ctl::testing::TempDir;
using ::testing::HasSubstr;

TEST(ConnectionTest, MissingSocketFile) {
  TempDir dir;
  const std::string address = absl::StrCat("unix://", dir.path(), "/sluice.sock");
  for (const char* command : {"status", "capacity", "watch"}) {
    const RunResult r = RunSluicectl({"--address", address, command});
    EXPECT_EQ(r.exit_code, 3) << command;
    EXPECT_EQ(r.out, "") << command;
    EXPECT_THAT(r.err,
                HasSubstr(absl::StrCat("cannot reach sluiced at ", address, ": the socket file ",
                                       dir.path(), "/sluice.sock does not exist")));
    EXPECT_THAT(r.err, HasSubstr("--address or $SLUICE_ADDRESS"));
  }
}

TEST(ConnectionTest, TheEnvironmentNamesTheAddress) {
  TempDir dir;
  const std::string address = absl::StrCat("unix://", dir.path(), "/from-env.sock");
  const RunResult r = RunSluicectl({"status"}, {"SLUICE_ADDRESS=" + address});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("cannot reach sluiced at ", address)));
}

TEST(ConnectionTest, StaleSocketIsConnectionRefused) {
  TempDir dir;
  const std::string path = dir.path() + "/sluice.sock";
  // A socket file nobody listens on, as a stopped daemon leaves behind.
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  ASSERT_EQ(bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0);
  close(fd);
  const RunResult r = RunSluicectl({"--address", "unix://" + path, "status"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err,
              HasSubstr("exists but nothing accepts connections on it (connection refused)"));
}

TEST(ConnectionTest, TcpPortWithoutListenerIsConnectionRefused) {
  // Bound but not listening: connects are refused, and no one else can take the port.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string address = absl::StrCat("127.0.0.1:", ntohs(addr.sin_port));
  const RunResult r = RunSluicectl({"--address", address, "status"});
  close(fd);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("cannot reach sluiced at ", address,
                                            ": connection refused: nothing listens on ", address)));
}

TEST(ConnectionTest, BadAddressIsAUsageError) {
  const RunResult r = RunSluicectl({"--address", "localhost", "status"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("address 'localhost': no port"));
}

using ConnectionOverTcpTest = ::sluice::ctl::testing::InProcessDaemonTest;

TEST_F(ConnectionOverTcpTest, ReachesSluicedOverTcpToo) {
  SluicedConfig config;
  config.listen = "127.0.0.1:0";
  config.metrics_listen = "";
  daemon_->Shutdown(absl::Seconds(5));
  Daemon::Options options;
  options.writer = &writer_;
  auto daemon = Daemon::Start(config, options);
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  daemon_ = std::move(*daemon);
  writer_.loop_ = &daemon_->loop();
  const RunResult r = RunSluicectl({"--address", daemon_->listen_address(), "status"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("epoch ", absl::Hex(daemon_->epoch()))));
}

}  // namespace
}  // namespace sluice::ctl
