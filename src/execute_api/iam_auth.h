// AWS_IAM on HTTP API routes and REST API methods: the request must carry a
// SigV4 signature scoped to `execute-api`, checked by the one verifier every
// signed service uses (aws::verify_signature: the signing-key cache, session
// credentials and their expiry, the 15-minute skew). The signature is checked
// against the request as the client sent it — its raw target, so the path
// forms (/_aws/execute-api/…, /restapis/…/_user_request_/…) verify against
// the path the client signed. Any key nimbus knows may invoke: nimbus has no
// IAM policies, so execute-api:Invoke is not evaluated.
//
// The rejections are API Gateway's: an unsigned request is HTTP APIs' 403
// {"message":"Forbidden"} and REST APIs' 403 Missing Authentication Token; a
// bad signature, unknown key, expired token or skewed clock are 403 with
// AWS's own texts (REST APIs name the error in x-amzn-ErrorType).
// THREADING RULE: pure functions but for the authenticator's thread-safe
// credential store and key cache; any io thread.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "aws/authenticate.h"
#include "execute_api/proxy_event.h"
#include "http/message.h"

namespace nimbus::execute_api {

struct IamCheck {
  aws::AuthFailure failure = aws::AuthFailure::kNone;
  std::string message;  // AWS's text for the failure
  aws::Caller caller;   // when it passed
  explicit operator bool() const { return failure == aws::AuthFailure::kNone; }
};

// body: the request's body, already read (it is part of the signature); it
// goes through the check and comes back when the check passes (not copied:
// it may be 10 MB).
IamCheck check_iam(const http::Request& req, std::string& body, const aws::Authenticator* authenticator);

// The rejection of a failed check (always 403): HTTP APIs' message.
std::string http_api_iam_message(const IamCheck& check);
// REST APIs': the x-amzn-ErrorType and message (the status is 403).
std::pair<std::string, std::string> rest_iam_error(const IamCheck& check);

// Payload 2.0's requestContext.authorizer of an AWS_IAM route: {"iam": {...}}.
boost::json::object iam_authorizer(const aws::Caller& caller);
// Payload 1.0's and REST's requestContext.identity members.
CallerIdentity identity_of(const aws::Caller& caller);

}  // namespace nimbus::execute_api
