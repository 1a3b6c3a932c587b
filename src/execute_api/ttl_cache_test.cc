#include "execute_api/ttl_cache.h"

#include <gtest/gtest.h>

namespace nimbus::execute_api {
namespace {

TEST(TtlCache, EntriesExpireAfterTheirTtl) {
  base::FakeClock clock;
  TtlCache<int> cache(clock);
  cache.put("a", 1, 1000);
  cache.put("b", 2, 5000);
  EXPECT_EQ(cache.get("a"), 1);
  clock.advance_ms(999);
  EXPECT_EQ(cache.get("a"), 1);
  clock.advance_ms(1);
  EXPECT_EQ(cache.get("a"), std::nullopt);
  EXPECT_EQ(cache.get("b"), 2);
  clock.advance_ms(4000);
  EXPECT_EQ(cache.get("b"), std::nullopt);
}

TEST(TtlCache, ZeroTtlIsNotCached) {
  base::FakeClock clock;
  TtlCache<int> cache(clock);
  cache.put("a", 1, 0);
  EXPECT_EQ(cache.get("a"), std::nullopt);
}

TEST(TtlCache, APutReplacesAndEraseForgets) {
  base::FakeClock clock;
  TtlCache<std::string> cache(clock);
  cache.put("k", "one", 1000);
  cache.put("k", "two", 1000);
  EXPECT_EQ(cache.get("k"), "two");
  cache.erase("k");
  EXPECT_EQ(cache.get("k"), std::nullopt);
}

TEST(TtlCache, AFullCacheDropsTheExpiredThenTheSoonestToExpire) {
  base::FakeClock clock;
  TtlCache<int> cache(clock, 2);
  cache.put("short", 1, 100);
  cache.put("long", 2, 10000);
  cache.put("third", 3, 5000);  // full: "short" goes (closest to expiring)
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.get("short"), std::nullopt);
  EXPECT_EQ(cache.get("long"), 2);
  clock.advance_ms(6000);  // "third" has expired: it makes room first
  cache.put("fourth", 4, 1000);
  EXPECT_EQ(cache.get("long"), 2);
  EXPECT_EQ(cache.get("fourth"), 4);
}

}  // namespace
}  // namespace nimbus::execute_api
