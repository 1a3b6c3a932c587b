#include "gateway/usage.h"

#include <gtest/gtest.h>

namespace nimbus::gateway {
namespace {

TEST(UsageCounters, QuotaPerPeriodAndTheDailyLog) {
  UsageCounters u;
  Quota q{3, "DAY"};
  int64_t day = 20000;
  EXPECT_TRUE(u.admit("p", "k", q, day));
  EXPECT_TRUE(u.admit("p", "k", q, day));
  EXPECT_TRUE(u.admit("p", "k", q, day));
  EXPECT_FALSE(u.admit("p", "k", q, day)) << "the day's quota is spent";
  EXPECT_TRUE(u.admit("p", "k", q, day + 1)) << "a new day, a new quota";
  EXPECT_TRUE(u.admit("p", "other", q, day)) << "per key";
  auto log = u.daily("p", "k", q, day - 1, day + 1);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0], std::make_pair(int64_t{0}, int64_t{3}));
  EXPECT_EQ(log[1], std::make_pair(int64_t{3}, int64_t{0}));
  EXPECT_EQ(log[2], std::make_pair(int64_t{1}, int64_t{2}));
  EXPECT_EQ(u.daily("p", "k", std::nullopt, day, day)[0], std::make_pair(int64_t{3}, int64_t{0}));
}

TEST(UsageCounters, WeeksStartOnMondayAndMonthsOnTheFirst) {
  // 2024-01-01 (day 19723) was a Monday.
  EXPECT_EQ(period_of("WEEK", 19723), period_of("WEEK", 19729));
  EXPECT_NE(period_of("WEEK", 19722), period_of("WEEK", 19723));
  EXPECT_EQ(period_of("MONTH", 19723), period_of("MONTH", 19753));  // Jan 31
  EXPECT_NE(period_of("MONTH", 19753), period_of("MONTH", 19754));  // Feb 1
  UsageCounters u;
  Quota q{2, "WEEK"};
  EXPECT_TRUE(u.admit("p", "k", q, 19723));
  EXPECT_TRUE(u.admit("p", "k", q, 19725));
  EXPECT_FALSE(u.admit("p", "k", q, 19729));
  EXPECT_TRUE(u.admit("p", "k", q, 19730));
  EXPECT_EQ(u.daily("p", "k", q, 19725, 19725)[0], std::make_pair(int64_t{1}, int64_t{0}));
}

TEST(UsageCounters, SetRemainingExtendsTheCurrentPeriod) {
  UsageCounters u;
  Quota q{1, "DAY"};
  EXPECT_TRUE(u.admit("p", "k", q, 5));
  EXPECT_FALSE(u.admit("p", "k", q, 5));
  u.set_remaining("p", "k", q, 2, 5);
  EXPECT_EQ(u.daily("p", "k", q, 5, 5)[0], std::make_pair(int64_t{1}, int64_t{2}));
  EXPECT_TRUE(u.admit("p", "k", q, 5));
  EXPECT_TRUE(u.admit("p", "k", q, 5));
  EXPECT_FALSE(u.admit("p", "k", q, 5));
  u.set_remaining("p", "k", q, 0, 5);
  EXPECT_FALSE(u.admit("p", "k", q, 5));
  EXPECT_TRUE(u.admit("p", "k", q, 6)) << "the extension was for its own period only";
}

}  // namespace
}  // namespace nimbus::gateway
