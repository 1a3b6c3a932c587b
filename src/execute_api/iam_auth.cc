#include "execute_api/iam_auth.h"

namespace nimbus::execute_api {

namespace json = boost::json;

namespace {

const std::vector<std::string> kSigningNames = {"execute-api"};

// API Gateway's wording, which differs from the verifier's own.
constexpr const char* kBadSignature =
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
    "Key and signing method. Consult the service documentation for details.";

}  // namespace

IamCheck check_iam(const http::Request& req, std::string& body, const aws::Authenticator* authenticator) {
  IamCheck out;
  if (!authenticator) {  // a server without credentials cannot verify anything: refuse, never pass
    out.failure = aws::AuthFailure::kMissing;
    return out;
  }
  auto r = aws::verify_signature(req, std::move(body), *authenticator, kSigningNames);
  out.failure = r.failure;
  out.message = std::move(r.message);
  if (r) {
    out.caller = std::move(r.value.caller);
    body = std::move(r.value.body);
  }
  if (out.failure == aws::AuthFailure::kBadSignature) out.message = kBadSignature;
  return out;
}

std::string http_api_iam_message(const IamCheck& check) {
  if (check.failure == aws::AuthFailure::kMissing) return "Forbidden";
  return check.message;
}

std::pair<std::string, std::string> rest_iam_error(const IamCheck& check) {
  if (check.failure == aws::AuthFailure::kMissing)
    return {"MissingAuthenticationTokenException", "Missing Authentication Token"};
  auto e = aws::auth_error(aws::Protocol::kRestJson, check.failure, check.message);
  return {e.code, check.message};
}

json::object iam_authorizer(const aws::Caller& c) {
  return json::object{{"iam", json::object{{"accessKey", c.access_key},
                                           {"accountId", c.account},
                                           {"callerId", c.user_id},
                                           {"cognitoIdentity", nullptr},
                                           {"principalOrgId", nullptr},
                                           {"userArn", c.arn},
                                           {"userId", c.user_id}}}};
}

CallerIdentity identity_of(const aws::Caller& c) {
  return CallerIdentity{c.access_key, c.account, c.user_id, c.user_id, c.arn};
}

}  // namespace nimbus::execute_api
