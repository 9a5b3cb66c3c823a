#include "tools/sluicectl/exit_code.h"

#include "gtest/gtest.h"

namespace sluice::ctl {
namespace {

TEST(ExitCodeForTest, EachKindOfOutcome) {
  EXPECT_EQ(ExitCodeFor(absl::OkStatus()), 0);
  EXPECT_EQ(ExitCodeFor(absl::FailedPreconditionError("1 of 3 rejected")), 1);
  EXPECT_EQ(ExitCodeFor(absl::AbortedError("sluiced refused")), 1);
  EXPECT_EQ(ExitCodeFor(absl::OutOfRangeError("events gone")), 1);
  EXPECT_EQ(ExitCodeFor(absl::InvalidArgumentError("bad flag")), 2);
  EXPECT_EQ(ExitCodeFor(absl::NotFoundError("no file")), 2);
  EXPECT_EQ(ExitCodeFor(absl::UnavailableError("no daemon")), 3);
  EXPECT_EQ(ExitCodeFor(absl::DeadlineExceededError("no answer")), 3);
}

}  // namespace
}  // namespace sluice::ctl
