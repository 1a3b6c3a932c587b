#include "execute_api/jwt.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <boost/json/parse.hpp>

#include "base/encoding.h"

namespace nimbus::execute_api {

namespace json = boost::json;

namespace {

base::Error invalid(std::string why) { return base::make_error(base::ErrorCode::kMalformed, std::move(why)); }

std::optional<std::string> base64url_decode(std::string_view in) {
  std::string s(in);
  for (char& c : s) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
    else if (c == '+' || c == '/' || c == '=') return std::nullopt;
  }
  while (s.size() % 4) s += '=';
  return base::base64_decode(s);
}

std::string member(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

Bn bignum(const std::string& bytes) {
  return Bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()), nullptr));
}

std::shared_ptr<void> from_params(const char* type, OSSL_PARAM_BLD* bld) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1) EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  if (!key) return nullptr;
  return std::shared_ptr<void>(key, [](void* k) { EVP_PKEY_free(static_cast<EVP_PKEY*>(k)); });
}

std::shared_ptr<void> rsa_key(const std::string& n, const std::string& e) {
  Bn bn_n = bignum(n), bn_e = bignum(e);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  std::shared_ptr<void> key;
  if (bld && bn_n && bn_e && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n.get()) == 1 &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e.get()) == 1)
    key = from_params("RSA", bld);
  OSSL_PARAM_BLD_free(bld);
  return key;
}

std::shared_ptr<void> ec_p256_key(const std::string& x, const std::string& y) {
  if (x.size() != 32 || y.size() != 32) return nullptr;
  std::string point = "\x04" + x + y;  // uncompressed
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  std::shared_ptr<void> key;
  if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) == 1)
    key = from_params("EC", bld);
  OSSL_PARAM_BLD_free(bld);
  return key;
}

bool verify_signature(const Jwk& key, const std::string& input, const std::string& signature) {
  std::string der;
  if (key.alg == "ES256") {
    // JWS carries r||s (32 bytes each); OpenSSL verifies a DER ECDSA-Sig-Value.
    if (signature.size() != 64) return false;
    ECDSA_SIG* sig = ECDSA_SIG_new();
    BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(signature.data()), 32, nullptr);
    BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(signature.data()) + 32, 32, nullptr);
    if (!sig || !r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
      BN_free(r);
      BN_free(s);
      ECDSA_SIG_free(sig);
      return false;
    }
    unsigned char* out = nullptr;
    int len = i2d_ECDSA_SIG(sig, &out);
    ECDSA_SIG_free(sig);
    if (len <= 0) return false;
    der.assign(reinterpret_cast<char*>(out), static_cast<size_t>(len));
    OPENSSL_free(out);
  }
  const std::string& sig_bytes = key.alg == "ES256" ? der : signature;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, static_cast<EVP_PKEY*>(key.key.get())) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig_bytes.data()), sig_bytes.size(),
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// A NumericDate claim; nullopt when absent, error text when not a number.
std::optional<int64_t> numeric(const json::object& claims, std::string_view name, bool& bad) {
  const auto* v = claims.if_contains(name);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    bad = true;
    return std::nullopt;
  }
  return static_cast<int64_t>(v->to_number<double>());
}

}  // namespace

base::Result<JwkSet> parse_jwks(std::string_view json_text) {
  boost::system::error_code ec;
  auto v = json::parse(json_text, ec);
  if (ec || !v.is_object()) return invalid("the JWKS is not a JSON object");
  const auto* keys = v.as_object().if_contains("keys");
  if (!keys || !keys->is_array()) return invalid("the JWKS has no keys list");
  JwkSet set;
  for (const auto& k : keys->as_array()) {
    if (!k.is_object()) continue;
    const auto& o = k.as_object();
    std::string kty = member(o, "kty"), kid = member(o, "kid"), use = member(o, "use"), alg = member(o, "alg");
    if (!use.empty() && use != "sig") continue;
    Jwk jwk;
    if (kty == "RSA" && (alg.empty() || alg == "RS256")) {
      auto n = base64url_decode(member(o, "n")), e = base64url_decode(member(o, "e"));
      if (!n || !e || n->empty() || e->empty()) continue;
      jwk.alg = "RS256";
      jwk.key = rsa_key(*n, *e);
    } else if (kty == "EC" && member(o, "crv") == "P-256" && (alg.empty() || alg == "ES256")) {
      auto x = base64url_decode(member(o, "x")), y = base64url_decode(member(o, "y"));
      if (!x || !y) continue;
      jwk.alg = "ES256";
      jwk.key = ec_p256_key(*x, *y);
    } else {
      continue;
    }
    if (jwk.key) set.keys[kid] = std::move(jwk);
  }
  return set;
}

base::Result<JwtParts> parse_jwt(std::string_view token) {
  size_t a = token.find('.');
  size_t b = a == std::string_view::npos ? a : token.find('.', a + 1);
  if (b == std::string_view::npos || token.find('.', b + 1) != std::string_view::npos)
    return invalid("the token is not a JWT");
  auto header = base64url_decode(token.substr(0, a));
  auto payload = base64url_decode(token.substr(a + 1, b - a - 1));
  auto signature = base64url_decode(token.substr(b + 1));
  if (!header || !payload || !signature) return invalid("the token is not a JWT");
  boost::system::error_code ec;
  auto h = json::parse(*header, ec);
  if (ec || !h.is_object()) return invalid("the token's header is not JSON");
  auto p = json::parse(*payload, ec);
  if (ec || !p.is_object()) return invalid("the token's claims are not JSON");
  JwtParts parts;
  parts.alg = member(h.as_object(), "alg");
  parts.kid = member(h.as_object(), "kid");
  parts.claims = std::move(p.as_object());
  parts.signing_input = std::string(token.substr(0, b));
  parts.signature = std::move(*signature);
  return parts;
}

JwtCheck verify_jwt(const JwtParts& token, const JwkSet& keys, const std::string& issuer,
                    const std::vector<std::string>& audience, int64_t now_s) {
  auto fail = [](std::string why) { return JwtCheck{false, std::move(why)}; };
  if (token.alg != "RS256" && token.alg != "ES256") return fail("the token's alg " + token.alg + " is not supported");
  auto it = keys.keys.find(token.kid);
  if (it == keys.keys.end()) return fail("no key of the issuer matches the token's kid");
  if (it->second.alg != token.alg) return fail("the token's alg does not match its key");
  if (!verify_signature(it->second, token.signing_input, token.signature)) return fail("signature is invalid");
  const auto& c = token.claims;
  if (member(c, "iss") != issuer) return fail("the token's issuer is not " + issuer);
  bool aud_ok = false;
  auto listed = [&](std::string_view v) {
    for (const auto& a : audience)
      if (a == v) return true;
    return false;
  };
  if (const auto* aud = c.if_contains("aud")) {
    if (aud->is_string()) aud_ok = listed(aud->as_string());
    if (aud->is_array())
      for (const auto& x : aud->as_array())
        if (x.is_string() && listed(x.as_string())) aud_ok = true;
  } else if (const auto* client = c.if_contains("client_id"); client && client->is_string()) {
    aud_ok = listed(client->as_string());  // access tokens of some issuers (Cognito) name the client
  }
  if (!aud_ok) return fail("the token's audience is not allowed");
  bool bad = false;
  auto exp = numeric(c, "exp", bad), nbf = numeric(c, "nbf", bad), iat = numeric(c, "iat", bad);
  if (bad) return fail("the token's dates are not numbers");
  if (!exp) return fail("the token has no exp claim");
  if (*exp <= now_s) return fail("the token has expired");
  if (nbf && *nbf > now_s) return fail("the token is not valid yet");
  if (iat && *iat > now_s) return fail("the token was issued in the future");
  return JwtCheck{true, ""};
}

std::vector<std::string> jwt_scopes(const json::object& claims) {
  std::vector<std::string> out;
  auto split = [&](std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
      size_t j = s.find(' ', i);
      if (j == std::string_view::npos) j = s.size();
      if (j > i) out.emplace_back(s.substr(i, j - i));
      i = j + 1;
    }
  };
  for (const char* name : {"scope", "scp"}) {
    const auto* v = claims.if_contains(name);
    if (!v) continue;
    if (v->is_string()) split(v->as_string());
    if (v->is_array())
      for (const auto& x : v->as_array())
        if (x.is_string()) out.emplace_back(x.as_string());
  }
  return out;
}

}  // namespace nimbus::execute_api
