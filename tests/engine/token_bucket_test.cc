#include "scheduler/engine/token_bucket.h"

#include "gtest/gtest.h"

namespace sluice {
namespace {

MonoTime At(int64_t nanos) { return MonoTime::FromNanos(nanos); }

TEST(TokenBucketTest, StartsFull) {
  TokenBucket bucket(10, 3, At(0));
  EXPECT_EQ(bucket.Available(At(0)), 3u);
  EXPECT_TRUE(bucket.TryConsume(At(0)));
  EXPECT_TRUE(bucket.TryConsume(At(0)));
  EXPECT_TRUE(bucket.TryConsume(At(0)));
  EXPECT_FALSE(bucket.TryConsume(At(0)));
}

TEST(TokenBucketTest, RefillBoundaryIsExact) {
  TokenBucket bucket(10, 1, At(0));  // one token every 100 ms
  ASSERT_TRUE(bucket.TryConsume(At(0)));
  EXPECT_FALSE(bucket.TryConsume(At(99'999'999)));
  EXPECT_EQ(bucket.NextAvailable(At(50'000'000)), At(100'000'000));
  EXPECT_TRUE(bucket.TryConsume(At(100'000'000)));
  EXPECT_FALSE(bucket.TryConsume(At(100'000'000)));
  EXPECT_FALSE(bucket.TryConsume(At(199'999'999)));
  EXPECT_TRUE(bucket.TryConsume(At(200'000'000)));
}

TEST(TokenBucketTest, BurstRefillsOneIntervalPerToken) {
  TokenBucket bucket(1000, 5, At(0));  // 1 ms per token
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(bucket.TryConsume(At(0)));
  EXPECT_EQ(bucket.Available(At(0)), 0u);
  EXPECT_EQ(bucket.Available(At(999'999)), 0u);
  EXPECT_EQ(bucket.Available(At(1'000'000)), 1u);
  EXPECT_EQ(bucket.Available(At(4'999'999)), 4u);
  EXPECT_EQ(bucket.Available(At(5'000'000)), 5u);
  // Never more than the burst, however long it waits.
  EXPECT_EQ(bucket.Available(At(1'000'000'000)), 5u);
}

TEST(TokenBucketTest, IdleTimeDoesNotBankBeyondBurst) {
  TokenBucket bucket(10, 2, At(0));
  // A long idle period, then a burst of 2 and the steady rate.
  EXPECT_TRUE(bucket.TryConsume(At(10'000'000'000)));
  EXPECT_TRUE(bucket.TryConsume(At(10'000'000'000)));
  EXPECT_FALSE(bucket.TryConsume(At(10'000'000'000)));
  EXPECT_EQ(bucket.NextAvailable(At(10'000'000'000)), At(10'100'000'000));
}

TEST(TokenBucketTest, SustainedRateIsExact) {
  TokenBucket bucket(200, 1, At(0));  // 5 ms
  int granted = 0;
  for (int64_t t = 0; t < 1'000'000'000; t += 1'000'000) {  // poll every 1 ms for 1 s
    if (bucket.TryConsume(At(t))) ++granted;
  }
  EXPECT_EQ(granted, 200);
}

TEST(TokenBucketTest, ZeroRateIsUnlimited) {
  TokenBucket bucket(0, 1, At(0));
  EXPECT_TRUE(bucket.unlimited());
  for (int i = 0; i < 10'000; ++i) ASSERT_TRUE(bucket.TryConsume(At(0)));
  EXPECT_EQ(bucket.NextAvailable(At(7)), At(7));
}

TEST(TokenBucketTest, FractionalTokens) {
  TokenBucket bucket(10, 2, At(0));
  ASSERT_TRUE(bucket.TryConsume(At(0)));
  ASSERT_TRUE(bucket.TryConsume(At(0)));
  EXPECT_DOUBLE_EQ(bucket.AvailableFractional(At(50'000'000)), 0.5);
  EXPECT_DOUBLE_EQ(bucket.AvailableFractional(At(150'000'000)), 1.5);
}

TEST(TokenBucketTest, ReconfigureKeepsFractionFull) {
  TokenBucket bucket(10, 4, At(0));
  ASSERT_TRUE(bucket.TryConsume(At(0)));
  ASSERT_TRUE(bucket.TryConsume(At(0)));  // half full
  bucket.Reconfigure(100, 8, At(0));      // still half full: 4 of 8
  EXPECT_EQ(bucket.Available(At(0)), 4u);
  EXPECT_EQ(bucket.Available(At(9'999'999)), 4u);
  EXPECT_EQ(bucket.Available(At(10'000'000)), 5u);
}

}  // namespace
}  // namespace sluice
