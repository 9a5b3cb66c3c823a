#include "tools/kubesim/time_format.h"

#include "gtest/gtest.h"

namespace sluice::kubesim {
namespace {

TEST(TimeFormatTest, Rfc3339MatchesAbsl) {
  for (int64_t s : {int64_t{0}, int64_t{951782400} /* 2000-02-29 */, int64_t{1'700'000'000},
                    int64_t{4102444799}, int64_t{1709251199}}) {
    const absl::Time t = absl::FromUnixSeconds(s) + absl::Milliseconds(999);
    EXPECT_EQ(FormatRfc3339(t), absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()));
  }
  EXPECT_EQ(FormatRfc3339(absl::FromUnixSeconds(1'700'000'000)), "2023-11-14T22:13:20Z");
}

TEST(TimeFormatTest, Rfc3339NanosTrimsZeros) {
  const absl::Time t = absl::FromUnixSeconds(1'700'000'000);
  EXPECT_EQ(FormatRfc3339Nanos(t), "2023-11-14T22:13:20Z");
  EXPECT_EQ(FormatRfc3339Nanos(t + absl::Milliseconds(50)), "2023-11-14T22:13:20.05Z");
  EXPECT_EQ(FormatRfc3339Nanos(t + absl::Nanoseconds(1)), "2023-11-14T22:13:20.000000001Z");
}

TEST(TimeFormatTest, HumanDurationLikeKubectl) {
  EXPECT_EQ(HumanDuration(absl::Seconds(45)), "45s");
  EXPECT_EQ(HumanDuration(absl::Seconds(119)), "119s");
  EXPECT_EQ(HumanDuration(absl::Seconds(192)), "3m12s");
  EXPECT_EQ(HumanDuration(absl::Minutes(5)), "5m");
  EXPECT_EQ(HumanDuration(absl::Minutes(30)), "30m");
  EXPECT_EQ(HumanDuration(absl::Hours(5) + absl::Minutes(7)), "5h7m");
  EXPECT_EQ(HumanDuration(absl::Hours(30)), "30h");
  EXPECT_EQ(HumanDuration(absl::Hours(51)), "2d3h");
  EXPECT_EQ(HumanDuration(absl::Hours(24 * 20)), "20d");
  EXPECT_EQ(HumanDuration(absl::Seconds(-5)), "<invalid>");
}

}  // namespace
}  // namespace sluice::kubesim
