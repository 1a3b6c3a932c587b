#include "execute_api/token_bucket.h"

#include <gtest/gtest.h>

namespace nimbus::execute_api {
namespace {

TEST(TokenBucket, ABurstThenTheSteadyRate) {
  TokenBucket b(2, 3, 0);  // 2 per second, 3 at once
  EXPECT_TRUE(b.take(0));
  EXPECT_TRUE(b.take(0));
  EXPECT_TRUE(b.take(0));
  EXPECT_FALSE(b.take(0));
  EXPECT_FALSE(b.take(499));  // 0.998 of a token
  EXPECT_TRUE(b.take(500));
  EXPECT_FALSE(b.take(500));
  EXPECT_TRUE(b.take(10'000));  // refilled to the burst, not beyond
  EXPECT_TRUE(b.take(10'000));
  EXPECT_TRUE(b.take(10'000));
  EXPECT_FALSE(b.take(10'000));
}

TEST(TokenBucket, ZeroLimitsRefuseEverything) {
  TokenBucket b(0, 0, 0);
  EXPECT_FALSE(b.take(0));
  EXPECT_FALSE(b.take(1'000'000));
}

TEST(RateLimiter, OneBucketPerKeyAndFreshOnNewLimits) {
  base::FakeClock clock;
  RateLimiter limiter(clock);
  EXPECT_TRUE(limiter.admit("api/stage/GET /a", 1, 1));
  EXPECT_FALSE(limiter.admit("api/stage/GET /a", 1, 1));
  EXPECT_TRUE(limiter.admit("api/stage/GET /b", 1, 1)) << "another route has its own bucket";
  clock.advance_ms(1000);
  EXPECT_TRUE(limiter.admit("api/stage/GET /a", 1, 1));
  EXPECT_FALSE(limiter.admit("api/stage/GET /a", 1, 1));
  EXPECT_TRUE(limiter.admit("api/stage/GET /a", 1, 5)) << "changed limits start a full bucket";
}

}  // namespace
}  // namespace nimbus::execute_api
