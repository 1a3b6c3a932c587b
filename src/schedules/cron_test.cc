#include "schedules/cron.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "schedules/test_times.h"

using namespace nimbus;
using schedules::Cron;
using schedules::WallMinutes;
using schedules::testing::iso;
using schedules::testing::wall;

namespace {

Cron parsed(std::string_view fields) {
  auto c = Cron::parse(fields);
  EXPECT_TRUE(c.ok()) << fields << ": " << (c.ok() ? "" : c.error().message);
  if (!c) return *Cron::parse("0 0 1 1 ? 1970");
  return *c;
}

// The first `n` wall-clock minutes at or after `from`, as "yyyy-mm-ddThh:mm".
std::vector<std::string> fires(std::string_view fields, WallMinutes from, size_t n = 3) {
  Cron c = parsed(fields);
  std::vector<std::string> out;
  std::optional<WallMinutes> t = from;
  while (out.size() < n) {
    t = c.next_at_or_after(*t);
    if (!t) {
      out.push_back("never");
      break;
    }
    out.push_back(iso(*t));
    *t += std::chrono::minutes{1};
  }
  return out;
}

std::string refusal(std::string_view fields) {
  auto c = Cron::parse(fields);
  if (c) return "accepted";
  EXPECT_EQ(c.error().code, base::ErrorCode::kInvalidArgument);
  return c.error().message;
}

using V = std::vector<std::string>;

}  // namespace

// AWS's examples (eb-scheduled-rule-pattern.html), from Friday 2027-01-01.
TEST(SchedulesCron, AwsDocumentedExamples) {
  const WallMinutes fri = wall(2027, 1, 1);
  EXPECT_EQ(fires("0 10 * * ? *", fri), (V{"2027-01-01T10:00", "2027-01-02T10:00", "2027-01-03T10:00"}));
  EXPECT_EQ(fires("15 12 * * ? *", fri), (V{"2027-01-01T12:15", "2027-01-02T12:15", "2027-01-03T12:15"}));
  EXPECT_EQ(fires("0 18 ? * MON-FRI *", fri), (V{"2027-01-01T18:00", "2027-01-04T18:00", "2027-01-05T18:00"}));
  EXPECT_EQ(fires("0 8 1 * ? *", fri), (V{"2027-01-01T08:00", "2027-02-01T08:00", "2027-03-01T08:00"}));
  EXPECT_EQ(fires("0/15 * * * ? *", wall(2027, 1, 1, 10, 1)),
            (V{"2027-01-01T10:15", "2027-01-01T10:30", "2027-01-01T10:45"}));
  EXPECT_EQ(fires("0/10 * ? * MON-FRI *", wall(2027, 1, 1, 23, 55)),
            (V{"2027-01-04T00:00", "2027-01-04T00:10", "2027-01-04T00:20"}));
  EXPECT_EQ(fires("0/5 8-17 ? * MON-FRI *", wall(2027, 1, 1, 17, 51)),
            (V{"2027-01-01T17:55", "2027-01-04T08:00", "2027-01-04T08:05"}));
  // 8:00 to 17:55: the last fire of a day is 17:55.
  EXPECT_EQ(fires("0/5 8-17 ? * MON-FRI *", wall(2027, 1, 4, 17, 55), 2), (V{"2027-01-04T17:55", "2027-01-05T08:00"}));
  // The first Monday: January's is the 4th, February's the 1st.
  EXPECT_EQ(fires("0 9 ? * 2#1 *", fri), (V{"2027-01-04T09:00", "2027-02-01T09:00", "2027-03-01T09:00"}));
  EXPECT_EQ(fires("0 12 * * ? *", fri, 1), (V{"2027-01-01T12:00"}));
  EXPECT_EQ(fires("5,35 14 * * ? *", fri), (V{"2027-01-01T14:05", "2027-01-01T14:35", "2027-01-02T14:05"}));
  // The last Friday of each month, 2019 to 2022, and then never.
  EXPECT_EQ(fires("15 10 ? * 6L 2019-2022", wall(2019, 1, 1)),
            (V{"2019-01-25T10:15", "2019-02-22T10:15", "2019-03-29T10:15"}));
  EXPECT_EQ(fires("15 10 ? * 6L 2019-2022", wall(2022, 12, 30, 10, 16)), (V{"never"}));
  // Every 30 minutes, 22:00 (well, 20:00) to 02:30, on days Monday to Friday:
  // each fire's own day must be a weekday, so Saturday 00:00-02:30 does not.
  EXPECT_EQ(fires("0/30 20-2 ? * MON-FRI *", wall(2027, 1, 1, 2, 0), 3),
            (V{"2027-01-01T02:00", "2027-01-01T02:30", "2027-01-01T20:00"}));
  EXPECT_EQ(fires("0/30 20-2 ? * MON-FRI *", wall(2027, 1, 1, 23, 45), 2), (V{"2027-01-04T00:00", "2027-01-04T00:30"}));
}

TEST(SchedulesCron, FromIsIncluded) {
  EXPECT_EQ(fires("0 10 * * ? *", wall(2027, 1, 1, 10, 0), 1), (V{"2027-01-01T10:00"}));
  EXPECT_EQ(fires("0 10 * * ? *", wall(2027, 1, 1, 10, 1), 1), (V{"2027-01-02T10:00"}));
  EXPECT_TRUE(parsed("0 10 * * ? *").matches(wall(2027, 1, 1, 10, 0)));
  EXPECT_FALSE(parsed("0 10 * * ? *").matches(wall(2027, 1, 1, 10, 1)));
}

TEST(SchedulesCron, MonthEndsAndYearEnds) {
  EXPECT_EQ(fires("0 0 31 * ? *", wall(2027, 1, 1)), (V{"2027-01-31T00:00", "2027-03-31T00:00", "2027-05-31T00:00"}));
  EXPECT_EQ(fires("59 23 L 12 ? *", wall(2027, 6, 1), 2), (V{"2027-12-31T23:59", "2028-12-31T23:59"}));
  EXPECT_EQ(fires("* * * * ? *", wall(2027, 12, 31, 23, 59), 2), (V{"2027-12-31T23:59", "2028-01-01T00:00"}));
}

TEST(SchedulesCron, LeapYears) {
  EXPECT_EQ(fires("0 0 29 2 ? *", wall(2027, 3, 1), 2), (V{"2028-02-29T00:00", "2032-02-29T00:00"}));
  // 2100 is not a leap year (divisible by 100, not by 400); 2000 was.
  EXPECT_EQ(fires("0 0 29 2 ? *", wall(2096, 3, 1), 1), (V{"2104-02-29T00:00"}));
  EXPECT_EQ(fires("0 0 29 2 ? *", wall(1999, 1, 1), 1), (V{"2000-02-29T00:00"}));
  EXPECT_EQ(fires("0 0 L 2 ? *", wall(2027, 1, 1), 2), (V{"2027-02-28T00:00", "2028-02-29T00:00"}));
}

TEST(SchedulesCron, ImpossibleAndFarAwayAreQuick) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(fires("0 0 30 2 ? *", wall(2027, 1, 1)), (V{"never"}));
  EXPECT_EQ(fires("0 0 31 4,6,9,11 ? *", wall(1970, 1, 1)), (V{"never"}));
  EXPECT_EQ(fires("0 0 29 2 ? 2100", wall(1970, 1, 1)), (V{"never"}));
  // A fifth Monday in February: a leap year whose February starts on a Monday.
  EXPECT_EQ(fires("0 0 ? 2 2#5 *", wall(2027, 1, 1), 1), (V{"2044-02-29T00:00"}));
  EXPECT_EQ(fires("0 0 1 1 ? 2199", wall(2027, 1, 1), 2), (V{"2199-01-01T00:00", "never"}));
  EXPECT_EQ(fires("* * * * ? *", wall(2199, 12, 31, 23, 59), 2), (V{"2199-12-31T23:59", "never"}));
  EXPECT_EQ(fires("* * * * ? *", wall(2200, 1, 1), 1), (V{"never"}));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::milliseconds{200});
}

TEST(SchedulesCron, FifthWeekdayOnlyInMonthsThatHaveOne) {
  // February 2028 starts on a Tuesday and has 29 days: five Tuesdays.
  EXPECT_EQ(fires("0 0 ? 2 3#5 *", wall(2027, 1, 1), 1), (V{"2028-02-29T00:00"}));
  // Mondays in 2027: January and February have four, March five (the 29th).
  EXPECT_EQ(fires("0 9 ? * 2#5 *", wall(2027, 1, 1), 2), (V{"2027-03-29T09:00", "2027-05-31T09:00"}));
  EXPECT_EQ(fires("0 9 ? * 6#3 *", wall(2027, 1, 1), 2), (V{"2027-01-15T09:00", "2027-02-19T09:00"}));
  EXPECT_EQ(fires("0 9 ? * FRI#3 *", wall(2027, 1, 1), 1), (V{"2027-01-15T09:00"}));
}

TEST(SchedulesCron, LastDays) {
  EXPECT_EQ(fires("0 0 L * ? *", wall(2027, 1, 1)), (V{"2027-01-31T00:00", "2027-02-28T00:00", "2027-03-31T00:00"}));
  EXPECT_EQ(fires("0 0 L-2 * ? *", wall(2027, 2, 1), 2), (V{"2027-02-26T00:00", "2027-03-29T00:00"}));
  // L-30 is the 1st of a 31-day month, nothing in a shorter one.
  EXPECT_EQ(fires("0 0 L-30 * ? *", wall(2027, 1, 2), 1), (V{"2027-03-01T00:00"}));
  // LW: the last weekday. January 2027 ends on a Sunday, July on a Saturday.
  EXPECT_EQ(fires("0 0 LW * ? *", wall(2027, 1, 1)), (V{"2027-01-29T00:00", "2027-02-26T00:00", "2027-03-31T00:00"}));
  EXPECT_EQ(fires("0 0 LW * ? *", wall(2027, 7, 1), 1), (V{"2027-07-30T00:00"}));
  // L alone in Day-of-week is Saturday; 2L the last Monday.
  EXPECT_EQ(fires("0 12 ? * L *", wall(2027, 1, 1), 2), (V{"2027-01-02T12:00", "2027-01-09T12:00"}));
  EXPECT_EQ(fires("0 12 ? * 2L *", wall(2027, 1, 1), 2), (V{"2027-01-25T12:00", "2027-02-22T12:00"}));
  EXPECT_EQ(fires("0 12 ? * monl *", wall(2027, 1, 1), 1), (V{"2027-01-25T12:00"}));
}

TEST(SchedulesCron, NearestWeekdayStaysInItsMonth) {
  // May 2027 starts on a Saturday: 1W is Monday the 3rd, not Friday 30 April.
  EXPECT_EQ(fires("0 0 1W * ? *", wall(2027, 5, 1), 1), (V{"2027-05-03T00:00"}));
  // August 2027 starts on a Sunday: Monday the 2nd.
  EXPECT_EQ(fires("0 0 1W * ? *", wall(2027, 8, 1), 1), (V{"2027-08-02T00:00"}));
  // January 2027 ends on a Sunday: 31W is Friday the 29th, not Monday 1 February.
  EXPECT_EQ(fires("0 0 31W * ? *", wall(2027, 1, 1), 1), (V{"2027-01-29T00:00"}));
  // 15 May is a Saturday (Friday the 14th), 15 August a Sunday (Monday the 16th).
  EXPECT_EQ(fires("0 0 15W * ? *", wall(2027, 5, 1), 1), (V{"2027-05-14T00:00"}));
  EXPECT_EQ(fires("0 0 15W * ? *", wall(2027, 8, 1), 1), (V{"2027-08-16T00:00"}));
  EXPECT_EQ(fires("0 0 15W * ? *", wall(2027, 6, 1), 1), (V{"2027-06-15T00:00"}));
  // A day the month doesn't have: no fire that month (as a plain 31 in April).
  EXPECT_EQ(fires("0 0 31W * ? *", wall(2027, 4, 1), 1), (V{"2027-05-31T00:00"}));
  EXPECT_EQ(fires("0 0 3w * ? *", wall(2027, 7, 1), 1), (V{"2027-07-02T00:00"}));  // Saturday the 3rd
}

TEST(SchedulesCron, ListsRangesIncrements) {
  EXPECT_EQ(fires("5/15 0 * * ? *", wall(2027, 1, 1), 5),
            (V{"2027-01-01T00:05", "2027-01-01T00:20", "2027-01-01T00:35", "2027-01-01T00:50", "2027-01-02T00:05"}));
  EXPECT_EQ(fires("*/20 0 * * ? *", wall(2027, 1, 1), 4),
            (V{"2027-01-01T00:00", "2027-01-01T00:20", "2027-01-01T00:40", "2027-01-02T00:00"}));
  EXPECT_EQ(fires("10-30/10 0 * * ? *", wall(2027, 1, 1), 4),
            (V{"2027-01-01T00:10", "2027-01-01T00:20", "2027-01-01T00:30", "2027-01-02T00:10"}));
  // A wrapping range keeps its step across the wrap: 50, 55, 0, 5, 10.
  EXPECT_EQ(fires("50-10/5 0 * * ? *", wall(2027, 1, 1), 4),
            (V{"2027-01-01T00:00", "2027-01-01T00:05", "2027-01-01T00:10", "2027-01-01T00:50"}));
  EXPECT_EQ(fires("0 0 1-31/30 * ? *", wall(2027, 1, 1), 3),
            (V{"2027-01-01T00:00", "2027-01-31T00:00", "2027-02-01T00:00"}));
  EXPECT_EQ(fires("30-30 13-13 ? * 2,4,6 *", wall(2027, 1, 1), 2), (V{"2027-01-01T13:30", "2027-01-04T13:30"}));
  EXPECT_EQ(fires("0 0 1/10,2,3/8 * ? *", wall(2027, 1, 1), 6),
            (V{"2027-01-01T00:00", "2027-01-02T00:00", "2027-01-03T00:00", "2027-01-11T00:00", "2027-01-19T00:00",
               "2027-01-21T00:00"}));
  // Month and day ranges that wrap: NOV-FEB, FRI-MON.
  EXPECT_EQ(fires("0 0 1 NOV-FEB ? *", wall(2027, 2, 2), 4),
            (V{"2027-11-01T00:00", "2027-12-01T00:00", "2028-01-01T00:00", "2028-02-01T00:00"}));
  EXPECT_EQ(fires("0 0 ? * FRI-MON *", wall(2027, 1, 1), 5),
            (V{"2027-01-01T00:00", "2027-01-02T00:00", "2027-01-03T00:00", "2027-01-04T00:00", "2027-01-08T00:00"}));
  // Years: lists, ranges, increments.
  EXPECT_EQ(fires("0 0 1 1 ? 2030,2040", wall(2031, 1, 1), 2), (V{"2040-01-01T00:00", "never"}));
  EXPECT_EQ(fires("0 0 1 1 ? 2030/5", wall(2031, 1, 1), 2), (V{"2035-01-01T00:00", "2040-01-01T00:00"}));
  EXPECT_EQ(fires("0 0 1 1 ? 2030-2031", wall(2027, 1, 1), 3), (V{"2030-01-01T00:00", "2031-01-01T00:00", "never"}));
}

TEST(SchedulesCron, NamesAreCaseInsensitive) {
  const WallMinutes from = wall(2027, 1, 1);
  EXPECT_EQ(fires("0 12 ? jan-mar mon,wed,fri *", from, 4), fires("0 12 ? 1-3 2,4,6 *", from, 4));
  EXPECT_EQ(fires("0 12 ? Jul Sun *", from, 2), (V{"2027-07-04T12:00", "2027-07-11T12:00"}));
  EXPECT_EQ(fires("0 12 l * ? *", from, 1), (V{"2027-01-31T12:00"}));
  // White space between fields may be more than one space or a tab.
  EXPECT_EQ(fires("  0  10\t* * ? *  ", from, 1), (V{"2027-01-01T10:00"}));
}

TEST(SchedulesCron, RefusesWithAClearMessage) {
  EXPECT_EQ(refusal("0 10 * * ? * *"),
            "cron() takes six fields (Minutes Hours Day-of-month Month Day-of-week Year), got 7");
  EXPECT_EQ(refusal("0 10 * * ?"),
            "cron() takes six fields (Minutes Hours Day-of-month Month Day-of-week Year), got 5");
  EXPECT_EQ(refusal(""), "cron() takes six fields (Minutes Hours Day-of-month Month Day-of-week Year), got 0");
  EXPECT_EQ(refusal("0 10 ? * ? *"), "Day-of-month and Day-of-week can't both be '?': one of them must name the days");
  const std::string neither =
      "you can't specify both Day-of-month and Day-of-week: if you specify a value or a * in one, you must use ? "
      "in the other";
  EXPECT_EQ(refusal("0 10 * * * *"), neither);
  EXPECT_EQ(refusal("0 10 1 * MON *"), neither);
  EXPECT_EQ(refusal("0 10 * * MON-FRI *"), neither);  // Unix cron habits
  EXPECT_EQ(refusal("* ? * * * *"), "'?' is allowed only in Day-of-month and Day-of-week, not in Hours");
  EXPECT_EQ(refusal("0 10 ?,1 * ? *"), "'?' must be the whole Day-of-month field");

  EXPECT_EQ(refusal("60 10 * * ? *"), "Minutes value 60 is out of range 0-59");
  EXPECT_EQ(refusal("0 24 * * ? *"), "Hours value 24 is out of range 0-23");
  EXPECT_EQ(refusal("0 10 32 * ? *"), "Day-of-month value 32 is out of range 1-31");
  EXPECT_EQ(refusal("0 10 0 * ? *"), "Day-of-month value 0 is out of range 1-31");
  EXPECT_EQ(refusal("0 10 * 13 ? *"), "Month value 13 is out of range 1-12 or JAN-DEC");
  EXPECT_EQ(refusal("0 10 ? * 0 *"), "Day-of-week value 0 is out of range 1-7 (1 = SUN) or SUN-SAT");
  EXPECT_EQ(refusal("0 10 ? * 8 *"), "Day-of-week value 8 is out of range 1-7 (1 = SUN) or SUN-SAT");
  EXPECT_EQ(refusal("0 10 * * ? 1969"), "Year value 1969 is out of range 1970-2199");
  EXPECT_EQ(refusal("0 10 * * ? 2200"), "Year value 2200 is out of range 1970-2199");
  EXPECT_EQ(refusal("0 10 * * ? 2030-2020"), "Year range 2030-2020 ends before it starts");
  EXPECT_EQ(refusal("99999999999 10 * * ? *"), "Minutes value 99999999999 is out of range 0-59");

  EXPECT_EQ(refusal("0 10 ? * FUN *"), "Day-of-week value 'FUN' is not valid: expected 1-7 (1 = SUN) or SUN-SAT");
  EXPECT_EQ(refusal("0 10 * JANUARY ? *"), "Month value 'JANUARY' is not valid: expected 1-12 or JAN-DEC");
  EXPECT_EQ(refusal("0 10 * * ? MON"), "Year value 'MON' is not valid: expected 1970-2199");
  EXPECT_EQ(refusal("0 JAN * * ? *"), "Hours value 'JAN' is not valid: expected 0-23");
  EXPECT_EQ(refusal("0 10 1,,2 * ? *"), "Day-of-month field '1,,2' has an empty value");
  EXPECT_EQ(refusal("0 10 1, * ? *"), "Day-of-month field '1,' has an empty value");
  EXPECT_EQ(refusal("0 10 ? * -1 *"), "Day-of-week field '-1' has an empty value");

  EXPECT_EQ(refusal("*/60 * * * ? *"), "Minutes increment 60 is out of range 1-59");
  EXPECT_EQ(refusal("0/0 * * * ? *"), "Minutes increment 0 is out of range 1-59");
  EXPECT_EQ(refusal("0/ * * * ? *"), "Minutes increment in '0/' must be a number");
  EXPECT_EQ(refusal("0 */24 * * ? *"), "Hours increment 24 is out of range 1-23");

  EXPECT_EQ(refusal("0 10 ? * 3#1,6#3 *"),
            "with '#', Day-of-week holds only one expression ('3#1,6#3' is more than one)");
  EXPECT_EQ(refusal("0 10 ? * 3#1#2 *"), "with '#', Day-of-week holds only one expression ('3#1#2' is more than one)");
  EXPECT_EQ(refusal("0 10 ? * 3#1,5 *"), "with '#', Day-of-week holds only one expression ('3#1,5' is more than one)");
  EXPECT_EQ(refusal("0 10 ? * 3#6 *"), "Day-of-week '3#6': the number after '#' must be 1-5");
  EXPECT_EQ(refusal("0 10 ? * 3# *"), "Day-of-week '3#': the number after '#' must be 1-5");
  EXPECT_EQ(refusal("0 10 5#1 * ? *"), "'#' is allowed only in Day-of-week");
  EXPECT_EQ(refusal("L 10 * * ? *"), "'L' is not allowed in Minutes");
  EXPECT_EQ(refusal("0 10 * 2#1 ? *"), "'#' is not allowed in Month");

  const std::string dom_special =
      "is not valid: L (last day), L-n, LW (last weekday) and nW (weekday nearest day n) stand alone, without lists or "
      "ranges";
  EXPECT_EQ(refusal("0 10 L,15 * ? *"), "Day-of-month 'L,15' " + dom_special);
  EXPECT_EQ(refusal("0 10 1-5W * ? *"), "Day-of-month '1-5W' " + dom_special);
  EXPECT_EQ(refusal("0 10 W * ? *"), "Day-of-month 'W' " + dom_special);
  EXPECT_EQ(refusal("0 10 32W * ? *"), "Day-of-month value in '32W' is out of range 1-31");
  EXPECT_EQ(refusal("0 10 L-31 * ? *"), "Day-of-month offset in 'L-31' is out of range 0-30");
  EXPECT_EQ(refusal("0 10 ? * 6L,2 *"),
            "Day-of-week '6L,2' is not valid: L (Saturday) and nL (the last day n of the month) stand alone, without "
            "lists or ranges");
  EXPECT_EQ(refusal("0 10 ? * 8L *"), "Day-of-week value 8 is out of range 1-7 (1 = SUN) or SUN-SAT");
}
