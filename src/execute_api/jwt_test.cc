#include "execute_api/jwt.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include "base/encoding.h"
#include "execute_api/jwks.h"

namespace nimbus::execute_api {
namespace {

namespace json = boost::json;

std::string b64url(std::string_view bytes) {
  std::string s = base::base64_encode(bytes);
  for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

std::string bn_param(EVP_PKEY* key, const char* name, size_t pad = 0) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string out(pad ? pad : static_cast<size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return out;
}

// A key pair, its JWK and signatures in JWS form.
struct TestKey {
  std::string alg;
  EVP_PKEY* key;
  explicit TestKey(std::string a) : alg(std::move(a)) {
    key = alg == "RS256" ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048})
                         : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  }
  ~TestKey() { EVP_PKEY_free(key); }

  json::object jwk(const std::string& kid) const {
    if (alg == "RS256")
      return {{"kty", "RSA"}, {"kid", kid}, {"use", "sig"}, {"alg", "RS256"},
              {"n", b64url(bn_param(key, OSSL_PKEY_PARAM_RSA_N))}, {"e", b64url(bn_param(key, OSSL_PKEY_PARAM_RSA_E))}};
    return {{"kty", "EC"}, {"kid", kid}, {"crv", "P-256"},
            {"x", b64url(bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, 32))},
            {"y", b64url(bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32))}};
  }

  std::string sign(const std::string& kid, const json::object& claims) const {
    std::string input = b64url(json::serialize(json::object{{"alg", alg}, {"kid", kid}, {"typ", "JWT"}})) + "." +
                        b64url(json::serialize(claims));
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t len = 0;
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
    EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    std::string sig(len, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    sig.resize(len);
    EVP_MD_CTX_free(ctx);
    if (alg == "ES256") {  // DER -> r||s
      const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
      ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
      std::string raw(64, '\0');
      BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), 32);
      BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
      ECDSA_SIG_free(es);
      sig = raw;
    }
    return input + "." + b64url(sig);
  }
};

constexpr int64_t kNow = 1'700'000'000;
const std::string kIssuer = "http://127.0.0.1:9/issuer";

json::object claims(int64_t exp = kNow + 600) {
  return {{"iss", kIssuer}, {"aud", "my-app"}, {"sub", "user-1"}, {"iat", kNow - 10}, {"exp", exp},
          {"scope", "read write"}};
}

JwkSet jwks_of(std::initializer_list<std::pair<const TestKey*, std::string>> keys) {
  json::array list;
  for (const auto& [k, kid] : keys) list.push_back(k->jwk(kid));
  auto set = parse_jwks(json::serialize(json::object{{"keys", list}}));
  EXPECT_TRUE(set) << set.error().message;
  return *set;
}

JwtCheck check(const std::string& token, const JwkSet& keys, int64_t now = kNow) {
  auto parts = parse_jwt(token);
  if (!parts) return {false, parts.error().message};
  return verify_jwt(*parts, keys, kIssuer, {"other", "my-app"}, now);
}

class JwtAlg : public testing::TestWithParam<const char*> {};

TEST_P(JwtAlg, AGoodTokenVerifies) {
  TestKey key(GetParam());
  auto keys = jwks_of({{&key, "k1"}});
  auto result = check(key.sign("k1", claims()), keys);
  EXPECT_TRUE(result.ok) << result.error_description;
}

TEST_P(JwtAlg, ATamperedOrForeignSignatureFails) {
  TestKey key(GetParam()), other(GetParam());
  auto keys = jwks_of({{&key, "k1"}});
  std::string token = other.sign("k1", claims());
  EXPECT_EQ(check(token, keys).error_description, "signature is invalid");
  // The claims changed after signing.
  std::string good = key.sign("k1", claims());
  std::string forged = key.sign("k1", claims(kNow + 99999));
  std::string mixed = forged.substr(0, forged.rfind('.')) + good.substr(good.rfind('.'));
  EXPECT_EQ(check(mixed, keys).error_description, "signature is invalid");
}

TEST_P(JwtAlg, ExpiredNotYetValidAndWrongClaimsFail) {
  TestKey key(GetParam());
  auto keys = jwks_of({{&key, "k1"}});
  EXPECT_EQ(check(key.sign("k1", claims(kNow - 1)), keys).error_description, "the token has expired");
  auto c = claims();
  c["nbf"] = kNow + 60;
  EXPECT_EQ(check(key.sign("k1", c), keys).error_description, "the token is not valid yet");
  c = claims();
  c["aud"] = json::array{"x", "y"};
  EXPECT_EQ(check(key.sign("k1", c), keys).error_description, "the token's audience is not allowed");
  c["aud"] = json::array{"x", "my-app"};
  EXPECT_TRUE(check(key.sign("k1", c), keys).ok);
  c = claims();
  c["iss"] = "http://evil";
  EXPECT_FALSE(check(key.sign("k1", c), keys).ok);
  EXPECT_EQ(check(key.sign("unknown", claims()), keys).error_description,
            "no key of the issuer matches the token's kid");
}

INSTANTIATE_TEST_SUITE_P(Algorithms, JwtAlg, testing::Values("RS256", "ES256"));

TEST(Jwt, NotATokenAndAlgNoneAreRefused) {
  TestKey key("RS256");
  auto keys = jwks_of({{&key, "k1"}});
  EXPECT_FALSE(parse_jwt("abc"));
  EXPECT_FALSE(parse_jwt("a.b"));
  std::string none = b64url(R"({"alg":"none","kid":"k1"})") + "." + b64url(json::serialize(claims())) + ".";
  EXPECT_FALSE(check(none, keys).ok);
}

TEST(Jwt, ScopesComeFromScopeOrScp) {
  EXPECT_EQ(jwt_scopes({{"scope", "a b  c"}}), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(jwt_scopes({{"scp", json::array{"x", "y"}}}), (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(jwt_scopes({}).empty());
}

TEST(JwksCache, DiscoversTheKeysAndRefetchesOnAnUnknownKid) {
  base::FakeClock clock;
  TestKey first("RS256"), second("ES256");
  std::vector<std::string> fetched;
  json::array keys{first.jwk("k1")};
  JwksCache cache(
      [&](std::string url) -> boost::asio::awaitable<base::Result<std::string>> {
        fetched.push_back(url);
        if (url == kIssuer + "/.well-known/openid-configuration")
          co_return json::serialize(json::object{{"jwks_uri", "http://127.0.0.1:9/keys"}});
        co_return json::serialize(json::object{{"keys", keys}});
      },
      clock);
  boost::asio::io_context io;
  auto get = [&](std::string kid) {
    std::shared_ptr<const JwkSet> out;
    boost::asio::co_spawn(io, [&]() -> boost::asio::awaitable<void> {
      auto r = co_await cache.keys(kIssuer, kid);
      if (r) out = *r;
    }, boost::asio::detached);
    io.restart();
    io.run();
    return out;
  };
  ASSERT_TRUE(get("k1"));
  EXPECT_EQ(fetched.size(), 2u);  // discovery, then jwks_uri
  EXPECT_TRUE(get("k1")->keys.count("k1"));
  EXPECT_EQ(fetched.size(), 2u) << "cached";
  keys.push_back(second.jwk("k2"));  // the issuer rotates
  EXPECT_FALSE(get("k2")->keys.count("k2")) << "no refetch within 10 s of the last one";
  clock.advance_ms(10'000);
  EXPECT_TRUE(get("k2")->keys.count("k2"));
  EXPECT_EQ(fetched.size(), 4u);
}

}  // namespace
}  // namespace nimbus::execute_api
