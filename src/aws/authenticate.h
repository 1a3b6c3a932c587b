// The one authentication step of every SigV4 service but S3 (which has
// presigned URLs, SigV2 and aws-chunked bodies of its own): read the body up
// to the service's limit, hash it, verify the signature (auth::verify, with
// the shared signing-key cache and session credentials), check that the
// scope names this service, and say who the caller is. Failures are an
// AuthFailure that auth_error() renders the same way in every service.
//
// The edge (aws::Router) runs it for services with AuthMode::kSigV4; a
// service that authenticates itself part of the time (the admin API's
// unsigned health check) calls authenticate() directly.
//
// THREADING RULE: run on an io thread; the credential store and key cache
// are thread-safe, nothing here blocks on disk.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/credentials.h"
#include "auth/sigv4.h"
#include "aws/protocol.h"
#include "http/message.h"

namespace nimbus::aws {

// Who signed a request, as STS's GetCallerIdentity reports it.
struct Caller {
  std::string access_key;
  std::string account;  // base::kAccountId
  std::string arn;      // arn:aws:iam::ACCOUNT:user/NAME or arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
  std::string user_id;  // the access key, or ROLEID:SESSION for session credentials
};

enum class AuthFailure {
  kNone,
  kBodyTooLarge,     // 413
  kBodyUnreadable,   // 400: the client stopped sending
  kMissing,          // 403 MissingAuthenticationToken(Exception)
  kMalformed,        // 400 IncompleteSignature(Exception)
  kUnknownKey,       // 403 UnrecognizedClientException / InvalidClientTokenId
  kExpiredToken,     // 400/403 ExpiredToken(Exception)
  kBadSignature,     // 403 InvalidSignatureException / SignatureDoesNotMatch
  kSkewed,           // 403 InvalidSignatureException "Signature expired: ..."
  kWrongService,     // 403: signed for another service than the one addressed
};

struct Authenticated {
  std::string body;
  auth::VerifiedRequest auth;
  Caller caller;
};

struct AuthResult {
  AuthFailure failure = AuthFailure::kNone;
  std::string message;
  Authenticated value;
  explicit operator bool() const { return failure == AuthFailure::kNone; }
};

struct Authenticator {
  const auth::CredentialStore& credentials;
  auth::SigningKeyCache& keys;
  std::string account;                   // the account every key belongs to
  std::function<int64_t()> now_ms;       // null: base::now_ms
};

// signing_names: the scope services accepted; empty accepts any.
boost::asio::awaitable<AuthResult> authenticate(http::Request& req, const Authenticator& a, size_t max_body,
                                                const std::vector<std::string>& signing_names);

// The same checks on a body already read (the admin API's GET /metrics).
AuthResult verify_signature(const http::Request& req, std::string body, const Authenticator& a,
                            const std::vector<std::string>& signing_names);

// The caller of a verified request.
Caller caller_of(const auth::VerifiedRequest& v, std::string_view account);

// An authentication failure as `protocol` reports it (JSON services'
// *Exception codes, query services' codes without the suffix).
ServiceError auth_error(Protocol protocol, AuthFailure failure, std::string_view message);

}  // namespace nimbus::aws
