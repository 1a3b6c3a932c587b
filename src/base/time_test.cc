#include "base/time.h"

#include <gtest/gtest.h>

namespace nimbus::base {

TEST(Time, Formats) {
  int64_t ms = 1445412480123;  // 2015-10-21T07:28:00.123Z
  EXPECT_EQ(http_date(ms), "Wed, 21 Oct 2015 07:28:00 GMT");
  EXPECT_EQ(iso8601(ms), "2015-10-21T07:28:00.123Z");
  EXPECT_EQ(amz_date(ms), "20151021T072800Z");
}

TEST(Time, Parse) {
  EXPECT_EQ(*parse_amz_date("20151021T072800Z"), 1445412480000);
  EXPECT_FALSE(parse_amz_date("2015-10-21"));
  EXPECT_EQ(*parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT"), 1445412480000);
  EXPECT_EQ(*parse_http_date("2015-10-21T07:28:00.000Z"), 1445412480000);
  EXPECT_FALSE(parse_http_date("yesterday"));
}

}  // namespace nimbus::base
