// JSON Web Tokens as API Gateway's JWT authorizers check them: a compact JWS
// (header.payload.signature, base64url) signed RS256 or ES256 with a key of
// the issuer's JWKS chosen by `kid`, then the claims: iss equals the
// issuer, aud (or client_id) is one of the audience, exp is after now, nbf
// and iat are not after it. Keys are parsed from JWK members with OpenSSL.
// THREADING RULE: pure functions over values; a JwkSet is immutable once
// parsed and safe to share between threads.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace nimbus::execute_api {

// One public key (an EVP_PKEY) and the algorithm it verifies.
struct Jwk {
  std::string alg;  // "RS256" or "ES256"
  std::shared_ptr<void> key;  // EVP_PKEY, freed with EVP_PKEY_free
};

// A JWKS document's usable keys by kid; keys of other types are skipped.
struct JwkSet {
  std::map<std::string, Jwk> keys;
};
base::Result<JwkSet> parse_jwks(std::string_view json_text);

// The parts of a token, decoded but not yet trusted.
struct JwtParts {
  std::string alg, kid;
  boost::json::object claims;
  std::string signing_input;  // "header.payload"
  std::string signature;      // raw bytes
};
base::Result<JwtParts> parse_jwt(std::string_view token);

// Why a token fails, as API Gateway's www-authenticate header words it.
struct JwtCheck {
  bool ok = false;
  std::string error_description;  // "signature is invalid", "the token has expired", ...
};
// The signature against `keys` and the claims against issuer/audience at `now_s`.
JwtCheck verify_jwt(const JwtParts& token, const JwkSet& keys, const std::string& issuer,
                    const std::vector<std::string>& audience, int64_t now_s);

// The token's scopes: "scope" (space separated) or "scp" (a list or a string).
std::vector<std::string> jwt_scopes(const boost::json::object& claims);

}  // namespace nimbus::execute_api
