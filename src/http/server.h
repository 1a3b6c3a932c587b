// The HTTP/1.1 server every nimbus API is served by: Boost.Beast on Asio
// with C++20 coroutines, keep-alive, Expect: 100-continue, chunked bodies,
// streamed request and response bodies, header limits, timeouts for idle
// and slow clients, and a graceful stop that lets in-flight requests finish.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "http/message.h"

namespace nimbus::http {

struct Limits {
  size_t header_bytes = 64 * 1024;
  std::chrono::seconds idle_timeout{60};      // waiting for the next request on a kept-alive connection
  std::chrono::seconds header_timeout{30};    // from the first byte to the end of the headers
  std::chrono::seconds body_read_timeout{60}; // between two pieces of a request body
  std::chrono::seconds write_timeout{60};
  std::chrono::seconds drain_timeout{10};     // how long stop() waits for in-flight requests
};

using Handler = std::function<boost::asio::awaitable<Response>(Request&)>;
// Builds the response for a request the server rejects before any handler
// runs (oversized or malformed headers), in the caller's wire format.
using ErrorResponder = std::function<Response(int status, std::string code, std::string message)>;
// The same, told the request when there is one (a handler that threw, a body
// that broke off), so the answer can be in that request's protocol.
using RequestErrorResponder =
    std::function<Response(const Request* req, int status, std::string code, std::string message)>;

class Server {
 public:
  Server(boost::asio::io_context& io, Limits limits, Handler handler, ErrorResponder on_error);
  Server(boost::asio::io_context& io, Limits limits, Handler handler, RequestErrorResponder on_error);
  ~Server();
  // Binds and listens; returns the bound port (useful with port 0).
  base::Result<uint16_t> listen(const std::string& host, uint16_t port);
  void start();
  size_t open_connections() const;
  // Stops accepting, closes idle connections, lets in-flight requests finish
  // (up to drain_timeout), then calls done.
  void stop(std::function<void()> done);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace nimbus::http
