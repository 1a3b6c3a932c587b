#include "lambda_api/test_support.h"

namespace nimbus::lambda_api::testing {
namespace {

constexpr const char* kArn = "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Afn";

TEST_F(LambdaApiTest, PermissionsMakeAPolicyWithARevision) {
  ASSERT_EQ(create("fn").status(), 201);
  EXPECT_EQ(send("GET", "/2015-03-31/functions/fn/policy").status(), 404);
  auto added = send("POST", "/2015-03-31/functions/fn/policy",
                    R"({"StatementId":"s3","Action":"lambda:InvokeFunction","Principal":"s3.amazonaws.com",)"
                    R"("SourceArn":"arn:aws:s3:::photos","SourceAccount":"000000000000"})");
  ASSERT_EQ(added.status(), 201) << added.raw.body;
  auto statement = boost::json::parse(added.text("Statement")).as_object();
  EXPECT_EQ(statement.at("Sid").as_string(), "s3");
  EXPECT_EQ(statement.at("Effect").as_string(), "Allow");
  EXPECT_EQ(statement.at("Principal").at("Service").as_string(), "s3.amazonaws.com");
  EXPECT_EQ(statement.at("Resource").as_string(), "arn:aws:lambda:us-east-1:000000000000:function:fn");
  EXPECT_EQ(statement.at("Condition").at("ArnLike").at("AWS:SourceArn").as_string(), "arn:aws:s3:::photos");
  EXPECT_EQ(statement.at("Condition").at("StringEquals").at("AWS:SourceAccount").as_string(), "000000000000");

  auto twice = send("POST", "/2015-03-31/functions/fn/policy",
                    R"({"StatementId":"s3","Action":"lambda:InvokeFunction","Principal":"s3.amazonaws.com"})");
  EXPECT_EQ(twice.status(), 409);
  EXPECT_EQ(twice.error_type(), "ResourceConflictException");

  auto got = send("GET", "/2015-03-31/functions/fn/policy");
  ASSERT_EQ(got.status(), 200);
  std::string revision = got.text("RevisionId");
  EXPECT_FALSE(revision.empty());
  auto policy = boost::json::parse(got.text("Policy")).as_object();
  ASSERT_EQ(policy.at("Statement").as_array().size(), 1u);

  auto stale = send("POST", "/2015-03-31/functions/fn/policy",
                    R"({"StatementId":"acct","Action":"lambda:GetFunction","Principal":"123456789012",)"
                    R"("RevisionId":"nope"})");
  EXPECT_EQ(stale.status(), 412);
  EXPECT_EQ(stale.error_type(), "PreconditionFailedException");
  auto acct = send("POST", "/2015-03-31/functions/fn/policy",
                   R"({"StatementId":"acct","Action":"lambda:GetFunction","Principal":"123456789012",)"
                   R"("RevisionId":")" + revision + R"("})");
  ASSERT_EQ(acct.status(), 201) << acct.raw.body;
  EXPECT_EQ(boost::json::parse(acct.text("Statement")).at("Principal").at("AWS").as_string(),
            "arn:aws:iam::123456789012:root");

  // Durable: the policy survives a restart.
  service_.reset();
  registry_.reset();
  auto reopened = functions::Registry::open(dir_.string());
  ASSERT_TRUE(reopened.ok());
  registry_ = std::move(*reopened);
  service_ = std::make_unique<Service>(*registry_, fake_, credentials_, pool_, Options{});
  descriptor_ = service_->descriptor();
  auto after = send("GET", "/2015-03-31/functions/fn/policy");
  ASSERT_EQ(after.status(), 200);
  EXPECT_EQ(boost::json::parse(after.text("Policy")).at("Statement").as_array().size(), 2u);

  EXPECT_EQ(send("DELETE", "/2015-03-31/functions/fn/policy/s3").status(), 204);
  EXPECT_EQ(send("DELETE", "/2015-03-31/functions/fn/policy/s3").status(), 404);
  EXPECT_EQ(send("DELETE", "/2015-03-31/functions/fn/policy/acct").status(), 204);
  EXPECT_EQ(send("GET", "/2015-03-31/functions/fn/policy").status(), 404);

  // On a version: its own policy, its ARN as the Resource; an unknown one is 404.
  ASSERT_EQ(send("POST", "/2015-03-31/functions/fn/versions").status(), 201);
  auto on_version = send("POST", "/2015-03-31/functions/fn/policy?Qualifier=1",
                         R"({"StatementId":"v","Action":"lambda:InvokeFunction","Principal":"*"})");
  ASSERT_EQ(on_version.status(), 201) << on_version.raw.body;
  EXPECT_EQ(boost::json::parse(on_version.text("Statement")).at("Resource").as_string(),
            "arn:aws:lambda:us-east-1:000000000000:function:fn:1");
  EXPECT_EQ(send("GET", "/2015-03-31/functions/fn/policy").status(), 404);
  EXPECT_EQ(send("GET", "/2015-03-31/functions/fn/policy?Qualifier=1").status(), 200);
  EXPECT_EQ(send("POST", "/2015-03-31/functions/fn/policy?Qualifier=7",
                 R"({"StatementId":"v","Action":"lambda:InvokeFunction","Principal":"*"})").status(), 404);

  auto bad = send("POST", "/2015-03-31/functions/fn/policy", R"({"StatementId":"x y","Action":"lambda:X","Principal":"*"})");
  EXPECT_EQ(bad.status(), 400);
  EXPECT_EQ(bad.error_type(), "InvalidParameterValueException");
  EXPECT_EQ(send("GET", "/2015-03-31/functions/nope/policy").status(), 404);
}

TEST_F(LambdaApiTest, TagsOnCreateAndByArn) {
  ASSERT_EQ(create("fn", R"("Tags":{"env":"test","team":"a"},)").status(), 201);
  auto got = send("GET", "/2015-03-31/functions/fn");
  EXPECT_EQ(got.object().at("Tags").at("env").as_string(), "test");
  auto listed = send("GET", std::string("/2017-03-31/tags/") + kArn);
  ASSERT_EQ(listed.status(), 200) << listed.raw.body;
  EXPECT_EQ(listed.object().at("Tags").as_object().size(), 2u);

  EXPECT_EQ(send("POST", std::string("/2017-03-31/tags/") + kArn, R"({"Tags":{"env":"prod","new":"1"}})").status(), 204);
  EXPECT_EQ(send("DELETE", std::string("/2017-03-31/tags/") + kArn + "?tagKeys=team&tagKeys=new").status(), 204);
  auto after = send("GET", std::string("/2017-03-31/tags/") + kArn);
  EXPECT_EQ(boost::json::serialize(after.object().at("Tags")), R"({"env":"prod"})");

  auto qualified = send("GET", std::string("/2017-03-31/tags/") + kArn + "%3A1");
  EXPECT_EQ(qualified.status(), 400);
  EXPECT_EQ(send("GET", "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Anope").status(),
            404);
  EXPECT_EQ(create("fn2", R"("Tags":{"aws:x":"1"},)").status(), 400);
  EXPECT_EQ(send("GET", "/2015-03-31/functions/fn2").status(), 404);  // nothing half-created
  // The tags go with the function.
  EXPECT_EQ(send("DELETE", "/2015-03-31/functions/fn").status(), 204);
  ASSERT_EQ(create("fn").status(), 201);
  EXPECT_EQ(send("GET", "/2015-03-31/functions/fn").object().if_contains("Tags"), nullptr);
}

TEST_F(LambdaApiTest, SettingsTerraformReadsBack) {
  ASSERT_EQ(create("fn").status(), 201);
  auto account = send("GET", "/2016-08-19/account-settings");
  ASSERT_EQ(account.status(), 200) << account.raw.body;
  EXPECT_EQ(account.object().at("AccountUsage").at("FunctionCount").as_int64(), 1);
  EXPECT_EQ(account.object().at("AccountLimit").at("ConcurrentExecutions").as_int64(), 64);

  auto csc = send("GET", "/2020-06-30/functions/fn/code-signing-config");
  ASSERT_EQ(csc.status(), 200);
  EXPECT_EQ(csc.text("FunctionName"), "fn");
  EXPECT_EQ(csc.object().if_contains("CodeSigningConfigArn"), nullptr);
  EXPECT_EQ(send("GET", "/2020-06-30/functions/nope/code-signing-config").status(), 404);
  EXPECT_EQ(send("DELETE", "/2020-06-30/functions/fn/code-signing-config").status(), 204);
  auto put = send("PUT", "/2020-06-30/functions/fn/code-signing-config",
                  R"({"CodeSigningConfigArn":"arn:aws:lambda:us-east-1:000000000000:code-signing-config:csc-1"})");
  EXPECT_EQ(put.status(), 404);
  EXPECT_EQ(put.error_type(), "CodeSigningConfigNotFoundException");

  auto rm = send("GET", "/2021-07-20/functions/fn/runtime-management-config");
  ASSERT_EQ(rm.status(), 200);
  EXPECT_EQ(rm.text("UpdateRuntimeOn"), "Auto");
  EXPECT_EQ(send("PUT", "/2021-07-20/functions/fn/runtime-management-config", R"({"UpdateRuntimeOn":"Auto"})").status(),
            200);
  EXPECT_EQ(send("PUT", "/2021-07-20/functions/fn/runtime-management-config",
                 R"({"UpdateRuntimeOn":"FunctionUpdate"})").status(), 400);

  auto none = send("GET", "/2019-09-25/functions/fn/event-invoke-config/list");
  ASSERT_EQ(none.status(), 200);
  EXPECT_TRUE(none.object().at("FunctionEventInvokeConfigs").as_array().empty());
  ASSERT_EQ(send("PUT", "/2019-09-25/functions/fn/event-invoke-config", R"({"MaximumRetryAttempts":1})").status(), 200);
  auto one = send("GET", "/2019-09-25/functions/fn/event-invoke-config/list");
  EXPECT_EQ(one.object().at("FunctionEventInvokeConfigs").as_array().size(), 1u);
  auto qualified = send("PUT", "/2019-09-25/functions/fn/event-invoke-config?Qualifier=live", R"({"MaximumRetryAttempts":1})");
  // Per qualifier now: an alias the function lacks is Lambda's 404.
  EXPECT_EQ(qualified.status(), 404);
  EXPECT_EQ(qualified.error_type(), "ResourceNotFoundException");

  auto cfg = send("GET", "/2015-03-31/functions/fn/configuration");
  EXPECT_EQ(cfg.object().at("LoggingConfig").at("LogGroup").as_string(), "/aws/lambda/fn");
  EXPECT_EQ(cfg.object().if_contains("Environment"), nullptr);  // none, as Lambda leaves it out
}

}  // namespace
}  // namespace nimbus::lambda_api::testing
