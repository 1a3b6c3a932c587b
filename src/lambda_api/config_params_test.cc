// Issue 12: parameters that were accepted and dropped are stored and
// answered, or refused by name; RevisionId and CodeSha256 are checked; Publish.
#include "lambda_api/test_support.h"

namespace nimbus::lambda_api::testing {
namespace {

TEST_F(LambdaApiTest, StoredSettingsAreAnsweredAndSurviveARestart) {
  auto r = create("fn", R"("Architectures":["arm64"],"TracingConfig":{"Mode":"Active"},)"
                        R"("VpcConfig":{"SubnetIds":["subnet-1","subnet-2"],"SecurityGroupIds":["sg-1"]},)");
  ASSERT_EQ(r.status(), 201) << r.raw.body;
  EXPECT_EQ(boost::json::serialize(r.object().at("Architectures")), R"(["arm64"])");
  EXPECT_EQ(r.object().at("TracingConfig").at("Mode").as_string(), "Active");
  EXPECT_EQ(r.object().at("VpcConfig").at("SubnetIds").as_array().size(), 2u);

  ASSERT_EQ(send("POST", "/2015-03-31/functions/fn/versions").status(), 201);
  service_.reset();
  registry_.reset();
  auto reopened = functions::Registry::open(dir_.string());
  ASSERT_TRUE(reopened.ok());
  registry_ = std::move(*reopened);
  service_ = std::make_unique<Service>(*registry_, fake_, credentials_, pool_, Options{});
  descriptor_ = service_->descriptor();
  for (const char* q : {"", "?Qualifier=1"}) {
    auto got = send("GET", std::string("/2015-03-31/functions/fn/configuration") + q);
    EXPECT_EQ(got.object().at("Architectures").at(0).as_string(), "arm64") << q;
    EXPECT_EQ(got.object().at("TracingConfig").at("Mode").as_string(), "Active") << q;
    EXPECT_EQ(got.object().at("VpcConfig").at("SecurityGroupIds").at(0).as_string(), "sg-1") << q;
  }
  // Empty lists clear the VPC settings.
  auto cleared = send("PUT", "/2015-03-31/functions/fn/configuration", R"({"VpcConfig":{"SubnetIds":[],"SecurityGroupIds":[]}})");
  ASSERT_EQ(cleared.status(), 200);
  EXPECT_EQ(cleared.object().if_contains("VpcConfig"), nullptr);

  // An arm64 function is refused at invoke on an x86_64 host, with what to do.
#if !defined(__aarch64__)
  auto invoked = send("POST", "/2015-03-31/functions/fn/invocations", "{}");
  EXPECT_EQ(invoked.status(), 502);
  EXPECT_EQ(invoked.error_type(), "InvalidRuntimeException");
  EXPECT_NE(invoked.text("message").find("built for arm64"), std::string::npos);
  EXPECT_TRUE(fake_.invoked.empty());
  auto code = send("PUT", "/2015-03-31/functions/fn/code",
                   R"({"Architectures":["x86_64"],"ZipFile":")" + base::base64_encode(zip()) + R"("})");
  ASSERT_EQ(code.status(), 200) << code.raw.body;
  EXPECT_EQ(code.object().at("Architectures").at(0).as_string(), "x86_64");
  EXPECT_EQ(send("POST", "/2015-03-31/functions/fn/invocations", "{}").status(), 200);
#endif
}

TEST_F(LambdaApiTest, UnsupportedParametersAreRefusedByName) {
  struct Case {
    const char* fields;
    const char* says;
  };
  const Case cases[] = {
      {R"("Architectures":["sparc"],)", "at 'architectures'"},
      {R"("Architectures":["x86_64","arm64"],)", "at 'architectures'"},
      {R"("TracingConfig":{"Mode":"Loud"},)", "tracingConfig.mode"},
      {R"("DeadLetterConfig":{"TargetArn":"arn:aws:s3:::b"},)", "is invalid"},
      {R"("DeadLetterConfig":{"TargetArn":"arn:aws:sns:us-east-1:000000000000:nope"},)", "nope does not exist"},
      {R"("DeadLetterConfig":{"TargetArn":"arn:aws:s3:::bucket"},)", "SQS queue or SNS topic"},
      {R"("Layers":["arn:aws:lambda:us-east-1:000000000000:layer:l:1"],)", "Layers is not supported"},
      {R"("KMSKeyArn":"arn:aws:kms:us-east-1:000000000000:key/k",)", "KMSKeyArn"},
      {R"("FileSystemConfigs":[{"Arn":"a","LocalMountPath":"/mnt/x"}],)", "EFS"},
      {R"("PackageType":"Image",)", "PackageType Image"},
      {R"("SnapStart":{"ApplyOn":"PublishedVersions"},)", "SnapStart"},
      {R"("LoggingConfig":{"LogFormat":"JSON"},)", "LogFormat JSON"},
      {R"("Environment":{"Variables":{"AWS_REGION":"eu-west-1","AWS_ACCESS_KEY_ID":"x"}},)",
       "Reserved keys used in this request: AWS_REGION, AWS_ACCESS_KEY_ID"},
      {R"("Environment":{"Variables":{"BIG":")" "PLACEHOLDER" R"("}},)", "exceeded the 4KB limit"},
  };
  for (const auto& c : cases) {
    std::string fields = c.fields;
    if (auto at = fields.find("PLACEHOLDER"); at != std::string::npos) fields.replace(at, 11, std::string(4090, 'x'));
    auto r = create("fn", fields);
    EXPECT_EQ(r.status(), 400) << c.fields;
    EXPECT_EQ(r.error_type(), "InvalidParameterValueException") << c.fields;
    EXPECT_NE(r.text("message").find(c.says), std::string::npos) << c.fields << ": " << r.text("message");
  }
  EXPECT_EQ(send("GET", "/2015-03-31/functions/fn").status(), 404);
  // What asks for nothing is accepted: empty lists, the defaults, an empty DLQ target.
  auto ok = create("fn", R"("Layers":[],"PackageType":"Zip","SnapStart":{"ApplyOn":"None"},)"
                         R"("DeadLetterConfig":{"TargetArn":""},"LoggingConfig":{"LogFormat":"Text"},)");
  EXPECT_EQ(ok.status(), 201) << ok.raw.body;
  auto reserved = send("PUT", "/2015-03-31/functions/fn/configuration", R"({"Environment":{"Variables":{"_HANDLER":"x"}}})");
  EXPECT_EQ(reserved.status(), 400);
  auto on_success = send("PUT", "/2019-09-25/functions/fn/event-invoke-config",
                         R"({"DestinationConfig":{"OnSuccess":{"Destination":"arn:aws:events:us-east-1:000000000000:event-bus/b"}}})");
  EXPECT_EQ(on_success.status(), 400);
  EXPECT_NE(on_success.text("message").find("OnSuccess"), std::string::npos);
  auto dlq = send("PUT", "/2015-03-31/functions/fn/configuration",
                  R"({"DeadLetterConfig":{"TargetArn":"arn:aws:sns:us-east-1:000000000000:t"}})");
  EXPECT_EQ(dlq.status(), 200) << dlq.raw.body;
  EXPECT_EQ(dlq.object().at("DeadLetterConfig").at("TargetArn").as_string(), "arn:aws:sns:us-east-1:000000000000:t");
  auto version = send("PUT", "/2015-03-31/functions/fn/code",
                      R"({"S3Bucket":"code","S3Key":"fn.zip","S3ObjectVersion":"abc"})");
  EXPECT_EQ(version.status(), 400);
  EXPECT_NE(version.text("message").find("S3ObjectVersion"), std::string::npos);
}

TEST_F(LambdaApiTest, RevisionIdAndCodeSha256AreChecked) {
  auto created = create("fn");
  std::string rev = created.text("RevisionId");
  std::string sha = created.text("CodeSha256");
  auto stale = send("PUT", "/2015-03-31/functions/fn/configuration", R"({"Timeout":5,"RevisionId":"old"})");
  EXPECT_EQ(stale.status(), 412);
  EXPECT_EQ(stale.error_type(), "PreconditionFailedException");
  auto fresh = send("PUT", "/2015-03-31/functions/fn/configuration", R"({"Timeout":5,"RevisionId":")" + rev + R"("})");
  ASSERT_EQ(fresh.status(), 200);
  rev = fresh.text("RevisionId");
  std::string zipped = base::base64_encode(zip());
  EXPECT_EQ(send("PUT", "/2015-03-31/functions/fn/code", R"({"ZipFile":")" + zipped + R"(","RevisionId":"old"})").status(),
            412);
  auto wrong_sha = send("POST", "/2015-03-31/functions/fn/versions", R"({"CodeSha256":"bm90IGl0"})");
  EXPECT_EQ(wrong_sha.status(), 400);
  EXPECT_EQ(wrong_sha.error_type(), "InvalidParameterValueException");
  EXPECT_NE(wrong_sha.text("message").find("is different from current CodeSHA256"), std::string::npos);
  EXPECT_EQ(send("POST", "/2015-03-31/functions/fn/versions", R"({"RevisionId":"old"})").status(), 412);
  auto published = send("POST", "/2015-03-31/functions/fn/versions",
                        R"({"CodeSha256":")" + sha + R"(","RevisionId":")" + rev + R"("})");
  EXPECT_EQ(published.status(), 201) << published.raw.body;

  ASSERT_EQ(send("POST", "/2015-03-31/functions/fn/aliases", R"({"Name":"live","FunctionVersion":"1"})").status(), 201);
  EXPECT_EQ(send("PUT", "/2015-03-31/functions/fn/aliases/live", R"({"Description":"d","RevisionId":"old"})").status(), 412);

  // DryRun changes nothing.
  auto dry = send("PUT", "/2015-03-31/functions/fn/code", R"({"ZipFile":")" + zipped + R"(","DryRun":true})");
  EXPECT_EQ(dry.status(), 200);
  EXPECT_EQ(dry.text("RevisionId"), rev);
}

TEST_F(LambdaApiTest, PublishOnCreateAndCodeUpdate) {
  auto created = create("fn", R"("Publish":true,)");
  ASSERT_EQ(created.status(), 201) << created.raw.body;
  EXPECT_EQ(created.text("Version"), "1");
  EXPECT_EQ(created.text("FunctionArn"), "arn:aws:lambda:us-east-1:000000000000:function:fn:1");
  auto updated = send("PUT", "/2015-03-31/functions/fn/code",
                      R"({"ZipFile":")" + base::base64_encode(zip_with("bootstrap", "#!/bin/sh\necho v2\n")) +
                          R"(","Publish":true})");
  ASSERT_EQ(updated.status(), 200) << updated.raw.body;
  EXPECT_EQ(updated.text("Version"), "2");
  auto plain = send("PUT", "/2015-03-31/functions/fn/code", R"({"ZipFile":")" + base::base64_encode(zip()) + R"("})");
  EXPECT_EQ(plain.text("Version"), "$LATEST");
  auto listed = send("GET", "/2015-03-31/functions/fn/versions");
  EXPECT_EQ(listed.object().at("Versions").as_array().size(), 3u);
}

}  // namespace
}  // namespace nimbus::lambda_api::testing
