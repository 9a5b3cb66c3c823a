#include "tools/loadgen/child_process.h"

#include <unistd.h>

#include "gtest/gtest.h"

namespace sluice::loadgen {
namespace {

TEST(SplitShellWordsTest, QuotesAndEscapes) {
  absl::StatusOr<std::vector<std::string>> w =
      SplitShellWords(R"(  --a 1 --b 'x y' --c "p \"q\"" d\ e '' )");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*w, (std::vector<std::string>{"--a", "1", "--b", "x y", "--c", "p \"q\"", "d e", ""}));
  EXPECT_TRUE(SplitShellWords("")->empty());
  EXPECT_FALSE(SplitShellWords("'open").ok());
  EXPECT_FALSE(SplitShellWords("\"open").ok());
}

TEST(ChildProcessTest, ReadsLinesAndStopsTheChild) {
  ChildProcess::Spec spec;
  spec.binary = "/bin/sh";
  spec.args = {"-c", "echo hello; echo \"$1\"; exec sleep 60", "sh"};
  spec.extra_args = "'two words'";
  absl::StatusOr<std::unique_ptr<ChildProcess>> child = ChildProcess::Start(spec);
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ(*(*child)->ReadLine(absl::Seconds(10)), "hello");
  EXPECT_EQ(*(*child)->ReadLine(absl::Seconds(10)), "two words");
  EXPECT_FALSE((*child)->Exited());
  EXPECT_EQ((*child)->Stop(absl::Seconds(5)), 128 + SIGTERM);
  EXPECT_TRUE((*child)->Exited());
}

TEST(ChildProcessTest, ReportsAnExitBeforeTheLine) {
  ChildProcess::Spec spec;
  spec.binary = "/bin/sh";
  spec.args = {"-c", "exit 3"};
  absl::StatusOr<std::unique_ptr<ChildProcess>> child = ChildProcess::Start(spec);
  ASSERT_TRUE(child.ok());
  EXPECT_EQ((*child)->ReadLine(absl::Seconds(10)).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ((*child)->Stop(), 3);
}

TEST(ChildProcessTest, RefusesAMissingBinary) {
  ChildProcess::Spec spec;
  spec.binary = "/nonexistent/kubesim";
  EXPECT_EQ(ChildProcess::Start(spec).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace sluice::loadgen
