#include "schedules/expression.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "schedules/test_times.h"

using namespace nimbus;
using namespace std::chrono_literals;
using schedules::Dialect;
using schedules::Evaluation;
using schedules::Expression;
using schedules::Time;
using schedules::TimeZone;
using schedules::testing::iso;
using schedules::testing::utc;

namespace {

using V = std::vector<std::string>;

Expression parsed(std::string_view text, Dialect dialect = Dialect::kScheduler) {
  auto e = schedules::parse(text, dialect);
  EXPECT_TRUE(e.ok()) << text << ": " << (e.ok() ? "" : e.error().message);
  if (!e) return *schedules::parse("rate(1 day)", Dialect::kRule);
  return *e;
}

std::string refusal(std::string_view text, Dialect dialect = Dialect::kScheduler) {
  auto e = schedules::parse(text, dialect);
  if (e) return "accepted";
  EXPECT_EQ(e.error().code, base::ErrorCode::kInvalidArgument);
  return e.error().message;
}

TimeZone zone(std::string_view name) {
  auto z = TimeZone::find(name);
  EXPECT_TRUE(z.ok()) << name;
  return z.ok() ? *z : TimeZone::utc();
}

// A rule's next `n` fires after `after` (rules are UTC).
V rule_fires(std::string_view text, Time after, size_t n = 3) {
  return iso(schedules::upcoming(parsed(text, Dialect::kRule), after, n, schedules::for_rule(after)));
}

// A schedule's in zone `tz`.
V fires_in(std::string_view tz, std::string_view text, Time after, size_t n = 3) {
  return iso(schedules::upcoming(parsed(text), after, n, schedules::for_schedule(zone(tz), after)));
}

}  // namespace

TEST(SchedulesExpression, ParsesTheThreeForms) {
  Expression r = parsed("rate(5 minutes)");
  EXPECT_EQ(r.kind(), Expression::Kind::kRate);
  EXPECT_EQ(r.text(), "rate(5 minutes)");
  ASSERT_NE(r.rate(), nullptr);
  EXPECT_EQ(r.rate()->value, 5);
  EXPECT_EQ(r.rate()->period(), 5min);
  EXPECT_EQ(r.cron(), nullptr);

  Expression c = parsed("cron(0 10 * * ? *)");
  EXPECT_EQ(c.kind(), Expression::Kind::kCron);
  EXPECT_NE(c.cron(), nullptr);

  Expression a = parsed("at(2027-06-01T09:00:00)");
  EXPECT_EQ(a.kind(), Expression::Kind::kAt);
  EXPECT_NE(a.at(), nullptr);

  EXPECT_EQ(parsed("rate(1 minute)").rate()->period(), 1min);
  EXPECT_EQ(parsed("rate(1 hour)").rate()->period(), 1h);
  EXPECT_EQ(parsed("rate(12 hours)").rate()->period(), 12h);
  EXPECT_EQ(parsed("rate(1 day)").rate()->period(), 24h);
  EXPECT_EQ(parsed("rate(7 days)").rate()->period(), 7 * 24h);
  EXPECT_EQ(parsed("rate(2147483647 days)").rate()->value, 2147483647);
  EXPECT_EQ(parsed("rate(5  minutes)").rate()->value, 5);  // white space, more than one
}

TEST(SchedulesExpression, RefusesInvalidRates) {
  EXPECT_EQ(refusal("rate(0 minutes)"), "rate() value must be a positive number, got 0");
  EXPECT_EQ(refusal("rate(1 minutes)"), "rate(1 ...) takes the singular unit: minute, not minutes");
  EXPECT_EQ(refusal("rate(1 hours)"), "rate(1 ...) takes the singular unit: hour, not hours");
  EXPECT_EQ(refusal("rate(1 days)"), "rate(1 ...) takes the singular unit: day, not days");
  EXPECT_EQ(refusal("rate(5 minute)"), "a rate() value greater than 1 takes the plural unit: minutes, not minute");
  EXPECT_EQ(refusal("rate(5 hour)"), "a rate() value greater than 1 takes the plural unit: hours, not hour");
  EXPECT_EQ(refusal("rate(5 seconds)"), "rate() unit must be minute, minutes, hour, hours, day or days, got 'seconds'");
  EXPECT_EQ(refusal("rate(5 Minutes)"), "rate() unit must be minute, minutes, hour, hours, day or days, got 'Minutes'");
  EXPECT_EQ(refusal("rate(-5 minutes)"), "rate() value '-5' is not a positive whole number");
  EXPECT_EQ(refusal("rate(1.5 hours)"), "rate() value '1.5' is not a positive whole number");
  EXPECT_EQ(refusal("rate(five minutes)"), "rate() value 'five' is not a positive whole number");
  EXPECT_EQ(refusal("rate(2147483648 days)"), "rate() value 2147483648 is too large (at most 2147483647)");
  EXPECT_EQ(refusal("rate(5)"), "rate() takes a value and a unit, e.g. rate(5 minutes)");
  EXPECT_EQ(refusal("rate()"), "rate() takes a value and a unit, e.g. rate(5 minutes)");
  EXPECT_EQ(refusal("rate(5 minutes please)"), "rate() takes a value and a unit, e.g. rate(5 minutes)");
}

TEST(SchedulesExpression, RefusesWhatIsNoExpression) {
  const std::string any = "a schedule expression is rate(value unit), cron(fields) or at(yyyy-mm-ddThh:mm:ss)";
  EXPECT_EQ(refusal(""), any);
  EXPECT_EQ(refusal("cron(0 10 * * ? *"), any);
  EXPECT_EQ(refusal("CRON(0 10 * * ? *)"), any);
  EXPECT_EQ(refusal("rate(5 minutes) "), any);
  EXPECT_EQ(refusal("0 10 * * ? *"), any);
  EXPECT_EQ(refusal("every 5 minutes", Dialect::kRule), "a schedule expression is rate(value unit) or cron(fields)");
  // Cron's own refusals come through.
  EXPECT_EQ(refusal("cron(0 10 * * ? * *)"),
            "cron() takes six fields (Minutes Hours Day-of-month Month Day-of-week Year), got 7");
  EXPECT_EQ(refusal("cron(0 10 ? * ? *)", Dialect::kRule),
            "Day-of-month and Day-of-week can't both be '?': one of them must name the days");
}

TEST(SchedulesExpression, AtIsSchedulerOnly) {
  EXPECT_EQ(refusal("at(2027-06-01T09:00:00)", Dialect::kRule),
            "at() is for EventBridge Scheduler's one-time schedules; a rule takes rate() or cron()");
  EXPECT_EQ(refusal("at(2027-02-30T00:00:00)"), "at(2027-02-30T00:00:00) is not a date that exists");
  EXPECT_EQ(refusal("at(2100-02-29T00:00:00)"), "at(2100-02-29T00:00:00) is not a date that exists");
  EXPECT_EQ(refusal("at(2027-13-01T00:00:00)"), "at(2027-13-01T00:00:00) is not a date that exists");
  EXPECT_EQ(refusal("at(2027-01-01T24:00:00)"), "at(2027-01-01T24:00:00) is not a valid time of day");
  EXPECT_EQ(refusal("at(2027-01-01T10:60:00)"), "at(2027-01-01T10:60:00) is not a valid time of day");
  const std::string form = "at() takes yyyy-mm-ddThh:mm:ss, e.g. at(2027-03-14T09:30:00), got ";
  EXPECT_EQ(refusal("at(2027-1-01T00:00:00)"), form + "at(2027-1-01T00:00:00)");
  EXPECT_EQ(refusal("at(2027-01-01 10:00:00)"), form + "at(2027-01-01 10:00:00)");
  EXPECT_EQ(refusal("at(2027-01-01T10:00)"), form + "at(2027-01-01T10:00)");
  EXPECT_EQ(refusal("at(2027-01-01T10:00:00Z)"), form + "at(2027-01-01T10:00:00Z)");
  EXPECT_EQ(refusal("at()"), form + "at()");
  parsed("at(2028-02-29T12:00:00)");
}

// AWS's examples (eb-scheduled-rule-pattern.html) as rules, after Friday 2027-01-01 00:00 UTC.
TEST(SchedulesExpression, AwsDocumentedExamplesAsRules) {
  const Time fri = utc(2027, 1, 1);
  EXPECT_EQ(rule_fires("cron(0 10 * * ? *)", fri),
            (V{"2027-01-01T10:00:00.000Z", "2027-01-02T10:00:00.000Z", "2027-01-03T10:00:00.000Z"}));
  EXPECT_EQ(rule_fires("cron(15 12 * * ? *)", fri),
            (V{"2027-01-01T12:15:00.000Z", "2027-01-02T12:15:00.000Z", "2027-01-03T12:15:00.000Z"}));
  EXPECT_EQ(rule_fires("cron(0 18 ? * MON-FRI *)", fri),
            (V{"2027-01-01T18:00:00.000Z", "2027-01-04T18:00:00.000Z", "2027-01-05T18:00:00.000Z"}));
  EXPECT_EQ(rule_fires("cron(0 8 1 * ? *)", fri),
            (V{"2027-01-01T08:00:00.000Z", "2027-02-01T08:00:00.000Z", "2027-03-01T08:00:00.000Z"}));
  // Strictly after: 00:00 itself is not next.
  EXPECT_EQ(rule_fires("cron(0/15 * * * ? *)", fri),
            (V{"2027-01-01T00:15:00.000Z", "2027-01-01T00:30:00.000Z", "2027-01-01T00:45:00.000Z"}));
  EXPECT_EQ(rule_fires("cron(0/10 * ? * MON-FRI *)", utc(2027, 1, 1, 23, 50)),
            (V{"2027-01-04T00:00:00.000Z", "2027-01-04T00:10:00.000Z", "2027-01-04T00:20:00.000Z"}));
  EXPECT_EQ(rule_fires("cron(0/5 8-17 ? * MON-FRI *)", fri),
            (V{"2027-01-01T08:00:00.000Z", "2027-01-01T08:05:00.000Z", "2027-01-01T08:10:00.000Z"}));
  EXPECT_EQ(rule_fires("cron(0 9 ? * 2#1 *)", fri),
            (V{"2027-01-04T09:00:00.000Z", "2027-02-01T09:00:00.000Z", "2027-03-01T09:00:00.000Z"}));
  // Seconds within the minute don't matter: a fire is at second 0.
  EXPECT_EQ(rule_fires("cron(0 10 * * ? *)", utc(2027, 1, 1, 9, 59, 59) + 999ms, 1), (V{"2027-01-01T10:00:00.000Z"}));
  EXPECT_EQ(rule_fires("cron(0 10 * * ? *)", utc(2027, 1, 1, 10, 0, 0) + 1ms, 1), (V{"2027-01-02T10:00:00.000Z"}));
}

TEST(SchedulesExpression, RuleRateCountsFromCreationOnePeriodOn) {
  const Time created = utc(2027, 1, 1, 10, 0, 7) + 250ms;
  const Evaluation rule = schedules::for_rule(created);
  const Expression every5 = parsed("rate(5 minutes)", Dialect::kRule);
  EXPECT_EQ(iso(schedules::upcoming(every5, created, 3, rule)),
            (V{"2027-01-01T10:05:07.250Z", "2027-01-01T10:10:07.250Z", "2027-01-01T10:15:07.250Z"}));
  EXPECT_EQ(iso(schedules::next_after(every5, created - 1h, rule)), "2027-01-01T10:05:07.250Z");
  EXPECT_EQ(iso(schedules::next_after(every5, created + 7min, rule)), "2027-01-01T10:10:07.250Z");
  EXPECT_EQ(iso(schedules::next_after(every5, created + 10min, rule)), "2027-01-01T10:15:07.250Z");
  EXPECT_EQ(iso(schedules::next_after(every5, created + 10min - 1ms, rule)), "2027-01-01T10:10:07.250Z");
  // A year on, still on the same 5-minute grid, computed, not stepped to.
  EXPECT_EQ(iso(schedules::next_after(every5, utc(2028, 1, 1, 10, 0, 8), rule)), "2028-01-01T10:05:07.250Z");
  EXPECT_EQ(iso(schedules::next_after(parsed("rate(1 day)", Dialect::kRule), created, rule)),
            "2027-01-02T10:00:07.250Z");
  EXPECT_EQ(iso(schedules::next_after(parsed("rate(1 hour)", Dialect::kRule), created, rule)),
            "2027-01-01T11:00:07.250Z");
}

TEST(SchedulesExpression, SchedulerRateStartsAtStartDateOrAtOnce) {
  const Time created = utc(2027, 1, 1, 10, 0, 0);
  const Expression every5 = parsed("rate(5 minutes)");

  // No StartDate: it fires at once, then every period.
  const Evaluation now = schedules::for_schedule(TimeZone::utc(), created);
  EXPECT_EQ(iso(schedules::next_after(every5, created - 1ms, now)), "2027-01-01T10:00:00.000Z");
  EXPECT_EQ(iso(schedules::upcoming(every5, created - 1ms, 3, now)),
            (V{"2027-01-01T10:00:00.000Z", "2027-01-01T10:05:00.000Z", "2027-01-01T10:10:00.000Z"}));
  EXPECT_EQ(iso(schedules::next_after(every5, created, now)), "2027-01-01T10:05:00.000Z");

  // A StartDate: the first fire is the StartDate; an EndDate: none at or after it.
  const Evaluation window =
      schedules::for_schedule(TimeZone::utc(), created, utc(2027, 2, 1, 8, 30), utc(2027, 2, 1, 8, 45));
  EXPECT_EQ(iso(schedules::upcoming(every5, created, 5, window)),
            (V{"2027-02-01T08:30:00.000Z", "2027-02-01T08:35:00.000Z", "2027-02-01T08:40:00.000Z"}));
}

TEST(SchedulesExpression, RateDaysAreTwentyFourHoursAcrossDst) {
  // AWS: "days represents a 24-hour duration on the clock": a daily rate
  // started at 09:00 EST runs at 10:00 EDT after the spring-forward.
  const Evaluation ev = schedules::for_schedule(zone("America/New_York"), utc(2027, 3, 1), utc(2027, 3, 13, 14, 0));
  EXPECT_EQ(iso(schedules::upcoming(parsed("rate(1 day)"), utc(2027, 3, 1), 3, ev)),
            (V{"2027-03-13T14:00:00.000Z", "2027-03-14T14:00:00.000Z", "2027-03-15T14:00:00.000Z"}));
}

TEST(SchedulesExpression, CronInANewYorkSpringForward) {
  // 2027-03-14 02:00 EST -> 03:00 EDT. 02:30 doesn't exist that day: skipped.
  EXPECT_EQ(fires_in("America/New_York", "cron(30 2 * * ? *)", utc(2027, 3, 12, 12, 0)),
            (V{"2027-03-13T07:30:00.000Z", "2027-03-15T06:30:00.000Z", "2027-03-16T06:30:00.000Z"}));
  // 09:00 local each day: 14:00 UTC in EST, 13:00 UTC in EDT.
  EXPECT_EQ(fires_in("America/New_York", "cron(0 9 * * ? *)", utc(2027, 3, 13)),
            (V{"2027-03-13T14:00:00.000Z", "2027-03-14T13:00:00.000Z", "2027-03-15T13:00:00.000Z"}));
  // Every 30 minutes: 01:30 EST, then 03:00 EDT (02:00 and 02:30 never happen).
  EXPECT_EQ(fires_in("America/New_York", "cron(0/30 * * * ? *)", utc(2027, 3, 14, 6, 0)),
            (V{"2027-03-14T06:30:00.000Z", "2027-03-14T07:00:00.000Z", "2027-03-14T07:30:00.000Z"}));
  // A schedule only for the skipped time, that year: never.
  EXPECT_EQ(fires_in("America/New_York", "cron(30 2 14 3 ? 2027)", utc(2027, 1, 1)), (V{}));
}

TEST(SchedulesExpression, CronInANewYorkFallBack) {
  // 2027-11-07 02:00 EDT -> 01:00 EST. 01:30 happens twice: it runs once, at the first.
  EXPECT_EQ(fires_in("America/New_York", "cron(30 1 * * ? *)", utc(2027, 11, 6, 12, 0)),
            (V{"2027-11-07T05:30:00.000Z", "2027-11-08T06:30:00.000Z", "2027-11-09T06:30:00.000Z"}));
  // Every 30 minutes: 01:00 and 01:30 EDT; the repeated 01:00 and 01:30 EST are not run again.
  EXPECT_EQ(fires_in("America/New_York", "cron(0/30 * * * ? *)", utc(2027, 11, 7, 4, 45)),
            (V{"2027-11-07T05:00:00.000Z", "2027-11-07T05:30:00.000Z", "2027-11-07T07:00:00.000Z"}));
  // Asked from inside the repeated hour (01:10 EST): the next new wall time is 02:00 EST.
  EXPECT_EQ(fires_in("America/New_York", "cron(0/30 * * * ? *)", utc(2027, 11, 7, 6, 10), 1),
            (V{"2027-11-07T07:00:00.000Z"}));
  EXPECT_EQ(fires_in("America/New_York", "cron(0 9 * * ? *)", utc(2027, 11, 6)),
            (V{"2027-11-06T13:00:00.000Z", "2027-11-07T14:00:00.000Z", "2027-11-08T14:00:00.000Z"}));
}

TEST(SchedulesExpression, CronInBerlinAcrossDst) {
  // 2027-03-28 02:00 CET -> 03:00 CEST: 02:30 skipped that day.
  EXPECT_EQ(fires_in("Europe/Berlin", "cron(30 2 * * ? *)", utc(2027, 3, 27, 12, 0), 2),
            (V{"2027-03-29T00:30:00.000Z", "2027-03-30T00:30:00.000Z"}));
  // 2027-10-31 03:00 CEST -> 02:00 CET: 02:30 once, in CEST.
  EXPECT_EQ(fires_in("Europe/Berlin", "cron(30 2 * * ? *)", utc(2027, 10, 30, 12, 0), 2),
            (V{"2027-10-31T00:30:00.000Z", "2027-11-01T01:30:00.000Z"}));
  // Hourly: 02:00 CEST, then 03:00 CET; the second 02:00 is not run.
  EXPECT_EQ(fires_in("Europe/Berlin", "cron(0 * * * ? *)", utc(2027, 10, 30, 23, 30), 2),
            (V{"2027-10-31T00:00:00.000Z", "2027-10-31T02:00:00.000Z"}));
  // Day-of-week is read on the local calendar: Monday 00:30 in Berlin is Sunday 23:30 UTC.
  EXPECT_EQ(fires_in("Europe/Berlin", "cron(30 0 ? * MON *)", utc(2027, 1, 1), 1), (V{"2027-01-03T23:30:00.000Z"}));
}

TEST(SchedulesExpression, AtFiresOnceInItsZone) {
  const Expression at = parsed("at(2027-06-01T09:00:00)");
  const Evaluation in_utc = schedules::for_schedule(TimeZone::utc(), utc(2027, 1, 1));
  EXPECT_EQ(iso(schedules::upcoming(at, utc(2027, 1, 1), 3, in_utc)), (V{"2027-06-01T09:00:00.000Z"}));
  EXPECT_EQ(iso(schedules::next_after(at, utc(2027, 6, 1, 9, 0), in_utc)), "never");
  EXPECT_EQ(fires_in("America/New_York", "at(2027-06-01T09:00:00)", utc(2027, 1, 1)), (V{"2027-06-01T13:00:00.000Z"}));
  EXPECT_EQ(fires_in("Asia/Kolkata", "at(2027-06-01T09:00:30)", utc(2027, 1, 1)), (V{"2027-06-01T03:30:30.000Z"}));
  // A wall time the spring-forward skips moves forward by the gap (02:30 -> 03:30 EDT);
  // one the fall-back repeats is its first occurrence (01:30 EDT).
  EXPECT_EQ(fires_in("America/New_York", "at(2027-03-14T02:30:00)", utc(2027, 1, 1)), (V{"2027-03-14T07:30:00.000Z"}));
  EXPECT_EQ(fires_in("America/New_York", "at(2027-11-07T01:30:00)", utc(2027, 1, 1)), (V{"2027-11-07T05:30:00.000Z"}));
  // StartDate and EndDate don't apply to a one-time schedule.
  const Evaluation window = schedules::for_schedule(TimeZone::utc(), utc(2027, 1, 1), utc(2028, 1, 1), utc(2027, 2, 1));
  EXPECT_EQ(iso(schedules::next_after(at, utc(2027, 1, 1), window)), "2027-06-01T09:00:00.000Z");
}

TEST(SchedulesExpression, CronKeepsToTheScheduleWindow) {
  const Evaluation window =
      schedules::for_schedule(TimeZone::utc(), utc(2027, 1, 1), utc(2027, 1, 10, 10, 0), utc(2027, 1, 12, 10, 0));
  // The StartDate itself may fire; the EndDate may not.
  EXPECT_EQ(iso(schedules::upcoming(parsed("cron(0 10 * * ? *)"), utc(2027, 1, 1), 5, window)),
            (V{"2027-01-10T10:00:00.000Z", "2027-01-11T10:00:00.000Z"}));
}

TEST(SchedulesExpression, ImpossibleOrFarAwayIsQuick) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(rule_fires("cron(0 0 30 2 ? *)", utc(2027, 1, 1)), (V{}));
  EXPECT_EQ(fires_in("America/New_York", "cron(0 0 30 2 ? *)", utc(1970, 1, 1)), (V{}));
  EXPECT_EQ(rule_fires("cron(0 0 29 2 ? *)", utc(2097, 1, 1), 2),
            (V{"2104-02-29T00:00:00.000Z", "2108-02-29T00:00:00.000Z"}));
  EXPECT_EQ(rule_fires("cron(59 23 31 12 ? 2199)", utc(2027, 1, 1), 2), (V{"2199-12-31T23:59:00.000Z"}));
  // Time zones east of UTC reach 2199's last local minute before 2200 in UTC; west of it, after.
  EXPECT_EQ(fires_in("Pacific/Kiritimati", "cron(59 23 31 12 ? 2199)", utc(2027, 1, 1)),
            (V{"2199-12-31T09:59:00.000Z"}));
  EXPECT_EQ(fires_in("Pacific/Pago_Pago", "cron(59 23 31 12 ? 2199)", utc(2027, 1, 1)),
            (V{"2200-01-01T10:59:00.000Z"}));
  EXPECT_EQ(rule_fires("rate(5 minutes)", utc(2300, 1, 1), 1), (V{}));
  EXPECT_EQ(rule_fires("cron(* * * * ? *)", Time::max(), 1), (V{}));
  EXPECT_EQ(rule_fires("cron(* * * * ? *)", Time::min(), 1), (V{"1970-01-01T00:00:00.000Z"}));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, 200ms);
}

TEST(SchedulesExpression, UpcomingGivesTheNextThree) {
  // What `nimbus schedules ls` shows.
  EXPECT_EQ(rule_fires("cron(0 12 ? * 6L *)", utc(2027, 1, 1)),
            (V{"2027-01-29T12:00:00.000Z", "2027-02-26T12:00:00.000Z", "2027-03-26T12:00:00.000Z"}));
  EXPECT_EQ(rule_fires("cron(0 12 ? * 6L *)", utc(2027, 1, 1), 0), (V{}));
}

TEST(SchedulesExpression, LatestNotAfterIsTheLastMissedFire) {
  Time created = utc(2027, 1, 1, 10, 0, 7);
  auto ev = schedules::for_schedule(TimeZone::utc(), created);
  Expression rate = parsed("rate(5 minutes)");
  // Down for a day: one answer, found without walking every fire.
  EXPECT_EQ(iso(schedules::latest_not_after(rate, created, utc(2027, 1, 2, 10, 3), ev)), "2027-01-02T10:00:07.000Z");
  EXPECT_EQ(iso(schedules::latest_not_after(rate, created, created + 4min, ev)), "never");
  // An EndDate inside the gap: the last fire before it.
  auto ended = schedules::for_schedule(TimeZone::utc(), created, std::nullopt, utc(2027, 1, 1, 12, 1));
  EXPECT_EQ(iso(schedules::latest_not_after(rate, created, utc(2027, 1, 3), ended)), "2027-01-01T12:00:07.000Z");
  Expression cron = parsed("cron(0 9 * * ? *)");
  auto berlin = schedules::for_schedule(zone("Europe/Berlin"), created);
  EXPECT_EQ(iso(schedules::latest_not_after(cron, created, utc(2027, 7, 4, 7, 30), berlin)), "2027-07-04T07:00:00.000Z");
  EXPECT_EQ(iso(schedules::latest_not_after(cron, utc(2027, 7, 4, 7), utc(2027, 7, 4, 7, 30), berlin)), "never");
  Expression at = parsed("at(2027-03-01T08:00:00)");
  EXPECT_EQ(iso(schedules::latest_not_after(at, created, utc(2027, 6, 1), ev)), "2027-03-01T08:00:00.000Z");
}
