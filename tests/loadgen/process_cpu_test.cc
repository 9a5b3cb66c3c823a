#include "tools/loadgen/process_cpu.h"

#include <unistd.h>

#include "gtest/gtest.h"

namespace sluice::loadgen {
namespace {

TEST(ProcessCpuTest, ParsesUtimeAndStimeAfterTheCommand) {
  // A command with a space and a parenthesis; utime 250, stime 50 ticks.
  const std::string stat =
      "1234 (my (odd) cmd) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 1000";
  absl::StatusOr<double> cpu = ParseProcStatCpuSeconds(stat, 100);
  ASSERT_TRUE(cpu.ok()) << cpu.status();
  EXPECT_DOUBLE_EQ(*cpu, 3.0);
  EXPECT_FALSE(ParseProcStatCpuSeconds("garbage", 100).ok());
  EXPECT_FALSE(ParseProcStatCpuSeconds("1 (x) S 1 2", 100).ok());
}

TEST(ProcessCpuTest, ReadsThisProcess) {
  absl::StatusOr<double> cpu = ProcessCpuSeconds(getpid());
  ASSERT_TRUE(cpu.ok()) << cpu.status();
  EXPECT_GE(*cpu, 0);
}

}  // namespace
}  // namespace sluice::loadgen
