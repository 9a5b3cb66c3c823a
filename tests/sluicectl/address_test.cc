#include "tools/sluicectl/address.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sluice::ctl {
namespace {

using ::testing::HasSubstr;

TEST(ChooseAddressTest, FlagThenEnvironmentThenDefault) {
  EXPECT_EQ(ChooseAddress("unix:///a.sock", "unix:///b.sock"), "unix:///a.sock");
  EXPECT_EQ(ChooseAddress("", "unix:///b.sock"), "unix:///b.sock");
  EXPECT_EQ(ChooseAddress("", ""), kDefaultAddress);
  EXPECT_EQ(ChooseAddress("", nullptr), "unix:///var/run/sluice/sluice.sock");
}

TEST(ParseAddressTest, UnixSockets) {
  absl::StatusOr<DaemonAddress> a = ParseAddress("unix:///var/run/sluice/sluice.sock");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(a->is_unix());
  EXPECT_EQ(a->socket_path, "/var/run/sluice/sluice.sock");
  EXPECT_EQ(a->target, "unix:///var/run/sluice/sluice.sock");
  a = ParseAddress("unix:run/sluice.sock");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->socket_path, "run/sluice.sock");
}

TEST(ParseAddressTest, TcpForms) {
  absl::StatusOr<DaemonAddress> a = ParseAddress("127.0.0.1:7070");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_FALSE(a->is_unix());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 7070);
  a = ParseAddress("dns:///sluice.example:443");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "sluice.example");
  EXPECT_EQ(a->port, 443);
  a = ParseAddress("[::1]:7070");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "::1");
  a = ParseAddress("ipv6:[::1]:1");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->port, 1);
}

TEST(ParseAddressTest, MistakesNameTheAcceptedForms) {
  for (const char* bad : {"", "unix://", "localhost", "host:0", "host:65536", "host:http",
                          "::1:7070", "[::1:7070", ":7070", "unix-abstract:x"}) {
    absl::StatusOr<DaemonAddress> a = ParseAddress(bad);
    ASSERT_FALSE(a.ok()) << bad;
    EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(a.status().message(), HasSubstr("expected unix:///path/to/sluice.sock")) << bad;
  }
}

}  // namespace
}  // namespace sluice::ctl
