#include "lambda_api/test_support.h"

namespace nimbus::lambda_api::testing {
namespace {

const std::string kPath = "/2019-09-25/functions/fn/event-invoke-config";

TEST_F(LambdaApiTest, EventInvokeConfigPutReplacesUpdateMerges) {
  ASSERT_EQ(create("fn").status(), 201);
  auto put = send("PUT", kPath,
                  R"({"MaximumRetryAttempts":1,"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:s3:::dlq"}}})");
  ASSERT_EQ(put.status(), 200) << put.raw.body;
  EXPECT_EQ(put.text("FunctionArn"), "arn:aws:lambda:us-east-1:000000000000:function:fn");
  EXPECT_EQ(put.object().at("MaximumRetryAttempts").as_int64(), 1);
  EXPECT_EQ(put.object().at("DestinationConfig").at("OnFailure").at("Destination").as_string(), "arn:aws:s3:::dlq");
  EXPECT_TRUE(put.object().at("LastModified").is_double());

  auto update = send("POST", kPath, R"({"MaximumEventAgeInSeconds":120})");
  ASSERT_EQ(update.status(), 200);
  EXPECT_EQ(update.object().at("MaximumRetryAttempts").as_int64(), 1);  // kept
  EXPECT_EQ(update.object().at("MaximumEventAgeInSeconds").as_int64(), 120);

  auto replace = send("PUT", kPath, R"({"MaximumEventAgeInSeconds":60})");
  ASSERT_EQ(replace.status(), 200);
  EXPECT_FALSE(replace.object().contains("MaximumRetryAttempts"));
  EXPECT_TRUE(replace.object().at("DestinationConfig").at("OnFailure").as_object().empty());

  auto get = send("GET", kPath);
  ASSERT_EQ(get.status(), 200);
  EXPECT_EQ(get.object().at("MaximumEventAgeInSeconds").as_int64(), 60);

  EXPECT_EQ(send("DELETE", kPath).status(), 204);
  auto gone = send("GET", kPath);
  EXPECT_EQ(gone.status(), 404);
  EXPECT_EQ(gone.text("message"),
            "The function arn:aws:lambda:us-east-1:000000000000:function:fn doesn't have an EventInvokeConfig");
}

TEST_F(LambdaApiTest, EventInvokeConfigValidation) {
  ASSERT_EQ(create("fn").status(), 201);
  auto retries = send("PUT", kPath, R"({"MaximumRetryAttempts":3})");
  EXPECT_EQ(retries.status(), 400);
  EXPECT_EQ(retries.text("message"), "MaximumRetryAttempts must be between 0 and 2");
  // A destination must exist when it is set.
  auto missing = send("PUT", kPath, R"({"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:sqs:us-east-1:000000000000:nope"}}})");
  EXPECT_EQ(missing.status(), 400);
  EXPECT_EQ(missing.error_type(), "InvalidParameterValueException");
  EXPECT_NE(missing.text("message").find("nope does not exist"), std::string::npos) << missing.text("message");
  EXPECT_EQ(send("GET", kPath).status(), 404);  // nothing was saved
  auto both = send("PUT", kPath, R"({"DestinationConfig":{"OnSuccess":{"Destination":"arn:aws:sns:us-east-1:000000000000:t"},)"
                                 R"("OnFailure":{"Destination":"arn:aws:sqs:us-east-1:000000000000:q"}}})");
  ASSERT_EQ(both.status(), 200) << both.raw.body;
  auto got = send("GET", kPath);
  EXPECT_EQ(got.object().at("DestinationConfig").at("OnSuccess").at("Destination").as_string(),
            "arn:aws:sns:us-east-1:000000000000:t");
  EXPECT_EQ(got.object().at("DestinationConfig").at("OnFailure").at("Destination").as_string(),
            "arn:aws:sqs:us-east-1:000000000000:q");
  EXPECT_EQ(send("DELETE", kPath).status(), 204);
  EXPECT_EQ(send("PUT", "/2019-09-25/functions/nope/event-invoke-config", "{}").status(), 404);
}

TEST_F(LambdaApiTest, EventInvokeConfigPerQualifier) {
  ASSERT_EQ(create("fn").status(), 201);
  ASSERT_EQ(send("POST", "/2015-03-31/functions/fn/versions", "{}").status(), 201);
  ASSERT_EQ(send("POST", "/2015-03-31/functions/fn/aliases", R"({"Name":"live","FunctionVersion":"1"})").status(), 201);
  auto latest = send("PUT", kPath, R"({"MaximumRetryAttempts":0})");
  ASSERT_EQ(latest.status(), 200);
  auto v1 = send("PUT", kPath + "?Qualifier=1", R"({"MaximumRetryAttempts":1})");
  ASSERT_EQ(v1.status(), 200) << v1.raw.body;
  EXPECT_EQ(v1.text("FunctionArn"), "arn:aws:lambda:us-east-1:000000000000:function:fn:1");
  auto live = send("PUT", kPath + "?Qualifier=live", R"({"MaximumRetryAttempts":2})");
  ASSERT_EQ(live.status(), 200);
  EXPECT_EQ(live.text("FunctionArn"), "arn:aws:lambda:us-east-1:000000000000:function:fn:live");
  EXPECT_EQ(send("PUT", kPath + "?Qualifier=7", "{}").status(), 404);
  EXPECT_EQ(send("PUT", kPath + "?Qualifier=nosuch", "{}").status(), 404);

  EXPECT_EQ(send("GET", kPath).object().at("MaximumRetryAttempts").as_int64(), 0);
  EXPECT_EQ(send("GET", kPath + "?Qualifier=$LATEST").object().at("MaximumRetryAttempts").as_int64(), 0);
  EXPECT_EQ(send("GET", kPath + "?Qualifier=1").object().at("MaximumRetryAttempts").as_int64(), 1);
  EXPECT_EQ(send("GET", kPath + "?Qualifier=live").object().at("MaximumRetryAttempts").as_int64(), 2);
  auto merged = send("POST", kPath + "?Qualifier=1", R"({"MaximumEventAgeInSeconds":90})");
  EXPECT_EQ(merged.object().at("MaximumRetryAttempts").as_int64(), 1);
  EXPECT_EQ(merged.object().at("MaximumEventAgeInSeconds").as_int64(), 90);
  EXPECT_FALSE(send("GET", kPath).object().contains("MaximumEventAgeInSeconds"));  // $LATEST's unchanged

  auto list = send("GET", "/2019-09-25/functions/fn/event-invoke-config/list");
  ASSERT_EQ(list.status(), 200);
  ASSERT_EQ(list.object().at("FunctionEventInvokeConfigs").as_array().size(), 3u);

  EXPECT_EQ(send("DELETE", kPath + "?Qualifier=live").status(), 204);
  EXPECT_EQ(send("DELETE", kPath + "?Qualifier=live").status(), 404);
  EXPECT_EQ(send("GET", kPath + "?Qualifier=1").status(), 200);
  // Deleting the alias or version takes its config along.
  ASSERT_EQ(send("PUT", kPath + "?Qualifier=live", "{}").status(), 200);
  ASSERT_EQ(send("DELETE", "/2015-03-31/functions/fn/aliases/live").status(), 204);
  ASSERT_EQ(send("POST", "/2015-03-31/functions/fn/aliases", R"({"Name":"live","FunctionVersion":"1"})").status(), 201);
  EXPECT_EQ(send("GET", kPath + "?Qualifier=live").status(), 404);
  ASSERT_EQ(send("DELETE", "/2015-03-31/functions/fn/aliases/live").status(), 204);
  ASSERT_EQ(send("DELETE", "/2015-03-31/functions/fn?Qualifier=1").status(), 204);
  EXPECT_EQ(send("GET", kPath + "?Qualifier=1").status(), 404);
  EXPECT_EQ(send("GET", "/2019-09-25/functions/fn/event-invoke-config/list")
                .object().at("FunctionEventInvokeConfigs").as_array().size(), 1u);
}

TEST_F(LambdaApiTest, UpdatingAMissingEventInvokeConfigIsNotFound) {
  ASSERT_EQ(create("fn").status(), 201);
  EXPECT_EQ(send("POST", kPath, R"({"MaximumEventAgeInSeconds":120})").status(), 404);
}

}  // namespace
}  // namespace nimbus::lambda_api::testing
