#include "lambda_api/test_support.h"

namespace nimbus::lambda_api::testing {
namespace {

TEST_F(LambdaApiTest, CreateFunctionAnswersTheConfiguration) {
  auto r = create("fn", R"("MemorySize":256,"Environment":{"Variables":{"A":"1"}},)");
  ASSERT_EQ(r.status(), 201) << r.raw.body;
  EXPECT_EQ(r.text("FunctionName"), "fn");
  EXPECT_EQ(r.text("FunctionArn"), "arn:aws:lambda:us-east-1:000000000000:function:fn");
  EXPECT_EQ(r.text("Version"), "$LATEST");
  EXPECT_EQ(r.object().at("MemorySize").as_int64(), 256);
  EXPECT_EQ(r.object().at("Environment").at("Variables").at("A").as_string(), "1");
  EXPECT_EQ(r.object().at("CodeSize").as_int64(), static_cast<int64_t>(zip().size()));
  EXPECT_EQ(r.text("State"), "Active");
  EXPECT_EQ(fake_.prepared, std::vector<std::string>{"fn"});
}

TEST_F(LambdaApiTest, CreateFunctionFromTheObjectStore) {
  auto r = send("POST", "/2015-03-31/functions",
                R"({"FunctionName":"s3fn","Runtime":"provided.al2023","Code":{"S3Bucket":"code","S3Key":"fn.zip"}})");
  ASSERT_EQ(r.status(), 201) << r.raw.body;
  auto missing = send("POST", "/2015-03-31/functions",
                      R"({"FunctionName":"s3fn2","Runtime":"provided.al2023","Code":{"S3Bucket":"code","S3Key":"no"}})");
  EXPECT_EQ(missing.status(), 400);
  EXPECT_EQ(missing.error_type(), "InvalidParameterValueException");
  EXPECT_NE(missing.text("message").find("NoSuchKey"), std::string::npos);
}

TEST_F(LambdaApiTest, CreateFunctionValidationErrors) {
  auto no_code = send("POST", "/2015-03-31/functions", R"({"FunctionName":"fn","Runtime":"provided.al2023"})");
  EXPECT_EQ(no_code.status(), 400);
  EXPECT_EQ(no_code.error_type(), "InvalidParameterValueException");
  EXPECT_EQ(no_code.text("message"), "Code is required");
  EXPECT_EQ(no_code.text("Type"), "User");

  auto bad_runtime = send("POST", "/2015-03-31/functions",
                          R"({"FunctionName":"fn","Runtime":"cobol","Code":{"ZipFile":""}})");
  EXPECT_EQ(bad_runtime.status(), 400);
  EXPECT_NE(bad_runtime.text("message").find("at 'runtime' failed to satisfy constraint"), std::string::npos);

  auto bad_name = create("no spaces");
  EXPECT_EQ(bad_name.status(), 400);
  EXPECT_NE(bad_name.text("message").find("at 'functionName' failed to satisfy constraint"), std::string::npos);

  auto memory = create("fn", R"("MemorySize":64,)");
  EXPECT_EQ(memory.status(), 400);
  EXPECT_NE(memory.text("message").find("'memorySize'"), std::string::npos);

  auto no_source = send("POST", "/2015-03-31/functions",
                        R"({"FunctionName":"fn","Runtime":"provided.al2023","Code":{}})");
  EXPECT_EQ(no_source.status(), 400);
  EXPECT_NE(no_source.text("message").find("Please provide a source"), std::string::npos);

  auto not_zip = send("POST", "/2015-03-31/functions",
                      R"({"FunctionName":"fn","Runtime":"provided.al2023","Code":{"ZipFile":"bm90IGEgemlw"}})");
  EXPECT_EQ(not_zip.status(), 400);
  EXPECT_EQ(not_zip.error_type(), "InvalidParameterValueException");

  auto malformed = send("POST", "/2015-03-31/functions", "{\"FunctionName\":");
  EXPECT_EQ(malformed.status(), 400);
  EXPECT_EQ(malformed.error_type(), "InvalidRequestContentException");
  EXPECT_EQ(malformed.text("message"), "Could not parse request body into json");

  EXPECT_TRUE(fake_.prepared.empty());
  EXPECT_EQ(send("GET", "/2015-03-31/functions").object().at("Functions").as_array().size(), 0u);
}

TEST_F(LambdaApiTest, CreateFunctionTwiceIsAConflict) {
  ASSERT_EQ(create("fn").status(), 201);
  auto again = create("fn");
  EXPECT_EQ(again.status(), 409);
  EXPECT_EQ(again.error_type(), "ResourceConflictException");
  EXPECT_EQ(again.text("message"), "Function already exist: fn");
}

TEST_F(LambdaApiTest, GetFunctionOfAnUnknownFunctionIsLambdas404) {
  auto r = send("GET", "/2015-03-31/functions/nope");
  EXPECT_EQ(r.status(), 404);
  EXPECT_EQ(r.error_type(), "ResourceNotFoundException");
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  EXPECT_EQ(r.header("x-amzn-RequestId"), "request-id");
  EXPECT_EQ(r.text("Type"), "User");
  EXPECT_EQ(r.text("__type"), "ResourceNotFoundException");
  EXPECT_EQ(r.text("message"), "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope");
  EXPECT_FALSE(r.object().contains("Reason"));
}

TEST_F(LambdaApiTest, GetFunctionAndItsConfiguration) {
  ASSERT_EQ(create("fn").status(), 201);
  auto r = send("GET", "/2015-03-31/functions/fn");
  ASSERT_EQ(r.status(), 200);
  EXPECT_EQ(r.object().at("Configuration").at("FunctionName").as_string(), "fn");
  EXPECT_EQ(r.object().at("Code").at("RepositoryType").as_string(), "S3");
  EXPECT_FALSE(r.object().contains("Concurrency"));
  // By ARN, and with the trailing slash some clients send.
  auto arn = send("GET", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Afn/");
  EXPECT_EQ(arn.raw.body.find("__type"), std::string::npos);
  EXPECT_EQ(arn.status(), 200);
  auto conf = send("GET", "/2015-03-31/functions/fn/configuration");
  ASSERT_EQ(conf.status(), 200);
  EXPECT_EQ(conf.text("Handler"), "h");
  auto bad_qualifier = send("GET", "/2015-03-31/functions/fn/configuration?Qualifier=7");
  EXPECT_EQ(bad_qualifier.status(), 404);
  EXPECT_EQ(bad_qualifier.text("message"), "Function not found: arn:aws:lambda:us-east-1:000000000000:function:fn:7");
}

TEST_F(LambdaApiTest, ListFunctionsPagesByMarker) {
  for (const char* name : {"c", "a", "b"}) ASSERT_EQ(create(name).status(), 201);
  auto all = send("GET", "/2015-03-31/functions");
  ASSERT_EQ(all.status(), 200);
  auto& fns = all.object().at("Functions").as_array();
  ASSERT_EQ(fns.size(), 3u);
  EXPECT_EQ(fns[0].at("FunctionName").as_string(), "a");
  EXPECT_FALSE(all.object().contains("NextMarker"));

  auto page = send("GET", "/2015-03-31/functions?MaxItems=2");
  EXPECT_EQ(page.object().at("Functions").as_array().size(), 2u);
  EXPECT_EQ(page.text("NextMarker"), "b");
  auto rest = send("GET", "/2015-03-31/functions?Marker=b&MaxItems=2");
  ASSERT_EQ(rest.object().at("Functions").as_array().size(), 1u);
  EXPECT_EQ(rest.object().at("Functions").as_array()[0].at("FunctionName").as_string(), "c");
  EXPECT_FALSE(rest.object().contains("NextMarker"));
}

TEST_F(LambdaApiTest, UpdateConfigurationAndCode) {
  ASSERT_EQ(create("fn").status(), 201);
  auto r = send("PUT", "/2015-03-31/functions/fn/configuration", R"({"Timeout":30,"Description":"d"})");
  ASSERT_EQ(r.status(), 200) << r.raw.body;
  EXPECT_EQ(r.object().at("Timeout").as_int64(), 30);
  EXPECT_EQ(r.text("Description"), "d");
  EXPECT_EQ(r.text("Handler"), "h");  // untouched fields stay
  EXPECT_EQ(fake_.retired, std::vector<std::string>{"fn"});
  EXPECT_EQ(fake_.prepared.size(), 2u);

  auto invalid = send("PUT", "/2015-03-31/functions/fn/configuration", R"({"Timeout":901})");
  EXPECT_EQ(invalid.status(), 400);
  EXPECT_NE(invalid.text("message").find("'timeout'"), std::string::npos);
  auto missing = send("PUT", "/2015-03-31/functions/other/configuration", R"({"Timeout":30})");
  EXPECT_EQ(missing.status(), 404);

  std::string revision = r.text("RevisionId");
  auto code = send("PUT", "/2015-03-31/functions/fn/code",
                   R"({"ZipFile":")" + base::base64_encode(zip_with("bootstrap", "new")) + R"("})");
  ASSERT_EQ(code.status(), 200) << code.raw.body;
  EXPECT_NE(code.text("RevisionId"), revision);
  EXPECT_EQ(fake_.retired.size(), 2u);
  EXPECT_EQ(send("PUT", "/2015-03-31/functions/fn/code", "{}").status(), 400);
}

TEST_F(LambdaApiTest, DeleteFunction) {
  ASSERT_EQ(create("fn").status(), 201);
  auto r = send("DELETE", "/2015-03-31/functions/fn");
  EXPECT_EQ(r.status(), 204);
  EXPECT_TRUE(r.raw.body.empty());
  EXPECT_EQ(fake_.retired, std::vector<std::string>{"fn"});
  EXPECT_EQ(send("GET", "/2015-03-31/functions/fn").status(), 404);
  EXPECT_EQ(send("DELETE", "/2015-03-31/functions/fn").status(), 404);
}

TEST_F(LambdaApiTest, UnknownOperationsAreLambdas404) {
  for (auto [method, target] : {std::pair{"GET", "/2015-03-31/nothing"}, {"PATCH", "/2015-03-31/functions/fn"},
                                {"GET", "/2015-03-31/functions/fn/invocations"}, {"GET", "/"},
                                {"GET", "/2015-03-31/functions/fn/aliases/a/extra?x=1"}}) {
    auto r = send(method, target);
    EXPECT_EQ(r.status(), 404) << method << " " << target;
    EXPECT_EQ(r.error_type(), "UnknownOperationException");
    std::string path = std::string(target).substr(0, std::string(target).find('?'));
    EXPECT_EQ(r.text("message"), std::string("Unknown operation ") + method + " " + path);
  }
}

TEST_F(LambdaApiTest, HandleAsksForASignature) {
  auto r = send("GET", "/2015-03-31/functions", "", {}, true);
  EXPECT_EQ(r.status(), 403);
  EXPECT_EQ(r.error_type(), "MissingAuthenticationTokenException");
  EXPECT_EQ(r.text("message"), "Missing Authentication Token");
  std::string now = base::amz_date(base::now_ms());
  auto signed_by = [&](const std::string& key) {
    return send("GET", "/2015-03-31/functions", "",
                {{"authorization", "AWS4-HMAC-SHA256 Credential=" + key + "/" + now.substr(0, 8) +
                                       "/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"},
                 {"host", "localhost"},
                 {"x-amz-date", now}},
                true);
  };
  auto unknown = signed_by("nobody");
  EXPECT_EQ(unknown.status(), 403);
  EXPECT_EQ(unknown.error_type(), "UnrecognizedClientException");
  auto forged = signed_by("test");
  EXPECT_EQ(forged.status(), 403);
  EXPECT_EQ(forged.error_type(), "InvalidSignatureException");
}

TEST_F(LambdaApiTest, DescriptorDeclaresLambdaToTheEdge) {
  EXPECT_EQ(descriptor_.name, "lambda");
  EXPECT_EQ(descriptor_.protocol, aws::Protocol::kRestJson);
  EXPECT_EQ(descriptor_.signing_names, std::vector<std::string>{"lambda"});
  EXPECT_EQ(descriptor_.max_body, size_t{70} << 20);
  EXPECT_TRUE(descriptor_.handler);
  EXPECT_EQ(descriptor_.errors(base::make_error(base::ErrorCode::kNotFound, "x")).code, "ResourceNotFoundException");
}

}  // namespace
}  // namespace nimbus::lambda_api::testing
