// The schedule timer under a fake clock: at(), rate() from StartDate, cron()
// in a time zone across a DST change, EndDate, flexible windows,
// ActionAfterCompletion DELETE, one catch-up after downtime, attempts and
// dead letters through EventBridge's deliveries.
#include "timetable/schedule_timer.h"

#include <gtest/gtest.h>

#include <set>

#include "timetable/invocation.h"
#include "timetable/test_support.h"

using namespace nimbus;
using namespace nimbus::timetable;
using namespace nimbus::timetable::testing;
using schedules::testing::utc;

namespace {

// Each fire's body is its scheduled time.
constexpr const char* kTime = "<aws.scheduler.scheduled-time>";

using V = std::vector<std::string>;

}  // namespace

TEST(TimetableTimer, AtFiresOnceAtItsWallTimeInItsZone) {
  Fixture f;
  Schedule s = f.schedule("once", "at(2027-01-04T12:00:00)", "America/New_York");
  s.target.input = kTime;
  f.create(s);
  EXPECT_EQ(f.timer->run_once(), ms(utc(2027, 1, 4, 17)));  // noon in New York is 17:00 UTC in January
  EXPECT_TRUE(f.at(utc(2027, 1, 4, 16, 59, 59)).empty());
  EXPECT_EQ(times_of(f.at(utc(2027, 1, 4, 17))), V{"2027-01-04T17:00:00Z"});
  EXPECT_TRUE(f.at(utc(2027, 1, 5)).empty());
  EXPECT_EQ(f.timer->run_once(), 0);
  EXPECT_TRUE(f.store->schedule(kDefaultGroup, "once"));  // ActionAfterCompletion NONE keeps it
}

TEST(TimetableTimer, RateCountsFromStartDateOrStartsAtOnce) {
  Fixture f;
  Schedule later = f.schedule("later", "rate(10 minutes)");
  later.start_ms = ms(utc(2027, 1, 4, 10, 30));
  later.target.input = std::string("later ") + kTime;
  f.create(later);
  Schedule now = f.schedule("now", "rate(10 minutes)");
  now.target.input = std::string("now ") + kTime;
  f.create(now);
  EXPECT_EQ(times_of(f.turn()), V{"now 2027-01-04T10:00:00Z"});  // no StartDate: at once
  EXPECT_TRUE(f.at(utc(2027, 1, 4, 10, 9, 59)).empty());
  EXPECT_EQ(times_of(f.at(utc(2027, 1, 4, 10, 10))), V{"now 2027-01-04T10:10:00Z"});
  EXPECT_TRUE(f.at(utc(2027, 1, 4, 10, 19, 59)).empty());
  auto both = times_of(f.at(utc(2027, 1, 4, 10, 30)));
  EXPECT_EQ(std::set<std::string>(both.begin(), both.end()),
            (std::set<std::string>{"later 2027-01-04T10:30:00Z", "now 2027-01-04T10:30:00Z"}));
  EXPECT_EQ(f.timer->run_once(), ms(utc(2027, 1, 4, 10, 40)));
}

TEST(TimetableTimer, CronFollowsItsZoneAcrossADstChange) {
  Fixture f;
  f.clock.set_ms(ms(utc(2027, 3, 26)));
  Schedule s = f.schedule("morning", "cron(0 9 * * ? *)", "Europe/Berlin");
  s.target.input = kTime;
  f.create(s);
  V fired;
  for (int i = 0; i < 4; ++i) {
    int64_t next = f.timer->run_once();
    for (const auto& r : f.at(schedules::Time{std::chrono::milliseconds(next)})) fired.push_back(r.body);
  }
  // 09:00 in Berlin: 08:00 UTC in winter time, 07:00 UTC once summer time starts on 28 March.
  EXPECT_EQ(fired, (V{"2027-03-26T08:00:00Z", "2027-03-27T08:00:00Z", "2027-03-28T07:00:00Z",
                      "2027-03-29T07:00:00Z"}));
}

TEST(TimetableTimer, NothingAtOrAfterEndDate) {
  Fixture f;
  Schedule s = f.schedule("hourly", "rate(1 hour)");
  s.end_ms = ms(utc(2027, 1, 4, 12));
  s.target.input = kTime;
  f.create(s);
  V fired;
  for (int h = 10; h <= 14; ++h)
    for (const auto& r : f.at(utc(2027, 1, 4, h))) fired.push_back(r.body);
  EXPECT_EQ(fired, (V{"2027-01-04T10:00:00Z", "2027-01-04T11:00:00Z"}));
  EXPECT_EQ(f.timer->run_once(), 0);
  EXPECT_TRUE(f.store->schedule(kDefaultGroup, "hourly"));
}

TEST(TimetableTimer, AFlexibleWindowFiresWithinItAfterTheDueTime) {
  Fixture f;
  Schedule s = f.schedule("flex", "rate(1 hour)");
  s.flexible_window_minutes = 10;
  s.target.input = kTime;
  auto made = f.create(s);
  auto compiled = *compile(made);
  std::set<int64_t> offsets;
  for (int h = 10; h < 20; ++h) {
    int64_t due = ms(utc(2027, 1, 4, h));
    int64_t fire = f.timer->run_once();
    EXPECT_EQ(fire, ScheduleTimer::fire_time(compiled, due));
    EXPECT_GE(fire, due);
    EXPECT_LT(fire, due + 10 * 60000);
    offsets.insert(fire - due);
    if (fire > due) {
      EXPECT_TRUE(f.at(schedules::Time{std::chrono::milliseconds(fire - 1)}).empty());
    }
    // The scheduled time it reports is the due time, not when it ran.
    EXPECT_EQ(times_of(f.at(schedules::Time{std::chrono::milliseconds(fire)})), V{scheduled_time(due)});
  }
  EXPECT_GT(offsets.size(), 5u);  // spread, not one fixed delay
  // A window longer than the period stays before the next due time.
  Schedule tight = f.schedule("tight", "rate(5 minutes)");
  tight.flexible_window_minutes = 60;
  auto c = *compile(tight);
  for (int64_t i = 0; i < 20; ++i) {
    int64_t due = tight.modified_ms + i * 300000;
    EXPECT_LT(ScheduleTimer::fire_time(c, due) - due, 300000);
  }
}

TEST(TimetableTimer, ActionAfterCompletionDeletesWhatHasNothingLeft) {
  Fixture f;
  Schedule once = f.schedule("once", "at(2027-01-04T11:00:00)");
  once.action_after_completion = "DELETE";
  f.create(once);
  Schedule ending = f.schedule("ending", "rate(1 hour)");
  ending.action_after_completion = "DELETE";
  ending.end_ms = ms(utc(2027, 1, 4, 11, 30));
  f.create(ending);
  Schedule forever = f.schedule("forever", "rate(1 hour)");
  forever.action_after_completion = "DELETE";  // without an EndDate it never completes
  f.create(forever);
  f.turn();
  EXPECT_EQ(f.store->schedules().size(), 3u);
  EXPECT_EQ(f.at(utc(2027, 1, 4, 11)).size(), 3u);
  EXPECT_FALSE(f.store->schedule(kDefaultGroup, "once"));
  EXPECT_FALSE(f.store->schedule(kDefaultGroup, "ending"));  // 11:00 was its last fire before its end
  EXPECT_TRUE(f.store->schedule(kDefaultGroup, "forever"));
  EXPECT_EQ(f.at(utc(2027, 1, 4, 12)).size(), 1u);
}

TEST(TimetableTimer, MissedFiresCatchUpOnceAfterDowntime) {
  Fixture f;
  Schedule s = f.schedule("tick", "rate(1 minute)");
  s.target.input = kTime;
  f.create(s);
  EXPECT_EQ(times_of(f.turn()), V{"2027-01-04T10:00:00Z"});
  // Down ten and a half minutes: a new timer (a restart) fires once, for the latest missed time.
  f.clock.set_ms(ms(utc(2027, 1, 4, 10, 10, 30)));
  ScheduleTimer again(*f.store, *f.deliveries, f.clock);
  EXPECT_EQ(again.run_once(), ms(utc(2027, 1, 4, 10, 11)));
  f.deliveries->run_once();
  ASSERT_EQ(f.sink.received.size(), 2u);
  EXPECT_EQ(f.sink.received[1].body, "2027-01-04T10:10:00Z");
  EXPECT_EQ(again.run_once(), ms(utc(2027, 1, 4, 10, 11)));
  auto upcoming = again.upcoming(3);
  ASSERT_EQ(upcoming.size(), 1u);
  EXPECT_EQ(upcoming[0].fires_ms, (std::vector<int64_t>{ms(utc(2027, 1, 4, 10, 11)), ms(utc(2027, 1, 4, 10, 12)),
                                                        ms(utc(2027, 1, 4, 10, 13))}));
}

TEST(TimetableTimer, DisabledNeverFiresAndAnUpdateIsANewStart) {
  Fixture f;
  Schedule s = f.schedule("tick", "cron(* * * * ? *)");
  s.state = "DISABLED";
  s.target.input = kTime;
  f.create(s);
  EXPECT_TRUE(f.at(utc(2027, 1, 4, 10, 5)).empty());
  EXPECT_EQ(f.timer->run_once(), 0);
  s.state = "ENABLED";
  s.modified_ms = f.clock.now_ms() + 30000;
  f.clock.set_ms(s.modified_ms);
  ASSERT_TRUE(f.store->update_schedule(s).ok());
  // 10:05 passed before the update: not caught up; 10:06 is the first.
  EXPECT_EQ(f.timer->run_once(), ms(utc(2027, 1, 4, 10, 6)));
  EXPECT_EQ(times_of(f.at(utc(2027, 1, 4, 10, 6))), V{"2027-01-04T10:06:00Z"});
}

TEST(TimetableTimer, EachAttemptHasItsNumberAndTheLastGoesToTheDeadLetterQueue) {
  Fixture f;
  Schedule s = f.schedule("retried", "at(2027-01-04T10:01:00)");
  s.target.input = R"({"attempt":<aws.scheduler.attempt-number>,"id":"<aws.scheduler.execution-id>"})";
  s.target.retry = {1, 3600};
  s.target.dead_letter_arn = kDlqArn;
  auto made = f.create(s);
  Schedule ok = f.schedule("recovers", "at(2027-01-04T10:01:00)");
  ok.target.arn = "arn:aws:sqs:us-east-1:000000000000:other";
  ok.target.input = "attempt <aws.scheduler.attempt-number>";
  f.create(ok);
  f.sink.failing = {{kQueueArn, 100}, {ok.target.arn, 1}};
  f.at(utc(2027, 1, 4, 10, 1));
  for (int i = 0; i < 6; ++i) {  // each retry waits 1 s
    f.clock.advance_ms(1500);
    f.deliveries->run_once();
  }
  std::string id = execution_id(made.arn, ms(utc(2027, 1, 4, 10, 1)));
  ASSERT_EQ(f.sink.received.size(), 2u);
  const Received* dead = nullptr;
  const Received* recovered = nullptr;
  for (const auto& r : f.sink.received) (r.arn == kDlqArn ? dead : recovered) = &r;
  ASSERT_TRUE(dead && recovered);
  EXPECT_EQ(recovered->body, "attempt 2");
  EXPECT_EQ(dead->body, R"({"attempt":2,"id":")" + id + R"("})");
  EXPECT_EQ(dead->attributes.at("SCHEDULE_ARN"), made.arn);
  EXPECT_EQ(dead->attributes.at("TARGET_ARN"), kQueueArn);
  EXPECT_EQ(dead->attributes.at("EXECUTION_ID"), id);
  EXPECT_EQ(dead->attributes.at("ERROR_CODE"), "InternalException");
  EXPECT_FALSE(dead->attributes.at("ERROR_MESSAGE").empty());
}
