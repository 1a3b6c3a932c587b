// timetable::Store: groups and schedules kept across a reopen, a group's
// deletion taking its schedules, ClientTokens answering retries, and the
// timer's bookkeeping.
#include "timetable/store.h"

#include <gtest/gtest.h>

#include "timetable/test_support.h"

using namespace nimbus;
using namespace nimbus::timetable;
using namespace nimbus::timetable::testing;
using schedules::testing::utc;

TEST(TimetableStore, GroupsSchedulesAndTagsSurviveAReopen) {
  queue::TestDir dir{"timetable-"};
  base::FakeClock clock(ms(utc(2027, 1, 4, 10)));
  {
    auto store = std::move(*Store::open(dir.file("scheduler.db"), "us-east-1", clock));
    auto def = store->group(kDefaultGroup);
    ASSERT_TRUE(def);
    EXPECT_EQ(def->arn, "arn:aws:scheduler:us-east-1:000000000000:schedule-group/default");
    EXPECT_EQ(def->created_ms, clock.now_ms());  // the schedules' clock, which a test may scale
    Group g;
    g.name = "nightly";
    g.tags = {{"team", "ops"}};
    g.created_ms = g.modified_ms = clock.now_ms();
    ASSERT_TRUE(store->create_group(g).ok());
    EXPECT_EQ(store->create_group(g).error().code, base::ErrorCode::kAlreadyExists);

    Schedule s;
    s.name = "backup";
    s.group = "nightly";
    s.expression = "cron(30 2 * * ? *)";
    s.time_zone = "Europe/Berlin";
    s.start_ms = ms(utc(2027, 2, 1));
    s.end_ms = ms(utc(2028, 2, 1));
    s.state = "DISABLED";
    s.description = "";
    s.flexible_window_minutes = 15;
    s.action_after_completion = "DELETE";
    s.target.arn = kQueueArn;
    s.target.role_arn = kRole;
    s.target.input = R"({"at":"<aws.scheduler.scheduled-time>"})";
    s.target.retry = {3, 600};
    s.target.dead_letter_arn = kDlqArn;
    s.created_ms = s.modified_ms = clock.now_ms();
    auto made = store->create_schedule(s);
    ASSERT_TRUE(made.ok());
    EXPECT_EQ(made->arn, "arn:aws:scheduler:us-east-1:000000000000:schedule/nightly/backup");
    EXPECT_EQ(store->create_schedule(s).error().code, base::ErrorCode::kAlreadyExists);
    ASSERT_TRUE(store->set_last_fired(made->arn, ms(utc(2027, 2, 2, 1, 30))).ok());
  }
  auto store = std::move(*Store::open(dir.file("scheduler.db"), "us-east-1", clock));
  auto g = store->group("nightly");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->tags.at("team"), "ops");
  EXPECT_EQ(store->tags(g->arn)->at("team"), "ops");
  auto s = store->schedule("nightly", "backup");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->expression, "cron(30 2 * * ? *)");
  EXPECT_EQ(s->time_zone, "Europe/Berlin");
  EXPECT_EQ(s->start_ms, ms(utc(2027, 2, 1)));
  EXPECT_EQ(s->end_ms, ms(utc(2028, 2, 1)));
  EXPECT_EQ(s->state, "DISABLED");
  EXPECT_EQ(s->description, std::optional<std::string>(""));
  EXPECT_EQ(s->flexible_window_minutes, 15);
  EXPECT_TRUE(s->deletes_after_completion());
  EXPECT_EQ(s->target.input.value_or(""), R"({"at":"<aws.scheduler.scheduled-time>"})");
  EXPECT_EQ(s->target.retry.maximum_retry_attempts, 3);
  EXPECT_EQ(s->target.retry.maximum_event_age_seconds, 600);
  EXPECT_EQ(s->target.dead_letter_arn, kDlqArn);
  EXPECT_EQ(store->last_fired(s->arn), ms(utc(2027, 2, 2, 1, 30)));
  EXPECT_TRUE(store->enabled().empty());  // DISABLED
  s->state = "ENABLED";
  ASSERT_TRUE(store->update_schedule(*s).ok());
  ASSERT_EQ(store->enabled().size(), 1u);
  EXPECT_EQ(store->enabled()[0]->evaluation.zone.name(), "Europe/Berlin");
}

TEST(TimetableStore, DeletingAGroupDeletesItsSchedulesButNeverTheDefault) {
  Fixture f;
  Group g;
  g.name = "batch";
  ASSERT_TRUE(f.store->create_group(g).ok());
  Schedule a = f.schedule("a", "rate(5 minutes)");
  a.group = "batch";
  f.create(a);
  f.create(f.schedule("b", "rate(5 minutes)"));
  Schedule missing = f.schedule("c", "rate(5 minutes)");
  missing.group = "nope";
  EXPECT_EQ(f.store->create_schedule(missing).error().code, base::ErrorCode::kNotFound);
  ASSERT_TRUE(f.store->delete_group("batch").ok());
  EXPECT_FALSE(f.store->schedule("batch", "a"));
  EXPECT_TRUE(f.store->schedule(kDefaultGroup, "b"));
  EXPECT_EQ(f.store->delete_group("batch").error().code, base::ErrorCode::kNotFound);
  EXPECT_EQ(f.store->delete_group(kDefaultGroup).error().code, base::ErrorCode::kInvalidArgument);
  EXPECT_EQ(f.store->delete_schedule(kDefaultGroup, "zz").error().code, base::ErrorCode::kNotFound);
}

TEST(TimetableStore, ClientTokensAnswerRetriesOfRequestsThatTookEffect) {
  Fixture f;
  Schedule s = f.schedule("once", "at(2027-01-05T00:00:00)");
  ASSERT_TRUE(f.store->create_schedule(s, "token-1").ok());
  // The same request again (a client's retry): its first answer, not a conflict.
  Schedule retry = s;
  retry.description = "changed";
  auto again = f.store->create_schedule(retry, "token-1");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->description);
  EXPECT_EQ(f.store->create_schedule(s, "token-2").error().code, base::ErrorCode::kAlreadyExists);
  EXPECT_EQ(f.store->create_schedule(s).error().code, base::ErrorCode::kAlreadyExists);
  // An update retried after a later one is not applied over it.
  Schedule first = s, second = s;
  first.description = "first";
  second.description = "second";
  ASSERT_TRUE(f.store->update_schedule(first, "u-1").ok());
  ASSERT_TRUE(f.store->update_schedule(second, "u-2").ok());
  ASSERT_TRUE(f.store->update_schedule(first, "u-1").ok());
  EXPECT_EQ(f.store->schedule(kDefaultGroup, "once")->description.value_or(""), "second");
  // A deletion retried: done already, so ok; without its token, not found.
  ASSERT_TRUE(f.store->delete_schedule(kDefaultGroup, "once", "d-1").ok());
  EXPECT_TRUE(f.store->delete_schedule(kDefaultGroup, "once", "d-1").ok());
  EXPECT_EQ(f.store->delete_schedule(kDefaultGroup, "once", "d-2").error().code, base::ErrorCode::kNotFound);
}

TEST(TimetableStore, CompletionDeletesOnlyTheVersionThatCompleted) {
  Fixture f;
  Schedule s = f.create(f.schedule("once", "at(2027-01-05T00:00:00)"));
  f.clock.advance_ms(1000);
  Schedule changed = s;
  changed.expression = "at(2027-02-05T00:00:00)";
  changed.modified_ms = f.clock.now_ms();
  ASSERT_TRUE(f.store->update_schedule(changed).ok());
  ASSERT_TRUE(f.store->delete_completed(kDefaultGroup, "once", s.modified_ms).ok());
  EXPECT_TRUE(f.store->schedule(kDefaultGroup, "once"));  // updated since: not the one that completed
  ASSERT_TRUE(f.store->delete_completed(kDefaultGroup, "once", changed.modified_ms).ok());
  EXPECT_FALSE(f.store->schedule(kDefaultGroup, "once"));
}

TEST(TimetableStore, CompileNamesWhatIsWrong) {
  Schedule s;
  s.expression = "rate(1 minutes)";
  EXPECT_EQ(compile(s).error().message.rfind("ScheduleExpression: ", 0), 0u);
  s.expression = "rate(1 minute)";
  s.time_zone = "Mars/Olympus";
  auto bad = compile(s);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "ScheduleExpressionTimezone: unknown time zone 'Mars/Olympus'");
}
