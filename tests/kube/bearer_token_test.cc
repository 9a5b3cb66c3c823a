#include "scheduler/kube/bearer_token.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scheduler/common/clock.h"
#include "tests/kube/temp_dir.h"

namespace sluice::kube {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempDir;

TEST(BearerTokenTest, StaticTokenIsTrimmedAndNeverRefreshed) {
  SimulatedClock clock;
  BearerTokenSource source(clock, " static-token\n", "");
  EXPECT_FALSE(source.from_file());
  EXPECT_EQ(source.Token().value(), "static-token");
  EXPECT_FALSE(source.RefreshAfterUnauthorized("static-token"));
  EXPECT_EQ(source.reads(), 0);
}

TEST(BearerTokenTest, NoTokenMeansNoHeader) {
  SimulatedClock clock;
  BearerTokenSource source(clock, "", "");
  EXPECT_EQ(source.Token().value(), "");
}

TEST(BearerTokenTest, FileIsReReadEveryMinuteExactly) {
  SimulatedClock clock;
  TempDir dir;
  const std::string file = dir.Write("token", "one\n");
  BearerTokenSource source(clock, "", file, absl::Minutes(1));
  EXPECT_EQ(source.Token().value(), "one");
  EXPECT_EQ(source.reads(), 1);
  dir.Write("token", "two");
  clock.Advance(absl::Seconds(59) + absl::Milliseconds(999));
  EXPECT_EQ(source.Token().value(), "one");  // 59.999 s: cached
  EXPECT_EQ(source.reads(), 1);
  clock.Advance(absl::Milliseconds(1));
  EXPECT_EQ(source.Token().value(), "two");  // 60 s: re-read
  EXPECT_EQ(source.reads(), 2);
}

TEST(BearerTokenTest, FileWinsOverTheStaticToken) {
  SimulatedClock clock;
  TempDir dir;
  BearerTokenSource source(clock, "inline", dir.Write("token", "from-file"));
  EXPECT_EQ(source.Token().value(), "from-file");
}

TEST(BearerTokenTest, RefreshAfterUnauthorizedReadsTheFileAtOnce) {
  SimulatedClock clock;
  TempDir dir;
  const std::string file = dir.Write("token", "old");
  BearerTokenSource source(clock, "", file);
  EXPECT_EQ(source.Token().value(), "old");
  // Unchanged file: a retry would not help.
  EXPECT_FALSE(source.RefreshAfterUnauthorized("old"));
  EXPECT_EQ(source.reads(), 2);
  dir.Write("token", "new");
  EXPECT_TRUE(source.RefreshAfterUnauthorized("old"));
  EXPECT_EQ(source.Token().value(), "new");
  // Another request that failed with "old" finds the new token already there.
  EXPECT_TRUE(source.RefreshAfterUnauthorized("old"));
  EXPECT_EQ(source.reads(), 3);
}

TEST(BearerTokenTest, KeepsTheLastGoodTokenWhenTheFileGoesAway) {
  SimulatedClock clock;
  TempDir dir;
  const std::string file = dir.Write("token", "good");
  BearerTokenSource source(clock, "", file);
  EXPECT_EQ(source.Token().value(), "good");
  dir.Write("token", "  \n");  // empty: a rotation in progress
  clock.Advance(absl::Minutes(1));
  EXPECT_EQ(source.Token().value(), "good");
  EXPECT_FALSE(source.RefreshAfterUnauthorized("good"));
}

TEST(BearerTokenTest, MissingFileIsAnErrorUntilOneRead) {
  SimulatedClock clock;
  TempDir dir;
  const std::string file = dir.path() + "/token";
  BearerTokenSource source(clock, "", file);
  absl::StatusOr<std::string> token = source.Token();
  EXPECT_EQ(token.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(token.status().message(), HasSubstr(file));
  // Not retried before the re-read period, so a missing file is not hammered.
  dir.Write("token", "late");
  EXPECT_FALSE(source.Token().ok());
  clock.Advance(absl::Minutes(1));
  EXPECT_EQ(source.Token().value(), "late");
}

TEST(BearerTokenTest, EmptyFileErrorDoesNotLeakContents) {
  SimulatedClock clock;
  TempDir dir;
  BearerTokenSource source(clock, "secret-static", dir.Write("token", "\n"));
  // A static token given with a file counts as the first value.
  EXPECT_EQ(source.Token().value(), "secret-static");
  BearerTokenSource only_file(clock, "", dir.Write("token2", " "));
  absl::StatusOr<std::string> token = only_file.Token();
  EXPECT_EQ(token.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(token.status().message(), HasSubstr("is empty"));
  EXPECT_THAT(token.status().message(), Not(HasSubstr("secret")));
}

}  // namespace
}  // namespace sluice::kube
