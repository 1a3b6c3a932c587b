// The Logs API's handlers against a real LogStore in a temporary directory:
// each operation through Service::call, and the wire through Service::handle
// behind the edge router.
#include "logs_api/service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/thread_pool.hpp>
#include <boost/json/parse.hpp>
#include <filesystem>

#include "aws/router.h"
#include "aws/test_request.h"
#include "observability/log_store.h"

namespace nimbus::logs_api {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

class LogsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nimbus-logs-api-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto s = observability::LogStore::open(dir_.string(), {.retention_days = 0});
    ASSERT_TRUE(s) << s.error().message;
    store_ = std::move(*s);
    service_ = std::make_unique<Service>(*store_, pool_, "eu-west-1");
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }
  json::object call(const std::string& op, std::string_view body) {
    auto r = service_->call(op, json::parse(body).as_object());
    EXPECT_TRUE(r) << op << ": " << r.error().message;
    return r ? *r : json::object{};
  }
  base::Error fails(const std::string& op, std::string_view body) {
    auto r = service_->call(op, json::parse(body).as_object());
    EXPECT_FALSE(r) << op << " succeeded";
    return r ? base::Error{} : r.error();
  }

  fs::path dir_;
  boost::asio::thread_pool pool_{1};
  std::unique_ptr<observability::LogStore> store_;
  std::unique_ptr<Service> service_;
};

TEST_F(LogsApiTest, GroupsStreamsAndEvents) {
  store_->append("/aws/lambda/f", "2024/01/01/[$LATEST]a", "r1", 1000, "hello");
  store_->append("/aws/lambda/f", "2024/01/01/[$LATEST]a", "r1", 2000, "world");
  store_->append("/aws/lambda/g", "s", "r2", 1500, "other");
  store_->flush();
  auto groups = call("DescribeLogGroups", R"({"logGroupNamePrefix":"/aws/lambda/"})");
  ASSERT_EQ(groups["logGroups"].as_array().size(), 2u);
  auto first = groups["logGroups"].as_array()[0].as_object();
  EXPECT_EQ(first["logGroupName"], "/aws/lambda/f");
  EXPECT_EQ(first["logGroupArn"], "arn:aws:logs:eu-west-1:000000000000:log-group:/aws/lambda/f");
  auto streams = call("DescribeLogStreams", R"({"logGroupName":"/aws/lambda/f"})");
  ASSERT_EQ(streams["logStreams"].as_array().size(), 1u);
  auto events = call("GetLogEvents",
                     R"({"logGroupName":"/aws/lambda/f","logStreamName":"2024/01/01/[$LATEST]a","startFromHead":true})");
  ASSERT_EQ(events["events"].as_array().size(), 2u);
  EXPECT_EQ(events["events"].as_array()[0].as_object()["message"], "hello");
  auto filtered = call("FilterLogEvents", R"({"logGroupName":"/aws/lambda/f","filterPattern":"world"})");
  ASSERT_EQ(filtered["events"].as_array().size(), 1u);
  EXPECT_EQ(filtered["events"].as_array()[0].as_object()["message"], "world");
}

TEST_F(LogsApiTest, CreateRetentionAndDelete) {
  call("CreateLogGroup", R"({"logGroupName":"mine"})");
  EXPECT_EQ(fails("CreateLogGroup", R"({"logGroupName":"mine"})").code, base::ErrorCode::kAlreadyExists);
  call("PutRetentionPolicy", R"({"logGroupName":"mine","retentionInDays":7})");
  EXPECT_EQ(fails("PutRetentionPolicy", R"({"logGroupName":"mine","retentionInDays":8})").code,
            base::ErrorCode::kInvalidArgument);
  auto groups = call("DescribeLogGroups", R"({"logGroupNamePrefix":"mine"})");
  EXPECT_EQ(groups["logGroups"].as_array()[0].as_object()["retentionInDays"], 7);
  call("DeleteRetentionPolicy", R"({"logGroupName":"mine"})");
  call("DeleteLogGroup", R"({"logGroupName":"mine"})");
  EXPECT_EQ(fails("DeleteLogGroup", R"({"logGroupName":"mine"})").code, base::ErrorCode::kNotFound);
}

TEST_F(LogsApiTest, BadInputInCloudWatchTerms) {
  EXPECT_EQ(fails("DescribeLogStreams", R"({"logGroupName":"g","orderBy":"Size"})").message,
            "orderBy must be LogStreamName or LastEventTime");
  EXPECT_EQ(fails("DescribeLogGroups", R"({"limit":"ten"})").code, base::ErrorCode::kMalformed);
  EXPECT_EQ(error_of(base::make_error(base::ErrorCode::kMalformed, "x")).code, "SerializationException");
  EXPECT_EQ(error_of(base::make_error(base::ErrorCode::kNotFound, "x")).code, "ResourceNotFoundException");
  EXPECT_EQ(error_of(base::make_error(base::ErrorCode::kIo, "x")).status, 500);
}

TEST_F(LogsApiTest, OverTheWireBehindTheEdge) {
  store_->append("/aws/lambda/f", "s", "r", 1000, "line");
  store_->flush();
  auth::CredentialStore creds = auth::CredentialStore::with_defaults();
  auth::SigningKeyCache keys;
  aws::Router router{aws::Authenticator{creds, keys, "000000000000", {}}};
  router.add(service_->descriptor());
  auto t = aws::testing::make_request("POST", "/", R"({"logGroupNamePrefix":"/aws"})",
                                      {{"x-amz-target", "Logs_20140328.DescribeLogGroups"},
                                       {"content-type", "application/x-amz-json-1.1"}},
                                      "logs");
  auto res = aws::testing::run(router.handle(t->req));
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_NE(res.body.find("\"logGroupName\":\"/aws/lambda/f\""), std::string::npos);
  auto bad = aws::testing::make_request("POST", "/", "{not json", {{"x-amz-target", "Logs_20140328.DescribeLogGroups"}},
                                        "logs");
  res = aws::testing::run(router.handle(bad->req));
  EXPECT_EQ(res.status, 400);
  EXPECT_NE(res.body.find("SerializationException"), std::string::npos);
  // A missing signature is 403 now, as in every other service.
  auto unsigned_req = aws::testing::make_request("POST", "/", "{}", {{"x-amz-target", "Logs_20140328.DescribeLogGroups"}},
                                                 "logs", "");
  res = aws::testing::run(router.handle(unsigned_req->req));
  EXPECT_EQ(res.status, 403);
  EXPECT_NE(res.body.find("MissingAuthenticationTokenException"), std::string::npos);
}

}  // namespace
}  // namespace nimbus::logs_api
