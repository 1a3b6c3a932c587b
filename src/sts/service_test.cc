#include "sts/service.h"

#include <gtest/gtest.h>

#include "aws/router.h"
#include "aws/test_request.h"

namespace nimbus::sts {
namespace {

using aws::testing::make_request;
using aws::testing::run;

std::string between(const std::string& s, const std::string& open, const std::string& close) {
  size_t a = s.find(open);
  if (a == std::string::npos) return "";
  a += open.size();
  return s.substr(a, s.find(close, a) - a);
}

struct Sts {
  auth::CredentialStore credentials = auth::CredentialStore::with_defaults();
  auth::SigningKeyCache keys;
  base::FakeClock clock{base::now_ms()};
  Service service{credentials, clock};
  aws::Router router{aws::Authenticator{credentials, keys, "000000000000", [this] { return clock.now_ms(); }}};
  Sts() { router.add(service.descriptor()); }

  http::Response post(const std::string& body, const std::string& key = "test", const std::string& secret = "test",
                      const std::string& token = "") {
    base::HeaderList headers{{"content-type", "application/x-www-form-urlencoded; charset=utf-8"}};
    if (!token.empty()) headers.emplace_back("x-amz-security-token", token);
    auto t = make_request("POST", "/", body, headers, "sts", key, secret, clock.now_ms());
    return run(router.handle(t->req));
  }
};

TEST(Sts, GetCallerIdentityOfALongTermKey) {
  Sts s;
  auto r = s.post("Action=GetCallerIdentity&Version=2011-06-15");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"),
            std::string::npos);
  EXPECT_EQ(between(r.body, "<Account>", "</Account>"), "000000000000");
  EXPECT_EQ(between(r.body, "<Arn>", "</Arn>"), "arn:aws:iam::000000000000:user/test");
  EXPECT_EQ(between(r.body, "<UserId>", "</UserId>"), "test");
  EXPECT_NE(r.body.find("<RequestId>"), std::string::npos);
}

TEST(Sts, AssumedRoleCredentialsAreAcceptedUntilTheyExpire) {
  Sts s;
  auto r = s.post("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2Fdeployer"
                  "&RoleSessionName=ci-run&DurationSeconds=900");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string key = between(r.body, "<AccessKeyId>", "</AccessKeyId>");
  std::string secret = between(r.body, "<SecretAccessKey>", "</SecretAccessKey>");
  std::string token = between(r.body, "<SessionToken>", "</SessionToken>");
  EXPECT_EQ(key.substr(0, 4), "ASIA");
  EXPECT_EQ(key.size(), 20u);
  EXPECT_FALSE(secret.empty());
  EXPECT_FALSE(token.empty());
  EXPECT_EQ(between(r.body, "<Expiration>", "</Expiration>"), base::iso8601(s.clock.now_ms() + 900000).substr(0, 19) + "Z");
  EXPECT_EQ(between(r.body, "<AssumedRoleUser>", "</AssumedRoleUser>").find("<Arn>arn:aws:sts::000000000000:assumed-role/deployer/ci-run</Arn>") != std::string::npos, true);

  auto who = s.post("Action=GetCallerIdentity", key, secret, token);
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(between(who.body, "<Arn>", "</Arn>"), "arn:aws:sts::000000000000:assumed-role/deployer/ci-run");
  EXPECT_EQ(between(who.body, "<UserId>", "</UserId>").substr(0, 4), "AROA");

  auto no_token = s.post("Action=GetCallerIdentity", key, secret);
  EXPECT_EQ(no_token.status, 403);
  EXPECT_NE(no_token.body.find("<Code>InvalidClientTokenId</Code>"), std::string::npos);
  auto wrong_token = s.post("Action=GetCallerIdentity", key, secret, token + "x");
  EXPECT_EQ(wrong_token.status, 403);

  s.clock.advance_ms(901 * 1000);
  auto expired = s.post("Action=GetCallerIdentity", key, secret, token);
  EXPECT_EQ(expired.status, 403);
  EXPECT_NE(expired.body.find("<Code>ExpiredToken</Code>"), std::string::npos) << expired.body;
}

TEST(Sts, AssumeRoleValidatesInAwsWords) {
  Sts s;
  auto r = s.post("Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2Fr&DurationSeconds=100");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("<Code>ValidationError</Code>"), std::string::npos);
  EXPECT_NE(r.body.find("2 validation errors detected: Value null at &apos;roleSessionName&apos; failed to satisfy "
                        "constraint: Member must not be null; Value &apos;100&apos; at &apos;durationSeconds&apos; "
                        "failed to satisfy constraint: Member must have value greater than or equal to 900"),
            std::string::npos)
      << r.body;
  r = s.post("Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2Fr&RoleSessionName=s"
             "&DurationSeconds=50000");
  EXPECT_NE(r.body.find("Member must have length greater than or equal to 2"), std::string::npos);
  EXPECT_NE(r.body.find("Member must have value less than or equal to 43200"), std::string::npos);
  r = s.post("Action=AssumeRole&RoleArn=arn%3Aaws%3As3%3A%3A%3Abucket-name-long&RoleSessionName=ss");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("is not a role ARN"), std::string::npos);
  r = s.post("Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&RoleSessionName=ss");
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("<Code>AccessDenied</Code>"), std::string::npos);
}

TEST(Sts, UnsupportedParametersAreRefusedSayingSo) {
  Sts s;
  for (const char* extra : {"Policy=%7B%7D", "SerialNumber=arn%3Aaws%3Aiam%3A%3A000000000000%3Amfa%2Fu&TokenCode=123456",
                            "Tags.member.1.Key=k&Tags.member.1.Value=v", "PolicyArns.member.1.arn=x", "ExternalId=e"}) {
    auto r = s.post(std::string("Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2Fr"
                                "&RoleSessionName=ss&") + extra);
    EXPECT_EQ(r.status, 400) << extra;
    EXPECT_NE(r.body.find("nimbus does not support the parameter"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("of AssumeRole yet"), std::string::npos) << r.body;
  }
}

TEST(Sts, RoleChainingIsLimitedToAnHour) {
  Sts s;
  auto r = s.post("Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2Fa&RoleSessionName=one");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string key = between(r.body, "<AccessKeyId>", "</AccessKeyId>");
  std::string secret = between(r.body, "<SecretAccessKey>", "</SecretAccessKey>");
  std::string token = between(r.body, "<SessionToken>", "</SessionToken>");
  auto chained = s.post("Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2Fb&RoleSessionName=two"
                        "&DurationSeconds=7200",
                        key, secret, token);
  EXPECT_EQ(chained.status, 400);
  EXPECT_NE(chained.body.find("role chaining"), std::string::npos);
  chained = s.post("Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2Fb&RoleSessionName=two", key,
                   secret, token);
  EXPECT_EQ(chained.status, 200) << chained.body;
}

TEST(Sts, QueryInTheUrlAndVersionCheck) {
  Sts s;
  auto t = make_request("GET", "/?Action=GetCallerIdentity&Version=2011-06-15", "", {}, "sts", "test", "test",
                        s.clock.now_ms());
  auto r = run(s.router.handle(t->req));
  EXPECT_EQ(r.status, 200) << r.body;
  auto wrong = s.post("Action=GetCallerIdentity&Version=2099-01-01");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_NE(wrong.body.find("<Code>InvalidAction</Code>"), std::string::npos);
}

}  // namespace
}  // namespace nimbus::sts
