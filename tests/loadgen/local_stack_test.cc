#include "tools/loadgen/local_stack.h"

#include "gtest/gtest.h"

namespace sluice::loadgen {
namespace {

// The first stdout lines of tools/kubesim/main.cc and scheduler/main.cc.
TEST(LocalStackTest, ParsesTheAddressLines) {
  EXPECT_EQ(*ParseKubesimLine("kubesim listening on http://127.0.0.1:39271"),
            "http://127.0.0.1:39271");
  EXPECT_FALSE(ParseKubesimLine("hello").ok());
  auto sluiced = ParseSluicedLine("sluiced listening on 127.0.0.1:40001 metrics 9100");
  ASSERT_TRUE(sluiced.ok());
  EXPECT_EQ(sluiced->first, "127.0.0.1:40001");
  EXPECT_EQ(sluiced->second, 9100);
  EXPECT_FALSE(ParseSluicedLine("sluiced listening on 127.0.0.1:40001").ok());
}

}  // namespace
}  // namespace sluice::loadgen
