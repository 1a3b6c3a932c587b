// http_get: a GET through http::fetch (http/client.h) for what the gateway
// itself must fetch — a JWT issuer's OpenID discovery document and its JWKS.
// Plain http:// only (a loopback issuer in tests and local setups); https://
// is refused with a message saying so. Bodies over 1 MB and answers other
// than 200 are errors; the whole exchange has one deadline.
// THREADING RULE: a coroutine on the caller's executor; it never blocks the
// thread (resolve, connect, write and read are all asynchronous).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

#include "base/result.h"

namespace nimbus::execute_api {

boost::asio::awaitable<base::Result<std::string>> http_get(std::string url,
                                                           std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace nimbus::execute_api
