#include "aws/authenticate.h"

#include <algorithm>

#include "base/crypto.h"
#include "base/time.h"

namespace nimbus::aws {

namespace {

AuthResult failed(AuthFailure f, std::string message) {
  AuthResult r;
  r.failure = f;
  r.message = std::move(message);
  return r;
}

// auth::verify's errors as the failures every service reports alike.
AuthFailure failure_of(const base::Error& e) {
  using base::ErrorCode;
  namespace reason = base::reason;
  if (e.code == ErrorCode::kUnauthenticated) {
    if (e.reason == reason::kInvalidAccessKeyId) return AuthFailure::kUnknownKey;
    if (e.reason == reason::kRequestTimeTooSkewed) return AuthFailure::kSkewed;
    if (e.reason == reason::kExpiredToken) return AuthFailure::kExpiredToken;
    if (e.reason == reason::kMissingAuthentication) return AuthFailure::kMissing;
    return AuthFailure::kBadSignature;
  }
  if (e.code == ErrorCode::kAccessDenied) return AuthFailure::kMissing;  // no usable date, not signed
  return AuthFailure::kMalformed;
}

std::string amz_date_of(const http::Request& req) { return req.header("x-amz-date"); }

}  // namespace

Caller caller_of(const auth::VerifiedRequest& v, std::string_view account) {
  Caller c;
  c.access_key = v.access_key;
  c.account = std::string(account);
  if (!v.role_arn.empty()) {
    // arn:aws:iam::ACCOUNT:role/PATH/NAME -> assumed-role/NAME/SESSION; the role id is stable per role.
    std::string role = v.role_arn.substr(v.role_arn.rfind('/') + 1);
    c.arn = "arn:aws:sts::" + c.account + ":assumed-role/" + role + "/" + v.session_name;
    std::string id = base::sha256_hex(v.role_arn).substr(0, 17);
    std::transform(id.begin(), id.end(), id.begin(), [](unsigned char ch) { return std::toupper(ch); });
    c.user_id = "AROA" + id + ":" + v.session_name;
  } else {
    c.arn = "arn:aws:iam::" + c.account + ":user/" + v.access_key;
    c.user_id = v.access_key;
  }
  return c;
}

AuthResult verify_signature(const http::Request& req, std::string body, const Authenticator& a,
                            const std::vector<std::string>& signing_names) {
  std::string hash = base::sha256_hex(body);
  auth::RequestView view{req.method, req.target, &req.headers, hash};
  if (!auth::is_sigv4(view)) return failed(AuthFailure::kMissing, "Missing Authentication Token");
  int64_t now = a.now_ms ? a.now_ms() : base::now_ms();
  // An expired session is told as such before the signature is checked, as AWS does.
  if (auto scope = auth::peek_scope(view); scope.ok()) {
    std::string header = req.header("authorization");
    size_t at = header.find("Credential=");
    std::string key;
    if (at != std::string::npos) {
      key = header.substr(at + 11);
      key = key.substr(0, key.find('/'));
    }
    if (auto c = a.credentials.find(key); c && c->is_session() && c->expires_ms && now >= c->expires_ms)
      return failed(AuthFailure::kExpiredToken, "The security token included in the request is expired");
    if (!signing_names.empty() &&
        std::find(signing_names.begin(), signing_names.end(), scope->service) == signing_names.end())
      return failed(AuthFailure::kWrongService, "Credential should be scoped to correct service: '" +
                                                    signing_names.front() + "'. ");
  }
  auth::VerifyOptions opts;
  opts.double_encode_path = true;
  opts.key_cache = &a.keys;
  auto verified = auth::verify(view, a.credentials, now, opts);
  if (!verified) {
    AuthFailure f = failure_of(verified.error());
    std::string message = verified.error().message;
    if (f == AuthFailure::kUnknownKey) message = "The security token included in the request is invalid.";
    if (f == AuthFailure::kSkewed)
      message = "Signature expired: " + amz_date_of(req) + " is now earlier or later than " +
                base::amz_date(now) + " (with a 15 minute skew allowed).";
    return failed(f, message);
  }
  AuthResult r;
  r.value.body = std::move(body);
  r.value.caller = caller_of(*verified, a.account);
  r.value.auth = std::move(*verified);
  return r;
}

boost::asio::awaitable<AuthResult> authenticate(http::Request& req, const Authenticator& a, size_t max_body,
                                                const std::vector<std::string>& signing_names) {
  auto body = co_await http::read_body(req, max_body);
  if (!body) {
    if (body.error().code == base::ErrorCode::kTooLarge)
      co_return failed(AuthFailure::kBodyTooLarge, "Request must be smaller than " + std::to_string(max_body) + " bytes");
    co_return failed(AuthFailure::kBodyUnreadable, body.error().message);
  }
  co_return verify_signature(req, std::move(*body), a, signing_names);
}

ServiceError auth_error(Protocol protocol, AuthFailure failure, std::string_view message) {
  bool query = protocol == Protocol::kQuery || protocol == Protocol::kRestXml;
  auto code = [&](std::string_view json, std::string_view q) { return std::string(query ? q : json); };
  std::string m(message);
  switch (failure) {
    case AuthFailure::kNone: break;
    case AuthFailure::kBodyTooLarge: return {413, code("RequestEntityTooLargeException", "RequestEntityTooLarge"), m};
    case AuthFailure::kBodyUnreadable: return {400, code("SerializationException", "MalformedInput"), m};
    case AuthFailure::kMissing:
      return {403, code("MissingAuthenticationTokenException", "MissingAuthenticationToken"), m};
    case AuthFailure::kMalformed: return {400, code("IncompleteSignatureException", "IncompleteSignature"), m};
    case AuthFailure::kUnknownKey: return {403, code("UnrecognizedClientException", "InvalidClientTokenId"), m};
    case AuthFailure::kExpiredToken: return {403, code("ExpiredTokenException", "ExpiredToken"), m};
    case AuthFailure::kBadSignature:
    case AuthFailure::kSkewed: return {403, code("InvalidSignatureException", "SignatureDoesNotMatch"), m};
    case AuthFailure::kWrongService: return {403, code("InvalidSignatureException", "SignatureDoesNotMatch"), m};
  }
  return {500, code("InternalFailure", "InternalFailure"), m};
}

}  // namespace nimbus::aws
