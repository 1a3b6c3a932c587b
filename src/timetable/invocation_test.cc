// What a fire sends: the Input verbatim with Scheduler's context attributes,
// the default notification without one, an event for a bus.
#include "timetable/invocation.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "timetable/test_support.h"

using namespace nimbus;
using namespace nimbus::timetable;
using namespace nimbus::timetable::testing;
using schedules::testing::utc;
namespace json = boost::json;

namespace {

Schedule schedule(std::string target, std::optional<std::string> input) {
  Schedule s;
  s.name = "tick";
  s.group = "default";
  s.arn = "arn:aws:scheduler:us-east-1:000000000000:schedule/default/tick";
  s.expression = "rate(1 minute)";
  s.target.arn = std::move(target);
  s.target.role_arn = kRole;
  s.target.input = std::move(input);
  return s;
}

}  // namespace

TEST(TimetableInvocation, TargetKinds) {
  EXPECT_EQ(target_kind("arn:aws:lambda:us-east-1:000000000000:function:f"), TargetKind::kFunction);
  EXPECT_EQ(target_kind("arn:aws:lambda:us-east-1:000000000000:function:f:live"), TargetKind::kFunction);
  EXPECT_EQ(target_kind(kQueueArn), TargetKind::kQueue);
  EXPECT_EQ(target_kind("arn:aws:sns:us-east-1:000000000000:alerts"), TargetKind::kTopic);
  EXPECT_EQ(target_kind("arn:aws:events:us-east-1:000000000000:event-bus/default"), TargetKind::kBus);
  EXPECT_FALSE(target_kind("arn:aws:scheduler:::aws-sdk:sqs:sendMessage"));
  EXPECT_FALSE(target_kind("arn:aws:states:us-east-1:000000000000:stateMachine:m"));
  EXPECT_FALSE(target_kind("arn:aws:events:us-east-1:000000000000:rule/r"));
  EXPECT_FALSE(target_kind("not an arn"));
}

TEST(TimetableInvocation, InputVerbatimWithItsContextAttributes) {
  int64_t due = ms(utc(2022, 3, 22, 18, 59, 43));
  Schedule s = schedule(kQueueArn, "arn=<aws.scheduler.schedule-arn> at=<aws.scheduler.scheduled-time> "
                                   "id=<aws.scheduler.execution-id> n=<aws.scheduler.attempt-number>");
  buses::Delivery d = delivery_for(s, due + 250, "us-east-1");
  std::string id = execution_id(s.arn, due + 250);
  EXPECT_EQ(id.size(), 16u);
  EXPECT_EQ(d.body, "arn=" + s.arn + " at=2022-03-22T18:59:43Z id=" + id + " n=<aws.scheduler.attempt-number>");
  EXPECT_EQ(d.attempt_marker, "<aws.scheduler.attempt-number>");  // Deliveries fills it at each attempt
  EXPECT_EQ(d.event, d.body);
  EXPECT_EQ(d.rule_arn, s.arn);
  ASSERT_EQ(d.dead_letter_attributes.size(), 3u);
  EXPECT_EQ(d.dead_letter_attributes[0].name, "SCHEDULE_ARN");
  EXPECT_EQ(d.dead_letter_attributes[1].value, kQueueArn);
  EXPECT_EQ(d.dead_letter_attributes[2].value, id);
  // The same fire again (a crash before it was recorded): the same delivery id, queued once.
  EXPECT_EQ(delivery_for(s, due + 250, "us-east-1").id, d.id);
  EXPECT_NE(delivery_for(s, due + 60000, "us-east-1").id, d.id);
  EXPECT_TRUE(delivery_for(schedule(kQueueArn, "plain"), due, "us-east-1").attempt_marker.empty());
}

TEST(TimetableInvocation, WithoutInputTheDefaultNotification) {
  Schedule s = schedule("arn:aws:lambda:us-east-1:000000000000:function:f", std::nullopt);
  buses::Delivery d = delivery_for(s, ms(utc(2024, 6, 13, 12, 30)), "us-east-2");
  json::object e = json::parse(d.body).as_object();
  EXPECT_EQ(e["version"], "0");
  EXPECT_EQ(e["id"], json::value(d.id));
  EXPECT_EQ(e["detail-type"], "Scheduled Event");
  EXPECT_EQ(e["source"], "aws.scheduler");
  EXPECT_EQ(e["account"], "000000000000");
  EXPECT_EQ(e["time"], "2024-06-13T12:30:00Z");
  EXPECT_EQ(e["region"], "us-east-2");
  EXPECT_EQ(e["resources"], json::array{json::string(s.arn)});
  EXPECT_EQ(e["detail"], "{}");  // a string, as AWS sends it
}

TEST(TimetableInvocation, ABusGetsAnEventWithTheInputAsDetail) {
  Schedule s = schedule("arn:aws:events:us-east-1:000000000000:event-bus/orders",
                        R"({"n": <aws.scheduler.attempt-number>, "at": "<aws.scheduler.scheduled-time>"})");
  s.target.event = EventParameters{"Nightly Report", "shop.reports"};
  buses::Delivery d = delivery_for(s, ms(utc(2027, 1, 4, 3)), "us-east-1");
  EXPECT_EQ(d.attempt_marker, "<aws.scheduler.attempt-number>");
  std::string first = d.body;
  first.replace(first.find(d.attempt_marker), d.attempt_marker.size(), "1");
  json::object e = json::parse(first).as_object();
  EXPECT_EQ(e["detail-type"], "Nightly Report");
  EXPECT_EQ(e["source"], "shop.reports");
  EXPECT_EQ(e["time"], "2027-01-04T03:00:00Z");
  EXPECT_EQ(e["resources"], json::array{json::string(s.arn)});
  EXPECT_EQ(e["detail"], (json::object{{"n", 1}, {"at", "2027-01-04T03:00:00Z"}}));
  s.target.input.reset();
  EXPECT_EQ(json::parse(delivery_for(s, 0, "us-east-1").body).as_object()["detail"], json::object{});
}
