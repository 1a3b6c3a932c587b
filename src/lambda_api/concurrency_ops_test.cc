#include "lambda_api/test_support.h"

namespace nimbus::lambda_api::testing {
namespace {

TEST_F(LambdaApiTest, ReservedConcurrency) {
  ASSERT_EQ(create("fn").status(), 201);
  auto put = send("PUT", "/2017-10-31/functions/fn/concurrency", R"({"ReservedConcurrentExecutions":5})");
  ASSERT_EQ(put.status(), 200) << put.raw.body;
  EXPECT_EQ(put.object().at("ReservedConcurrentExecutions").as_int64(), 5);
  auto get = send("GET", "/2019-09-30/functions/fn/concurrency");
  ASSERT_EQ(get.status(), 200);
  EXPECT_EQ(get.object().at("ReservedConcurrentExecutions").as_int64(), 5);
  EXPECT_EQ(send("GET", "/2015-03-31/functions/fn").object().at("Concurrency").at("ReservedConcurrentExecutions").as_int64(), 5);

  auto too_many = send("PUT", "/2017-10-31/functions/fn/concurrency", R"({"ReservedConcurrentExecutions":65})");
  EXPECT_EQ(too_many.status(), 400);
  EXPECT_EQ(too_many.text("message"),
            "ReservedConcurrentExecutions 65 exceeds the 64 instances this nimbus runs at most (--max-instances)");
  auto negative = send("PUT", "/2017-10-31/functions/fn/concurrency", R"({"ReservedConcurrentExecutions":-1})");
  EXPECT_EQ(negative.status(), 400);
  EXPECT_EQ(negative.error_type(), "InvalidParameterValueException");

  EXPECT_EQ(send("DELETE", "/2017-10-31/functions/fn/concurrency").status(), 204);
  auto cleared = send("GET", "/2017-10-31/functions/fn/concurrency");
  ASSERT_EQ(cleared.status(), 200);
  EXPECT_TRUE(cleared.object().empty());
  EXPECT_EQ(send("PUT", "/2017-10-31/functions/nope/concurrency", R"({"ReservedConcurrentExecutions":1})").status(),
            404);
}

TEST_F(LambdaApiTest, ProvisionedConcurrency) {
  ASSERT_EQ(create("fn").status(), 201);
  ASSERT_EQ(send("POST", "/2015-03-31/functions/fn/versions").status(), 201);
  const std::string path = "/2019-09-30/functions/fn/provisioned-concurrency";

  auto latest = send("PUT", path, R"({"ProvisionedConcurrentExecutions":2})");
  EXPECT_EQ(latest.status(), 400);
  EXPECT_EQ(latest.text("message"), "Provisioned concurrency needs a published version or an alias");

  auto put = send("PUT", path + "?Qualifier=1", R"({"ProvisionedConcurrentExecutions":2})");
  ASSERT_EQ(put.status(), 202) << put.raw.body;
  EXPECT_EQ(put.object().at("RequestedProvisionedConcurrentExecutions").as_int64(), 2);
  EXPECT_EQ(put.text("Status"), "READY");
  EXPECT_EQ(fake_.provisioned, std::vector<std::string>{"fn:1=2"});

  auto get = send("GET", path + "?Qualifier=1");
  ASSERT_EQ(get.status(), 200);
  EXPECT_EQ(get.object().at("AllocatedProvisionedConcurrentExecutions").as_int64(), 2);
  auto none = send("GET", path + "?Qualifier=live");
  EXPECT_EQ(none.status(), 404);
  EXPECT_EQ(none.error_type(), "ProvisionedConcurrencyConfigNotFoundException");
  EXPECT_EQ(none.text("message"), "No Provisioned Concurrency Config found for this function");

  EXPECT_EQ(send("PUT", path + "?Qualifier=1", R"({"ProvisionedConcurrentExecutions":0})").status(), 400);
  EXPECT_EQ(send("PUT", path + "?Qualifier=1", R"({"ProvisionedConcurrentExecutions":65})").status(), 400);

  EXPECT_EQ(send("DELETE", path + "?Qualifier=1").status(), 204);
  EXPECT_EQ(fake_.provisioned.back(), "fn:1=0");
  EXPECT_EQ(send("GET", path + "?Qualifier=1").status(), 404);
}

}  // namespace
}  // namespace nimbus::lambda_api::testing
