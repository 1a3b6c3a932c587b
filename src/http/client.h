// http::fetch: a small HTTP/1.1 client on Boost.Beast for what nimbus itself
// must call out to — a JWT issuer's keys (execute_api), an SNS subscriber's
// endpoint (sns). Plain http:// only (https:// is refused with a message
// saying so); one request per connection; the whole exchange has one
// deadline; a body over body_limit is an error.
// THREADING RULE: a coroutine on the caller's executor; it never blocks the
// thread (resolve, connect, write and read are all asynchronous).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

#include "base/headers.h"
#include "base/result.h"

namespace nimbus::http {

struct ClientRequest {
  std::string method = "GET";
  std::string url;           // http://host[:port]/path?query
  base::HeaderList headers;  // Host, User-Agent and Content-Length are added unless given
  std::string body;
  std::chrono::milliseconds timeout{5000};
  size_t body_limit = 1 << 20;
};

struct ClientResponse {
  int status = 0;
  base::HeaderList headers;  // lowercase names
  std::string body;
};

// kUnavailable (with the method, URL and why) when there is no answer;
// any status is an answer.
boost::asio::awaitable<base::Result<ClientResponse>> fetch(ClientRequest request);

}  // namespace nimbus::http
