#include "server/edge_router.h"

#include <gtest/gtest.h>

namespace nimbus::server {
namespace {

http::Request request(std::string target, base::HeaderList headers) {
  http::Request r;
  r.method = "GET";
  r.target = std::move(target);
  r.headers = std::move(headers);
  return r;
}

TEST(EdgeRouter, ClassifiesByScopeTargetAndPath) {
  auto scoped = [](const char* service) {
    return base::HeaderList{{"authorization", std::string("AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/") +
                                                  service + "/aws4_request, SignedHeaders=host, Signature=00"}};
  };
  EXPECT_EQ(classify(request("/bucket/key", scoped("s3"))), ServiceKind::kS3);
  EXPECT_EQ(classify(request("/2015-03-31/functions", scoped("lambda"))), ServiceKind::kLambda);
  EXPECT_EQ(classify(request("/", scoped("sqs"))), ServiceKind::kUnknown);
  EXPECT_EQ(classify(request("/", scoped("logs"))), ServiceKind::kLogs);
  EXPECT_EQ(classify(request("/", {{"x-amz-target", "Logs_20140328.FilterLogEvents"}})), ServiceKind::kLogs);
  EXPECT_EQ(classify(request("/2015-03-31/functions/f/invocations", {})), ServiceKind::kLambda);
  EXPECT_EQ(classify(request("/", {{"x-amz-target", "AmazonSQS.SendMessage"}})), ServiceKind::kUnknown);
  EXPECT_EQ(classify(request("/_nimbus/health", {})), ServiceKind::kHealth);
  EXPECT_EQ(classify(request("/metrics", {})), ServiceKind::kHealth);
  EXPECT_EQ(classify(request("/metrics", scoped("s3"))), ServiceKind::kS3);  // a bucket named metrics
  EXPECT_EQ(classify(request("/bucket?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20240101%2Fus-east-1%2Fs3%2Faws4_request", {})),
            ServiceKind::kS3);
  EXPECT_EQ(classify(request("/anything", {})), ServiceKind::kS3);
}

TEST(EdgeRouter, JsonErrorShape) {
  auto r = json_error(404, "ResourceNotFoundException", "Function not found");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("\"__type\":\"ResourceNotFoundException\""), std::string::npos);
}

}  // namespace
}  // namespace nimbus::server
