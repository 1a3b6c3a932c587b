// JwksCache: each JWT issuer's signing keys, found by OpenID discovery
// ({issuer}/.well-known/openid-configuration -> jwks_uri) and kept for an
// hour. A token whose kid is not among the keys refetches them (an issuer
// rotated its keys), at most once per 10 seconds per issuer, so forged kids
// cannot turn the gateway into a fetch loop. The fetch is injected (http_get
// in production, a fake in tests).
// THREADING RULE: keys() is a coroutine on the caller's io thread; the fetch
// is asynchronous; the cache locks internally. Two requests may fetch the
// same issuer at once; the later result wins, both are valid.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "execute_api/jwt.h"
#include "execute_api/ttl_cache.h"

namespace nimbus::execute_api {

class JwksCache {
 public:
  using Fetch = std::function<boost::asio::awaitable<base::Result<std::string>>(std::string url)>;
  explicit JwksCache(Fetch fetch, const base::Clock& clock = base::system_clock());

  // The issuer's keys, fetched when not cached or when `kid` is unknown.
  boost::asio::awaitable<base::Result<std::shared_ptr<const JwkSet>>> keys(const std::string& issuer,
                                                                           const std::string& kid);

 private:
  struct Entry {
    std::shared_ptr<const JwkSet> keys;
    int64_t fetched_ms = 0;
  };
  boost::asio::awaitable<base::Result<std::shared_ptr<const JwkSet>>> fetch(const std::string& issuer);

  Fetch fetch_;
  const base::Clock& clock_;
  TtlCache<Entry> cache_;
};

}  // namespace nimbus::execute_api
