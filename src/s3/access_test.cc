#include <gtest/gtest.h>

#include "s3/acl.h"
#include "s3/bucket_access.h"
#include "s3/cors.h"
#include "s3/policy.h"

namespace nimbus::s3 {
namespace {

TEST(Policy, EvaluatesAnonymousStatements) {
  S3Error err;
  auto p = parse_bucket_policy(R"({"Version":"2012-10-17","Statement":[
    {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/pub/*"},
    {"Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"arn:aws:s3:::b/pub/secret*"}]})", "b", err);
  ASSERT_TRUE(p) << err.message;
  EXPECT_TRUE(p->is_public());
  EXPECT_EQ(evaluate_anonymous(*p, "s3:GetObject", "arn:aws:s3:::b/pub/x", false), PolicyDecision::kAllow);
  EXPECT_EQ(evaluate_anonymous(*p, "s3:GetObject", "arn:aws:s3:::b/pub/secret.txt", false), PolicyDecision::kDeny);
  EXPECT_EQ(evaluate_anonymous(*p, "s3:PutObject", "arn:aws:s3:::b/pub/x", false), PolicyDecision::kNone);
  EXPECT_EQ(evaluate_anonymous(*p, "s3:GetObject", "arn:aws:s3:::b/pub/x", true), PolicyDecision::kNone);
}

TEST(Policy, RefusesWhatS3Refuses) {
  S3Error err;
  for (const char* bad : {"", "[]", "{", R"({"Statement":[]})",
                          R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}})",
                          R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}})",
                          R"({"Statement":{"Effect":"Allow","Principal":"me","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}})",
                          R"({"Version":"2020-01-01","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}})"}) {
    err = {};
    EXPECT_FALSE(parse_bucket_policy(bad, "b", err)) << bad;
    EXPECT_EQ(err.code, "MalformedPolicy") << bad;
  }
}

TEST(Acl, CannedAndGrantHeaders) {
  S3Error err;
  auto acl = acl_from_headers({{"x-amz-acl", "public-read"}}, err);
  ASSERT_TRUE(acl);
  EXPECT_TRUE(acl->is_public());
  EXPECT_TRUE(acl->group_has(kAllUsers, "READ"));
  EXPECT_FALSE(acl->group_has(kAllUsers, "WRITE"));
  EXPECT_FALSE(acl_from_headers({{"x-amz-acl", "nope"}}, err));
  EXPECT_EQ(err.code, "InvalidArgument");
  acl = acl_from_headers({{"x-amz-grant-read", "uri=\"http://acs.amazonaws.com/groups/global/AllUsers\", id=\"abc\""}}, err);
  ASSERT_TRUE(acl) << err.message;
  EXPECT_EQ(acl->grants.size(), 2u);
  EXPECT_FALSE(acl_from_headers({{"x-amz-grant-read", "uri=\"http://example.com/group\""}}, err));
  EXPECT_FALSE(acl_from_headers({{}}, err));
  EXPECT_TRUE(err.code.empty());
}

TEST(Acl, XmlRoundTrips) {
  S3Error err;
  auto acl = canned_acl("public-read-write");
  ASSERT_TRUE(acl);
  auto back = parse_access_control_policy(render_access_control_policy(*acl), err);
  ASSERT_TRUE(back) << err.message;
  EXPECT_EQ(back->grants.size(), 3u);
  EXPECT_TRUE(back->group_has(kAllUsers, "WRITE"));
  EXPECT_FALSE(parse_access_control_policy("<AccessControlPolicy/>", err));
  EXPECT_EQ(err.code, "MalformedACLError");
}

TEST(Cors, RulesMatchOriginMethodAndHeaders) {
  S3Error err;
  auto cors = parse_cors_configuration(
      "<CORSConfiguration><CORSRule><AllowedOrigin>https://*.example.com</AllowedOrigin><AllowedMethod>PUT</AllowedMethod>"
      "<AllowedHeader>x-amz-*</AllowedHeader></CORSRule><CORSRule><AllowedOrigin>http://a?b</AllowedOrigin>"
      "<AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>", err);
  ASSERT_TRUE(cors) << err.message;
  EXPECT_TRUE(match_cors_rule(*cors, "https://app.example.com", "PUT", {"x-amz-date"}));
  EXPECT_FALSE(match_cors_rule(*cors, "https://app.example.com", "PUT", {"authorization"}));
  EXPECT_FALSE(match_cors_rule(*cors, "https://example.com", "PUT", {}));
  EXPECT_FALSE(match_cors_rule(*cors, "https://app.example.com", "GET", {}));
  EXPECT_TRUE(match_cors_rule(*cors, "http://a?b", "GET", {}));
  EXPECT_FALSE(match_cors_rule(*cors, "http://axb", "GET", {}));  // '?' is no wildcard in CORS
  EXPECT_FALSE(parse_cors_configuration("<CORSConfiguration/>", err));
  EXPECT_EQ(err.code, "MalformedXML");
}

TEST(ExpectedOwner, OnlyNimbusAccountPasses) {
  EXPECT_FALSE(expected_owner_error({}));
  EXPECT_FALSE(expected_owner_error({{"x-amz-expected-bucket-owner", "000000000000"}}));
  EXPECT_FALSE(expected_owner_error({{"x-amz-source-expected-bucket-owner", "000000000000"}}));
  for (const char* h : {"x-amz-expected-bucket-owner", "x-amz-source-expected-bucket-owner"}) {
    for (const char* v : {"111122223333", "", "0000000000000"}) {
      auto e = expected_owner_error({{h, v}});
      ASSERT_TRUE(e) << h << ": " << v;
      EXPECT_EQ(e->status, 403);
      EXPECT_EQ(e->code, "AccessDenied");
    }
  }
}

}  // namespace
}  // namespace nimbus::s3
