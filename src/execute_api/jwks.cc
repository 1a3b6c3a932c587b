#include "execute_api/jwks.h"

#include <boost/json/parse.hpp>

namespace nimbus::execute_api {

using boost::asio::awaitable;
namespace json = boost::json;

namespace {
constexpr int64_t kKeepMs = 3600 * 1000;
constexpr int64_t kRefetchMs = 10 * 1000;
}  // namespace

JwksCache::JwksCache(Fetch fetch, const base::Clock& clock) : fetch_(std::move(fetch)), clock_(clock), cache_(clock, 256) {}

awaitable<base::Result<std::shared_ptr<const JwkSet>>> JwksCache::keys(const std::string& issuer,
                                                                       const std::string& kid) {
  auto entry = cache_.get(issuer);
  if (entry && (entry->keys->keys.count(kid) || clock_.steady_ms() - entry->fetched_ms < kRefetchMs))
    co_return entry->keys;
  auto fresh = co_await fetch(issuer);
  if (!fresh && entry) co_return entry->keys;  // the issuer is away: keep what it said last
  co_return fresh;
}

awaitable<base::Result<std::shared_ptr<const JwkSet>>> JwksCache::fetch(const std::string& issuer) {
  std::string base = issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto discovery = co_await fetch_(base + "/.well-known/openid-configuration");
  if (!discovery) co_return discovery.error();
  boost::system::error_code ec;
  auto doc = json::parse(*discovery, ec);
  const json::value* uri = (!ec && doc.is_object()) ? doc.as_object().if_contains("jwks_uri") : nullptr;
  if (!uri || !uri->is_string())
    co_return base::make_error(base::ErrorCode::kMalformed, issuer + "'s OpenID configuration has no jwks_uri");
  auto text = co_await fetch_(std::string(uri->as_string()));
  if (!text) co_return text.error();
  auto set = parse_jwks(*text);
  if (!set) co_return set.error();
  auto keys = std::make_shared<const JwkSet>(std::move(*set));
  cache_.put(issuer, Entry{keys, clock_.steady_ms()}, kKeepMs);
  co_return keys;
}

}  // namespace nimbus::execute_api
