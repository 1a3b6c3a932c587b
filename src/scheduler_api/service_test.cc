// The Scheduler API on a real scheduler.db: shapes as botocore reads them,
// validation in AWS's words and nimbus's refusals, errors by the model's
// codes, ClientTokens, paging and tags.
#include "scheduler_api/service.h"

#include <gtest/gtest.h>

#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>

#include "timetable/test_support.h"

using namespace nimbus;
using namespace nimbus::timetable::testing;
namespace json = boost::json;

namespace {

constexpr const char* kFunctionArn = "arn:aws:lambda:us-east-1:000000000000:function:recorder";
constexpr const char* kBusArn = "arn:aws:events:us-east-1:000000000000:event-bus/default";

struct Api {
  Fixture f;
  boost::asio::thread_pool pool{1};
  scheduler_api::Service service{*f.store, pool, f.clock};

  base::Result<json::object> call(const std::string& method, const std::string& target, json::object body = {}) {
    return service.call(method, target, body);
  }
  // The wire error a call answers: "Code status".
  std::string error(const std::string& method, const std::string& target, json::object body = {}) {
    auto r = call(method, target, std::move(body));
    if (r) return "accepted";
    auto e = scheduler_api::error_of(r.error());
    return e.code + " " + std::to_string(e.status);
  }
  std::string message(const std::string& method, const std::string& target, json::object body = {}) {
    auto r = call(method, target, std::move(body));
    return r ? "accepted" : r.error().message;
  }
};

json::object minimal(std::string expression = "rate(5 minutes)", std::string target = kQueueArn) {
  return {{"ScheduleExpression", expression},
          {"FlexibleTimeWindow", {{"Mode", "OFF"}}},
          {"Target", {{"Arn", target}, {"RoleArn", kRole}}}};
}

json::object with(json::object o, std::string_view key, json::value v) {
  o[key] = std::move(v);
  return o;
}

json::object with_target(json::object o, std::string_view key, json::value v) {
  o["Target"].as_object()[key] = std::move(v);
  return o;
}

}  // namespace

TEST(SchedulerApi, CreateGetUpdateDeleteAsBotocoreReadsThem) {
  Api a;
  json::object body = minimal("cron(0 9 ? * MON-FRI *)");
  body["ScheduleExpressionTimezone"] = "America/New_York";
  body["StartDate"] = 1893456000;  // 2030-01-01
  body["EndDate"] = 1924992000.5;
  body["Description"] = "weekday mornings";
  body["FlexibleTimeWindow"] = {{"Mode", "FLEXIBLE"}, {"MaximumWindowInMinutes", 15}};
  body["ActionAfterCompletion"] = "DELETE";
  body["Target"].as_object()["Input"] = R"({"at":"<aws.scheduler.scheduled-time>"})";
  body["Target"].as_object()["DeadLetterConfig"] = {{"Arn", kDlqArn}};
  body["Target"].as_object()["RetryPolicy"] = {{"MaximumRetryAttempts", 3}};
  auto made = a.call("POST", "/schedules/morning", body);
  ASSERT_TRUE(made.ok()) << made.error().message;
  EXPECT_EQ((*made)["ScheduleArn"], "arn:aws:scheduler:us-east-1:000000000000:schedule/default/morning");

  auto got = a.call("GET", "/schedules/morning");
  ASSERT_TRUE(got.ok());
  json::object& g = *got;
  EXPECT_EQ(g["Name"], "morning");
  EXPECT_EQ(g["GroupName"], "default");
  EXPECT_EQ(g["ScheduleExpression"], "cron(0 9 ? * MON-FRI *)");
  EXPECT_EQ(g["ScheduleExpressionTimezone"], "America/New_York");
  EXPECT_EQ(g["StartDate"], 1893456000.0);
  EXPECT_EQ(g["EndDate"], 1924992000.5);
  EXPECT_EQ(g["State"], "ENABLED");
  EXPECT_EQ(g["ActionAfterCompletion"], "DELETE");
  EXPECT_EQ(g["FlexibleTimeWindow"], (json::object{{"Mode", "FLEXIBLE"}, {"MaximumWindowInMinutes", 15}}));
  EXPECT_EQ(g["CreationDate"], static_cast<double>(a.f.clock.now_ms()) / 1000);
  json::object& t = g["Target"].as_object();
  EXPECT_EQ(t["Input"], R"({"at":"<aws.scheduler.scheduled-time>"})");
  EXPECT_EQ(t["RetryPolicy"], (json::object{{"MaximumEventAgeInSeconds", 86400}, {"MaximumRetryAttempts", 3}}));
  EXPECT_EQ(t["DeadLetterConfig"], (json::object{{"Arn", kDlqArn}}));

  // UpdateSchedule replaces everything: what it does not name goes back to its default.
  a.f.clock.advance_ms(5000);
  ASSERT_TRUE(a.call("PUT", "/schedules/morning", minimal("rate(1 hour)")).ok());
  auto updated = *a.call("GET", "/schedules/morning");
  EXPECT_EQ(updated["ScheduleExpression"], "rate(1 hour)");
  EXPECT_FALSE(updated.contains("ScheduleExpressionTimezone"));
  EXPECT_FALSE(updated.contains("Description"));
  EXPECT_EQ(updated["ActionAfterCompletion"], "NONE");
  EXPECT_EQ(updated["FlexibleTimeWindow"], (json::object{{"Mode", "OFF"}}));
  EXPECT_EQ(updated["Target"].as_object()["RetryPolicy"],
            (json::object{{"MaximumEventAgeInSeconds", 86400}, {"MaximumRetryAttempts", 185}}));
  EXPECT_EQ(updated["CreationDate"], g["CreationDate"]);
  EXPECT_GT(updated["LastModificationDate"].as_double(), updated["CreationDate"].as_double());

  EXPECT_EQ(a.error("PUT", "/schedules/nope", minimal()), "ResourceNotFoundException 404");
  ASSERT_TRUE(a.call("DELETE", "/schedules/morning").ok());
  EXPECT_EQ(a.error("GET", "/schedules/morning"), "ResourceNotFoundException 404");
  EXPECT_EQ(a.error("DELETE", "/schedules/morning"), "ResourceNotFoundException 404");
}

TEST(SchedulerApi, ConflictsAndMissingGroups) {
  Api a;
  ASSERT_TRUE(a.call("POST", "/schedules/s", minimal()).ok());
  EXPECT_EQ(a.error("POST", "/schedules/s", minimal()), "ConflictException 409");
  EXPECT_EQ(a.error("POST", "/schedules/s", with(minimal(), "GroupName", "missing")), "ResourceNotFoundException 404");
  EXPECT_EQ(a.error("GET", "/schedules/s?groupName=missing"), "ResourceNotFoundException 404");
  EXPECT_EQ(a.error("GET", "/schedules?ScheduleGroup=missing"), "ResourceNotFoundException 404");
  EXPECT_EQ(a.error("POST", "/schedule-groups/default"), "ConflictException 409");
  EXPECT_EQ(a.error("DELETE", "/schedule-groups/default"), "ValidationException 400");
  EXPECT_EQ(a.error("DELETE", "/schedule-groups/missing"), "ResourceNotFoundException 404");
  // A client's retry carries its first ClientToken: answered as the first time.
  json::object body = with(minimal(), "ClientToken", "retry-1");
  ASSERT_TRUE(a.call("POST", "/schedules/t", body).ok());
  EXPECT_EQ(a.error("POST", "/schedules/t", body), "accepted");
  EXPECT_EQ(a.error("POST", "/schedules/t", with(minimal(), "ClientToken", "retry-2")), "ConflictException 409");
  ASSERT_TRUE(a.call("DELETE", "/schedules/t?clientToken=del-1").ok());
  EXPECT_EQ(a.error("DELETE", "/schedules/t?clientToken=del-1"), "accepted");
}

TEST(SchedulerApi, ValidationInAwsWordsAndRefusalsSayingSo) {
  Api a;
  auto bad = [&](json::object body) { return a.error("POST", "/schedules/v", std::move(body)); };
  auto says = [&](json::object body) { return a.message("POST", "/schedules/v", std::move(body)); };
  EXPECT_EQ(says(minimal("rate(1 minutes)")).rfind("Invalid Schedule Expression rate(1 minutes): ", 0), 0u);
  EXPECT_EQ(bad(minimal("cron(0 12 * * * *)")), "ValidationException 400");
  EXPECT_EQ(bad(minimal("at(2027-02-30T10:00:00)")), "ValidationException 400");
  EXPECT_EQ(says(with(minimal(), "ScheduleExpressionTimezone", "Mars/Olympus")),
            "Invalid ScheduleExpressionTimezone Mars/Olympus: unknown time zone 'Mars/Olympus'");
  EXPECT_EQ(bad(with(minimal(), "FlexibleTimeWindow", {{"Mode", "FLEXIBLE"}})), "ValidationException 400");
  EXPECT_EQ(bad(with(minimal(), "FlexibleTimeWindow", {{"Mode", "OFF"}, {"MaximumWindowInMinutes", 5}})),
            "ValidationException 400");
  EXPECT_EQ(bad(with(minimal(), "FlexibleTimeWindow", {{"Mode", "FLEXIBLE"}, {"MaximumWindowInMinutes", 1441}})),
            "ValidationException 400");
  json::object no_window = minimal();
  no_window.erase("FlexibleTimeWindow");
  EXPECT_EQ(says(no_window), "1 validation error detected: Value null at 'flexibleTimeWindow' failed to satisfy "
                             "constraint: Member must not be null");
  EXPECT_EQ(bad(with(minimal(), "State", "PAUSED")), "ValidationException 400");
  EXPECT_EQ(bad(with(minimal(), "ActionAfterCompletion", "ARCHIVE")), "ValidationException 400");
  EXPECT_EQ(bad(with(with(minimal(), "StartDate", 1900000000), "EndDate", 1800000000)), "ValidationException 400");
  EXPECT_EQ(a.error("POST", "/schedules/bad%20name", minimal()), "ValidationException 400");
  EXPECT_EQ(bad(with_target(minimal(), "RoleArn", "role")), "ValidationException 400");
  EXPECT_EQ(bad(with_target(minimal(), "RetryPolicy", {{"MaximumRetryAttempts", 186}})), "ValidationException 400");
  EXPECT_EQ(bad(with_target(minimal(), "RetryPolicy", {{"MaximumEventAgeInSeconds", 59}})), "ValidationException 400");
  EXPECT_EQ(bad(with_target(minimal(), "DeadLetterConfig", {{"Arn", std::string(kDlqArn) + ".fifo"}})),
            "ValidationException 400");
  // Lambda and bus targets take JSON; a placeholder may stand where a value goes.
  EXPECT_EQ(bad(with_target(minimal("rate(5 minutes)", kFunctionArn), "Input", "not json")), "ValidationException 400");
  EXPECT_EQ(bad(with_target(minimal("rate(5 minutes)", kFunctionArn), "Input", R"({"n":<aws.scheduler.attempt-number>})")),
            "accepted");
  ASSERT_TRUE(a.call("DELETE", "/schedules/v").ok());
  EXPECT_EQ(bad(with_target(minimal("rate(5 minutes)", kQueueArn), "Input", "plain text to a queue")), "accepted");
  ASSERT_TRUE(a.call("DELETE", "/schedules/v").ok());
  // A bus target needs EventBridgeParameters; others may not have them.
  EXPECT_EQ(bad(minimal("rate(5 minutes)", kBusArn)), "ValidationException 400");
  json::object params{{"DetailType", "Tick"}, {"Source", "shop.clock"}};
  EXPECT_EQ(bad(with_target(minimal(), "EventBridgeParameters", params)), "ValidationException 400");
  EXPECT_EQ(bad(with_target(minimal("rate(5 minutes)", kBusArn), "EventBridgeParameters",
                            {{"DetailType", "Tick"}, {"Source", "aws.clock"}})),
            "ValidationException 400");
  EXPECT_EQ(bad(with_target(minimal("rate(5 minutes)", kBusArn), "EventBridgeParameters", params)), "accepted");
  ASSERT_TRUE(a.call("DELETE", "/schedules/v").ok());
  // What nimbus does not run is refused by name, never ignored.
  EXPECT_EQ(says(with(minimal(), "KmsKeyArn", "arn:aws:kms:us-east-1:000000000000:key/k")),
            "nimbus does not support the parameter KmsKeyArn of CreateSchedule yet");
  EXPECT_EQ(says(with_target(minimal(), "SqsParameters", {{"MessageGroupId", "g"}})),
            "nimbus does not support the parameter SqsParameters of CreateSchedule yet");
  EXPECT_EQ(bad(with_target(minimal(), "EcsParameters", {{"TaskDefinitionArn", "t"}})), "ValidationException 400");
  EXPECT_EQ(says(minimal("rate(5 minutes)", "arn:aws:scheduler:::aws-sdk:sqs:sendMessage")).rfind("nimbus does not support the target", 0),
            0u);
  EXPECT_EQ(bad(minimal("rate(5 minutes)", "arn:aws:sqs:us-east-1:000000000000:orders.fifo")), "ValidationException 400");
  EXPECT_EQ(a.error("PATCH", "/schedules/v"), "ResourceNotFoundException 404");
}

TEST(SchedulerApi, ListSchedulesFiltersAndPages) {
  Api a;
  ASSERT_TRUE(a.call("POST", "/schedule-groups/batch").ok());
  for (const char* n : {"alpha", "beta", "gamma"}) ASSERT_TRUE(a.call("POST", std::string("/schedules/") + n, minimal()).ok());
  ASSERT_TRUE(a.call("POST", "/schedules/alpha", with(with(minimal(), "GroupName", "batch"), "State", "DISABLED")).ok());
  auto all = *a.call("GET", "/schedules");
  ASSERT_EQ(all["Schedules"].as_array().size(), 4u);
  json::object first = all["Schedules"].as_array()[0].as_object();
  EXPECT_EQ(first["Arn"], "arn:aws:scheduler:us-east-1:000000000000:schedule/batch/alpha");
  EXPECT_EQ(first["Target"], (json::object{{"Arn", kQueueArn}}));
  EXPECT_EQ((*a.call("GET", "/schedules?ScheduleGroup=default"))["Schedules"].as_array().size(), 3u);
  EXPECT_EQ((*a.call("GET", "/schedules?NamePrefix=al"))["Schedules"].as_array().size(), 2u);
  EXPECT_EQ((*a.call("GET", "/schedules?State=DISABLED"))["Schedules"].as_array().size(), 1u);
  std::vector<std::string> names;
  std::string token;
  for (int pages = 0; pages < 4; ++pages) {
    auto page = *a.call("GET", "/schedules?MaxResults=3" + (token.empty() ? "" : "&NextToken=" + token));
    for (const auto& s : page["Schedules"].as_array()) names.push_back(std::string(s.as_object().at("Name").as_string()));
    if (!page.contains("NextToken")) break;
    token = std::string(page["NextToken"].as_string());
    token.replace(token.find('/'), 1, "%2F");
  }
  EXPECT_EQ(names, (std::vector<std::string>{"alpha", "alpha", "beta", "gamma"}));
  EXPECT_EQ(a.error("GET", "/schedules?MaxResults=101"), "ValidationException 400");
  EXPECT_EQ(a.error("GET", "/schedules?State=PAUSED"), "ValidationException 400");
}

TEST(SchedulerApi, GroupsTheirTagsAndTheirDeletion) {
  Api a;
  auto made = a.call("POST", "/schedule-groups/nightly", {{"Tags", json::array{{{"Key", "team"}, {"Value", "ops"}}}}});
  ASSERT_TRUE(made.ok());
  std::string arn = std::string((*made)["ScheduleGroupArn"].as_string());
  EXPECT_EQ(arn, "arn:aws:scheduler:us-east-1:000000000000:schedule-group/nightly");
  auto g = *a.call("GET", "/schedule-groups/nightly");
  EXPECT_EQ(g["State"], "ACTIVE");
  EXPECT_EQ(g["Arn"], json::value(arn));
  auto groups = *a.call("GET", "/schedule-groups");
  ASSERT_EQ(groups["ScheduleGroups"].as_array().size(), 2u);
  EXPECT_EQ(groups["ScheduleGroups"].as_array()[0].as_object().at("Name"), "default");
  EXPECT_EQ((*a.call("GET", "/schedule-groups?NamePrefix=ni"))["ScheduleGroups"].as_array().size(), 1u);

  std::string encoded = "/tags/arn%3Aaws%3Ascheduler%3Aus-east-1%3A000000000000%3Aschedule-group%2Fnightly";
  ASSERT_TRUE(a.call("POST", encoded, {{"Tags", json::array{{{"Key", "tier"}, {"Value", "gold"}}}}}).ok());
  EXPECT_EQ((*a.call("GET", encoded))["Tags"],
            (json::array{{{"Key", "team"}, {"Value", "ops"}}, {{"Key", "tier"}, {"Value", "gold"}}}));
  ASSERT_TRUE(a.call("DELETE", encoded + "?TagKeys=team").ok());
  EXPECT_EQ((*a.call("GET", "/tags/" + arn))["Tags"], (json::array{{{"Key", "tier"}, {"Value", "gold"}}}));
  // Schedules carry no tags.
  EXPECT_EQ(a.error("GET", "/tags/arn:aws:scheduler:us-east-1:000000000000:schedule/default/x"), "ValidationException 400");
  EXPECT_EQ(a.error("GET", "/tags/arn:aws:scheduler:us-east-1:000000000000:schedule-group/gone"),
            "ResourceNotFoundException 404");
  EXPECT_EQ(a.error("POST", encoded, {{"Tags", json::array{{{"Key", "k"}, {"Value", ""}}}}}), "ValidationException 400");
  EXPECT_EQ(a.error("DELETE", encoded), "ValidationException 400");  // TagKeys is required

  ASSERT_TRUE(a.call("POST", "/schedules/backup", with(minimal(), "GroupName", "nightly")).ok());
  ASSERT_TRUE(a.call("DELETE", "/schedule-groups/nightly").ok());
  EXPECT_EQ(a.error("GET", "/schedules/backup?groupName=nightly"), "ResourceNotFoundException 404");
  EXPECT_EQ(a.error("GET", "/schedule-groups/nightly"), "ResourceNotFoundException 404");
}
