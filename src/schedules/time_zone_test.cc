#include "schedules/time_zone.h"

#include <gtest/gtest.h>

#include "schedules/test_times.h"

using namespace nimbus;
using schedules::TimeZone;
using schedules::WallInstant;
using schedules::WallSeconds;
using schedules::testing::iso;
using schedules::testing::utc;

namespace {

WallSeconds wall(int y, unsigned mo, unsigned d, int h, int mi) {
  return WallSeconds{schedules::testing::wall(y, mo, d, h, mi).time_since_epoch()};
}

TimeZone zone(std::string_view name) {
  auto z = TimeZone::find(name);
  EXPECT_TRUE(z.ok()) << name << ": " << (z.ok() ? "" : z.error().message);
  return z.ok() ? *z : TimeZone::utc();
}

}  // namespace

TEST(SchedulesTimeZone, FindsIanaNames) {
  for (const char* name : {"America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe", "Etc/GMT+5",
                           "Etc/UTC", "US/Eastern", "UTC"}) {
    auto z = TimeZone::find(name);
    ASSERT_TRUE(z.ok()) << name;
    EXPECT_EQ(z->name(), name);
  }
  EXPECT_TRUE(zone("UTC").is_utc());
  EXPECT_FALSE(zone("Etc/UTC").is_utc());
  EXPECT_TRUE(TimeZone::utc().is_utc());
  EXPECT_EQ(TimeZone::utc().name(), "UTC");
}

TEST(SchedulesTimeZone, RefusesUnknownNames) {
  for (const char* name : {"Mars/Olympus", "america/new_york", "", "localtime", "EST+5", "../../etc/passwd",
                           "America/New_York/", "right/UTC", "posix/UTC"}) {
    auto z = TimeZone::find(name);
    ASSERT_FALSE(z.ok()) << name;
    EXPECT_EQ(z.error().code, base::ErrorCode::kInvalidArgument);
    EXPECT_EQ(z.error().message, "unknown time zone '" + std::string(name) + "'");
  }
}

TEST(SchedulesTimeZone, WallClockOfAnInstant) {
  TimeZone ny = zone("America/New_York");
  EXPECT_EQ(ny.to_wall(utc(2027, 1, 15, 17, 0)), wall(2027, 1, 15, 12, 0));  // EST, UTC-5
  EXPECT_EQ(ny.to_wall(utc(2027, 7, 15, 16, 0)), wall(2027, 7, 15, 12, 0));  // EDT, UTC-4
  EXPECT_EQ(zone("Asia/Kolkata").to_wall(utc(2027, 1, 15, 6, 30)), wall(2027, 1, 15, 12, 0));
  EXPECT_EQ(TimeZone::utc().to_wall(utc(2027, 1, 15, 12, 0, 59) + std::chrono::milliseconds{999}),
            WallSeconds{wall(2027, 1, 15, 12, 0).time_since_epoch() + std::chrono::seconds{59}});
}

TEST(SchedulesTimeZone, ResolvesSkippedAndRepeatedTimes) {
  TimeZone ny = zone("America/New_York");
  WallInstant plain = ny.resolve(wall(2027, 3, 13, 2, 30));
  EXPECT_EQ(plain.kind, WallInstant::Kind::kUnique);
  EXPECT_EQ(iso(plain.instant), "2027-03-13T07:30:00.000Z");

  // 2027-03-14 02:00 EST the clocks go to 03:00 EDT: 02:30 doesn't happen.
  WallInstant gap = ny.resolve(wall(2027, 3, 14, 2, 30));
  EXPECT_EQ(gap.kind, WallInstant::Kind::kSkipped);
  EXPECT_EQ(iso(gap.instant), "2027-03-14T07:30:00.000Z");  // 03:30 EDT
  EXPECT_EQ(gap.gap_end, wall(2027, 3, 14, 3, 0));

  // 2027-11-07 02:00 EDT the clocks go back to 01:00 EST: 01:30 happens twice.
  WallInstant twice = ny.resolve(wall(2027, 11, 7, 1, 30));
  EXPECT_EQ(twice.kind, WallInstant::Kind::kRepeated);
  EXPECT_EQ(iso(twice.instant), "2027-11-07T05:30:00.000Z");  // 01:30 EDT, the first

  WallInstant berlin = zone("Europe/Berlin").resolve(wall(2027, 3, 28, 2, 30));
  EXPECT_EQ(berlin.kind, WallInstant::Kind::kSkipped);
  EXPECT_EQ(berlin.gap_end, wall(2027, 3, 28, 3, 0));

  // Lord Howe Island moves its clocks by half an hour.
  WallInstant howe = zone("Australia/Lord_Howe").resolve(wall(2027, 10, 3, 2, 15));
  EXPECT_EQ(howe.kind, WallInstant::Kind::kSkipped);
  EXPECT_EQ(howe.gap_end, wall(2027, 10, 3, 2, 30));

  EXPECT_EQ(TimeZone::utc().resolve(wall(2027, 3, 14, 2, 30)).kind, WallInstant::Kind::kUnique);
}
