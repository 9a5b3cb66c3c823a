#include "tools/sluicectl/reachability.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/sluicectl/temp_dir.h"

namespace sluice::ctl {
namespace {

using ::sluice::ctl::testing::TempDir;
using ::testing::HasSubstr;

constexpr absl::Duration kTimeout = absl::Seconds(5);

DaemonAddress Unix(const std::string& path) {
  DaemonAddress a;
  a.target = "unix://" + path;
  a.socket_path = path;
  return a;
}

// A Unix socket bound at `path`; listening if `listen` (else connects are refused).
int BindUnix(const std::string& path, bool listen) {
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) return -1;
  if (listen) ::listen(fd, 1);
  return fd;
}

TEST(ProbeTest, UnixSocketStates) {
  TempDir dir;
  const std::string path = dir.path() + "/s.sock";
  Reachability r = Probe(Unix(path), kTimeout);
  EXPECT_FALSE(r.connects);
  EXPECT_EQ(r.problem, absl::StrCat("the socket file ", path, " does not exist"));
  EXPECT_TRUE(r.address_suspect);

  const std::string plain = dir.Write("plain", "x");
  r = Probe(Unix(plain), kTimeout);
  EXPECT_EQ(r.problem, absl::StrCat(plain, " exists but is not a socket"));

  const int refusing = BindUnix(path, /*listen=*/false);
  ASSERT_GE(refusing, 0);
  r = Probe(Unix(path), kTimeout);
  EXPECT_FALSE(r.connects);
  EXPECT_THAT(r.problem, HasSubstr("(connection refused)"));
  close(refusing);
  unlink(path.c_str());

  const int listening = BindUnix(path, /*listen=*/true);
  ASSERT_GE(listening, 0);
  r = Probe(Unix(path), kTimeout);
  EXPECT_TRUE(r.connects) << r.problem;
  close(listening);
}

TEST(ProbeTest, TcpRefusedAndAccepted) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  DaemonAddress a;
  a.host = "127.0.0.1";
  a.port = ntohs(addr.sin_port);
  Reachability r = Probe(a, kTimeout);
  EXPECT_FALSE(r.connects);
  EXPECT_EQ(r.problem, absl::StrCat("connection refused: nothing listens on 127.0.0.1:", a.port));
  listen(fd, 1);
  r = Probe(a, kTimeout);
  EXPECT_TRUE(r.connects) << r.problem;
  close(fd);
}

TEST(ProbeTest, UnresolvableHost) {
  DaemonAddress a;
  a.host = "no-such-host.invalid";
  a.port = 7070;
  const Reachability r = Probe(a, kTimeout);
  EXPECT_FALSE(r.connects);
  EXPECT_THAT(r.problem, HasSubstr("cannot resolve no-such-host.invalid"));
}

}  // namespace
}  // namespace sluice::ctl
