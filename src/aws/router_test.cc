#include "aws/router.h"

#include <gtest/gtest.h>

#include "aws/test_request.h"

namespace nimbus::aws {
namespace {

using testing::make_request;
using testing::run;

http::Request request(std::string target, base::HeaderList headers, std::string method = "GET") {
  http::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.headers = std::move(headers);
  return r;
}

base::HeaderList scoped(const char* service) {
  return {{"authorization", std::string("AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/") + service +
                                "/aws4_request, SignedHeaders=host, Signature=00"}};
}

ServiceError test_errors(const base::Error& e) { return {400, "TestError", e.message}; }

// The edge's table as nimbus serve builds it (server/service_table.cc).
struct Edge {
  auth::CredentialStore credentials = auth::CredentialStore::with_defaults();
  auth::SigningKeyCache keys;
  Router router{Authenticator{credentials, keys, "000000000000", {}}};
  // What the hook saw, copied: a RequestRecord's views live only during the call.
  struct Seen {
    std::string service, operation;
    int status = 0;
  };
  std::vector<Seen> records;
  std::vector<std::string> seen;  // operation and caller arn of each handled call

  Edge() {
    ServiceDescriptor admin;
    admin.name = "nimbus";
    admin.protocol = Protocol::kRestJson;
    admin.auth = AuthMode::kOwn;
    admin.claims = [](const http::Request& r) {
      auth::RequestView view{r.method, r.target, &r.headers, {}};
      return r.target.rfind("/_nimbus/", 0) == 0 || (r.target == "/metrics" && !auth::is_sigv4(view));
    };
    admin.raw_handler = [](http::Request&) -> boost::asio::awaitable<http::Response> { co_return http::Response{}; };
    router.add(std::move(admin));

    ServiceDescriptor lambda;
    lambda.name = "lambda";
    lambda.protocol = Protocol::kRestJson;
    lambda.signing_names = {"lambda"};
    lambda.path_prefixes = {"/2015-03-31/"};
    lambda.handler = [this](Call& c) -> boost::asio::awaitable<http::Response> {
      c.operation = "ListFunctions";
      co_return c.reply(boost::json::object{});
    };
    router.add(std::move(lambda));

    ServiceDescriptor logs;
    logs.name = "logs";
    logs.protocol = Protocol::kJson11;
    logs.signing_names = {"logs"};
    logs.target_prefixes = {"Logs_20140328."};
    logs.operations = {"FilterLogEvents", "Fail"};
    logs.errors = &test_errors;
    logs.handler = [this](Call& c) -> boost::asio::awaitable<http::Response> {
      seen.push_back(c.operation + " " + c.caller.arn);
      if (c.operation == "Fail") co_return c.fail(base::make_error(base::ErrorCode::kNotFound, "no such group"));
      co_return c.reply(boost::json::object{{"ok", true}});
    };
    router.add(std::move(logs));

    ServiceDescriptor sts;
    sts.name = "sts";
    sts.protocol = Protocol::kQuery;
    sts.signing_names = {"sts"};
    sts.xml_namespace = "https://sts.amazonaws.com/doc/2011-06-15/";
    sts.api_version = "2011-06-15";
    sts.operations = {"GetCallerIdentity"};
    sts.handler = [this](Call& c) -> boost::asio::awaitable<http::Response> {
      seen.push_back(c.operation + " " + c.caller.user_id);
      XmlWriter x;
      x.element("Account", c.caller.account);
      co_return c.reply_xml(x.str());
    };
    router.add(std::move(sts));

    ServiceDescriptor s3;
    s3.name = "s3";
    s3.protocol = Protocol::kRestXml;
    s3.signing_names = {"s3"};
    s3.auth = AuthMode::kOwn;
    s3.records_itself = true;
    s3.raw_handler = [](http::Request&) -> boost::asio::awaitable<http::Response> { co_return http::Response{}; };
    router.set_fallback(std::move(s3));
    router.on_request([this](const RequestRecord& r) {
      records.push_back({std::string(r.service), std::string(r.operation), r.status});
    });
  }

  std::string name_of(const http::Request& r) {
    Route route = router.route(r);
    return route.service ? route.service->name : "unserved:" + route.unserved_name;
  }
};

TEST(Router, ClassifiesByScopeTargetAndPath) {
  Edge e;
  EXPECT_EQ(e.name_of(request("/bucket/key", scoped("s3"))), "s3");
  EXPECT_EQ(e.name_of(request("/2015-03-31/functions", scoped("lambda"))), "lambda");
  EXPECT_EQ(e.name_of(request("/", scoped("kinesis"))), "unserved:kinesis");
  EXPECT_EQ(e.name_of(request("/", scoped("logs"))), "logs");
  EXPECT_EQ(e.name_of(request("/", scoped("sts"))), "sts");
  EXPECT_EQ(e.name_of(request("/", {{"x-amz-target", "Logs_20140328.FilterLogEvents"}})), "logs");
  EXPECT_EQ(e.name_of(request("/2015-03-31/functions/f/invocations", {})), "lambda");
  EXPECT_EQ(e.name_of(request("/", {{"x-amz-target", "Kinesis_20131202.PutRecord"}})), "unserved:Kinesis_20131202.PutRecord");
  EXPECT_EQ(e.name_of(request("/_nimbus/health", {})), "nimbus");
  EXPECT_EQ(e.name_of(request("/metrics", {})), "nimbus");
  EXPECT_EQ(e.name_of(request("/metrics", scoped("s3"))), "s3");  // a bucket named metrics
  EXPECT_EQ(e.name_of(request("/bucket?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20240101%2Fus-east-1%2Fs3%2Faws4_request", {})),
            "s3");
  EXPECT_EQ(e.name_of(request("/anything", {})), "s3");
}

TEST(Router, HostPatternsMatchBeforeTheFallback) {
  auth::CredentialStore creds;
  auth::SigningKeyCache keys;
  Router r{Authenticator{creds, keys, "000000000000", {}}};
  ServiceDescriptor urls;
  urls.name = "function-urls";
  urls.host_patterns = {"*.lambda-url.*"};
  r.add(std::move(urls));
  ServiceDescriptor s3;
  s3.name = "s3";
  r.set_fallback(std::move(s3));
  EXPECT_EQ(r.route(request("/", {{"host", "abc.lambda-url.us-east-1.localhost:4566"}})).service->name,
            "function-urls");
  EXPECT_EQ(r.route(request("/", {{"host", "bucket.s3.localhost:4566"}})).service->name, "s3");
}

TEST(Router, SignedJsonCallReachesItsHandlerWithTheCaller) {
  Edge e;
  auto t = make_request("POST", "/", "{}", {{"x-amz-target", "Logs_20140328.FilterLogEvents"},
                                            {"content-type", "application/x-amz-json-1.1"}}, "logs");
  auto res = run(e.router.handle(t->req));
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.body, "{\"ok\":true}");
  ASSERT_EQ(e.seen.size(), 1u);
  EXPECT_EQ(e.seen[0], "FilterLogEvents arn:aws:iam::000000000000:user/test");
  ASSERT_EQ(e.records.size(), 1u);
  EXPECT_EQ(e.records[0].service, "logs");
  EXPECT_EQ(e.records[0].operation, "FilterLogEvents");
  EXPECT_EQ(e.records[0].status, 200);
}

TEST(Router, ErrorsGoThroughTheServiceTable) {
  Edge e;
  auto t = make_request("POST", "/", "{}", {{"x-amz-target", "Logs_20140328.Fail"}}, "logs");
  auto res = run(e.router.handle(t->req));
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(res.body, R"({"__type":"TestError","message":"no such group"})");
}

TEST(Router, UnknownOperationsAreRefusedInTheServiceProtocol) {
  Edge e;
  auto json = make_request("POST", "/", "{}", {{"x-amz-target", "Logs_20140328.PutLogEvents"}}, "logs");
  auto res = run(e.router.handle(json->req));
  EXPECT_EQ(res.status, 400);
  EXPECT_NE(res.body.find("UnknownOperationException"), std::string::npos);
  EXPECT_NE(res.body.find("nimbus does not implement PutLogEvents yet"), std::string::npos);
  auto query = make_request("POST", "/", "Action=AssumeRoot&Version=2011-06-15",
                            {{"content-type", "application/x-www-form-urlencoded"}}, "sts");
  res = run(e.router.handle(query->req));
  EXPECT_EQ(res.status, 400);
  EXPECT_NE(res.body.find("<Code>InvalidAction</Code>"), std::string::npos) << res.body;
}

TEST(Router, OneAuthenticationStepAndTheSameErrorsEverywhere) {
  Edge e;
  base::HeaderList logs_headers{{"x-amz-target", "Logs_20140328.FilterLogEvents"}};
  auto body_of = [&](std::unique_ptr<testing::TestRequest> t) {
    auto res = run(e.router.handle(t->req));
    return std::to_string(res.status) + " " + res.body;
  };
  std::string missing = body_of(make_request("POST", "/", "{}", logs_headers, "logs", ""));
  EXPECT_EQ(missing.substr(0, 4), "403 ");
  EXPECT_NE(missing.find("MissingAuthenticationTokenException"), std::string::npos);
  std::string unknown = body_of(make_request("POST", "/", "{}", logs_headers, "logs", "nobody", "x"));
  EXPECT_NE(unknown.find("403 {\"__type\":\"UnrecognizedClientException\""), std::string::npos) << unknown;
  std::string bad = body_of(make_request("POST", "/", "{}", logs_headers, "logs", "test", "wrong"));
  EXPECT_NE(bad.find("403 {\"__type\":\"InvalidSignatureException\""), std::string::npos) << bad;
  std::string skewed =
      body_of(make_request("POST", "/", "{}", logs_headers, "logs", "test", "test", base::now_ms() - 3600 * 1000));
  EXPECT_NE(skewed.find("InvalidSignatureException"), std::string::npos);
  EXPECT_NE(skewed.find("Signature expired"), std::string::npos);
  // The query protocol's spelling of the same failures.
  base::HeaderList form{{"content-type", "application/x-www-form-urlencoded"}};
  // (An unsigned form POST is S3's, a browser upload: the query spelling of a missing signature is the table's.)
  auto q_missing = auth_error(Protocol::kQuery, AuthFailure::kMissing, "Missing Authentication Token");
  EXPECT_EQ(q_missing.status, 403);
  EXPECT_EQ(q_missing.code, "MissingAuthenticationToken");
  std::string q_unknown = body_of(make_request("POST", "/", "Action=GetCallerIdentity", form, "sts", "nobody", "x"));
  EXPECT_NE(q_unknown.find("<Code>InvalidClientTokenId</Code>"), std::string::npos);
  std::string q_bad = body_of(make_request("POST", "/", "Action=GetCallerIdentity", form, "sts", "test", "nope"));
  EXPECT_NE(q_bad.find("<Code>SignatureDoesNotMatch</Code>"), std::string::npos);
}

TEST(Router, SessionCredentialsNeedTheirTokenAndExpire) {
  Edge e;
  int64_t now = base::now_ms();
  auth::Credential c;
  c.secret = "sessionsecret";
  c.session_token = "token-1";
  c.expires_ms = now + 60000;
  c.role_arn = "arn:aws:iam::000000000000:role/deployer";
  c.session_name = "ci";
  e.credentials.add_session("ASIATEST", c, now);
  base::HeaderList form{{"content-type", "application/x-www-form-urlencoded"}};
  auto without = make_request("POST", "/", "Action=GetCallerIdentity", form, "sts", "ASIATEST", "sessionsecret");
  auto res = run(e.router.handle(without->req));
  EXPECT_EQ(res.status, 403);
  EXPECT_NE(res.body.find("InvalidClientTokenId"), std::string::npos) << res.body;
  auto form_with = form;
  form_with.emplace_back("x-amz-security-token", "token-1");
  auto with = make_request("POST", "/", "Action=GetCallerIdentity", form_with, "sts", "ASIATEST", "sessionsecret");
  res = run(e.router.handle(with->req));
  EXPECT_EQ(res.status, 200) << res.body;
  ASSERT_FALSE(e.seen.empty());
  EXPECT_EQ(e.seen.back().substr(0, 22), "GetCallerIdentity AROA");
  EXPECT_NE(e.seen.back().find(":ci"), std::string::npos);
  c.expires_ms = now - 1;
  e.credentials.add_session("ASIAOLD", c, now - 10);
  auto expired = make_request("POST", "/", "Action=GetCallerIdentity", form_with, "sts", "ASIAOLD", "sessionsecret");
  res = run(e.router.handle(expired->req));
  EXPECT_EQ(res.status, 403);
  EXPECT_NE(res.body.find("<Code>ExpiredToken</Code>"), std::string::npos) << res.body;
}

TEST(Router, UnservedServicesAnswerInTheirOwnProtocol) {
  Edge e;
  // A newer CloudWatch client: JSON 1.0 by X-Amz-Target.
  auto json = make_request("POST", "/", "{}", {{"x-amz-target", "GraniteServiceVersion20100801.ListMetrics"},
                                               {"content-type", "application/x-amz-json-1.0"}}, "monitoring");
  auto res = run(e.router.handle(json->req));
  EXPECT_EQ(res.status, 501);
  EXPECT_NE(res.body.find("\"__type\":\"NotImplementedException\""), std::string::npos) << res.body;
  EXPECT_NE(res.body.find("nimbus does not serve CloudWatch (monitoring) yet"), std::string::npos);
  // An older one: query.
  auto query = make_request("POST", "/", "Action=ListMetrics&Version=2010-08-01",
                            {{"content-type", "application/x-www-form-urlencoded; charset=utf-8"}}, "monitoring");
  res = run(e.router.handle(query->req));
  EXPECT_EQ(res.status, 501);
  EXPECT_NE(res.body.find("<ErrorResponse"), std::string::npos) << res.body;
  EXPECT_NE(res.body.find("<Code>NotImplemented</Code>"), std::string::npos);
  EXPECT_NE(res.body.find("nimbus does not serve CloudWatch (monitoring) yet"), std::string::npos);
  // DynamoDB by target alone, unsigned.
  auto ddb = make_request("POST", "/", "{}", {{"x-amz-target", "DynamoDB_20120810.ListTables"},
                                              {"content-type", "application/x-amz-json-1.0"}}, "", "");
  res = run(e.router.handle(ddb->req));
  EXPECT_EQ(res.status, 501);
  EXPECT_NE(res.body.find("nimbus does not serve DynamoDB (dynamodb) yet"), std::string::npos) << res.body;
  auto iam = make_request("POST", "/", "Action=ListRoles&Version=2010-05-08",
                          {{"content-type", "application/x-www-form-urlencoded"}}, "iam");
  res = run(e.router.handle(iam->req));
  EXPECT_NE(res.body.find("nimbus does not serve IAM (iam) yet"), std::string::npos) << res.body;
}

TEST(Router, ErrorsBeforeRoutingUseTheProtocolTheRequestSpeaks) {
  Edge e;
  e.router.set_fallback_error([](int status, std::string code, std::string) {
    http::Response r;
    r.status = status;
    r.body = "<Error><Code>" + code + "</Code></Error>";
    return r;
  });
  auto logs = request("/", {{"x-amz-target", "Logs_20140328.FilterLogEvents"}}, "POST");
  auto r = e.router.error_for(&logs, 400, "InvalidArgument", "bad header");
  EXPECT_NE(r.body.find("\"__type\":\"InvalidArgumentException\""), std::string::npos) << r.body;
  auto s3 = request("/bucket", {});
  EXPECT_EQ(e.router.error_for(&s3, 400, "InvalidArgument", "x").body, "<Error><Code>InvalidArgument</Code></Error>");
  EXPECT_EQ(e.router.error_for(nullptr, 431, "RequestHeaderSectionTooLarge", "x").status, 431);
}

}  // namespace
}  // namespace nimbus::aws
