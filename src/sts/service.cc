#include "sts/service.h"

#include "aws/fields.h"
#include "aws/query_protocol.h"
#include "base/arn.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "base/time.h"

namespace nimbus::sts {

namespace {

constexpr int64_t kChainedMaxSeconds = 3600;

base::Error invalid(std::string message) { return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message)); }

// Uppercase letters and digits, as AWS's access key ids are.
std::string key_id(std::string_view prefix) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string bytes = base::random_bytes(16);
  std::string out(prefix);
  for (unsigned char b : bytes) out.push_back(kAlphabet[b % 32]);
  return out;
}

// Timestamps without milliseconds, as STS writes them: 2024-01-01T10:00:00Z.
std::string expiration(int64_t ms) {
  std::string t = base::iso8601(ms);
  return t.substr(0, 19) + "Z";
}

}  // namespace

aws::ServiceError error_of(const base::Error& e) {
  using base::ErrorCode;
  switch (e.code) {
    case ErrorCode::kInvalidArgument: return {400, "ValidationError", e.message};
    case ErrorCode::kMalformed: return {400, "MalformedInput", e.message};
    case ErrorCode::kAccessDenied: return {403, "AccessDenied", e.message};
    case ErrorCode::kNotImplemented: return {400, "InvalidParameterValue", e.message};
    default: return {500, "InternalFailure", e.message, "", false};
  }
}

aws::ServiceDescriptor Service::descriptor() {
  aws::ServiceDescriptor d;
  d.name = "sts";
  d.title = "STS";
  d.protocol = aws::Protocol::kQuery;
  d.signing_names = {"sts"};
  d.xml_namespace = "https://sts.amazonaws.com/doc/2011-06-15/";
  d.api_version = "2011-06-15";
  d.operations = {"GetCallerIdentity", "AssumeRole"};
  d.errors = &error_of;
  d.handler = [this](aws::Call& c) { return handle(c); };
  return d;
}

boost::asio::awaitable<http::Response> Service::handle(aws::Call& call) {
  auto result = call.operation == "AssumeRole" ? assume_role(call) : get_caller_identity(call);
  if (!result) co_return call.fail(result.error());
  co_return call.reply_xml(*result);
}

base::Result<std::string> Service::get_caller_identity(const aws::Call& call) const {
  aws::XmlWriter x;
  x.element("UserId", call.caller.user_id).element("Account", call.caller.account).element("Arn", call.caller.arn);
  return x.str();
}

base::Result<std::string> Service::assume_role(const aws::Call& call) {
  aws::QueryFields f(call.params);
  for (const char* p : {"Policy", "PolicyArns", "Tags", "TransitiveTagKeys", "ExternalId", "SerialNumber", "TokenCode",
                        "SourceIdentity", "ProvidedContexts"})
    f.unsupported(p, "AssumeRole");
  auto role_arn = f.string("RoleArn", {.required = true, .min_length = 20, .max_length = 2048});
  auto session = f.string("RoleSessionName",
                          {.required = true, .min_length = 2, .max_length = 64, .pattern = "[\\w+=,.@-]*"});
  auto duration = f.integer("DurationSeconds", {.min = 900, .max = 43200});
  if (auto s = f.status(); !s) return s.error();

  auto arn = base::Arn::parse(*role_arn);
  if (!arn || arn->service != "iam" || arn->resource_of("role").empty())
    return invalid(*role_arn + " is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)");
  if (arn->account != base::kAccountId)
    return base::make_error(base::ErrorCode::kAccessDenied,
                            "nimbus has one account, " + std::string(base::kAccountId) + "; " + *role_arn +
                                " is in another");
  int64_t seconds = duration.value_or(3600);
  if (call.auth.role_arn.size() && seconds > kChainedMaxSeconds)
    return invalid("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");

  int64_t now = clock_.now_ms();
  std::string access_key = key_id("ASIA");
  std::string secret = base::base64_encode(base::random_bytes(30));
  std::string token = base::base64_encode(base::random_bytes(96));
  auth::Credential c;
  c.secret = secret;
  c.session_token = token;
  c.expires_ms = now + seconds * 1000;
  c.role_arn = arn->str();
  c.session_name = *session;
  credentials_.add_session(access_key, c, now);

  auth::VerifiedRequest as_session;
  as_session.access_key = access_key;
  as_session.role_arn = c.role_arn;
  as_session.session_name = c.session_name;
  aws::Caller assumed = aws::caller_of(as_session, call.caller.account);

  aws::XmlWriter x;
  x.open("Credentials")
      .element("AccessKeyId", access_key)
      .element("SecretAccessKey", secret)
      .element("SessionToken", token)
      .element("Expiration", expiration(c.expires_ms))
      .close("Credentials");
  x.open("AssumedRoleUser").element("AssumedRoleId", assumed.user_id).element("Arn", assumed.arn).close("AssumedRoleUser");
  return x.str();
}

}  // namespace nimbus::sts
