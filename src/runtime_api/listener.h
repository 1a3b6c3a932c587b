// The Lambda Runtime API (2018-06-01) as AWS documents it, one loopback
// listener per function instance: GET /runtime/invocation/next (a long poll
// we never time out; one at a time, a second poller is refused), POST
// /runtime/invocation/{id}/response and /error, POST /runtime/init/error.
// Implements functions::RuntimeEndpointFactory; listeners run on the given
// io_context, with the edge port's header, body and write timeouts.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>

#include "functions/runtime_channel.h"
#include "http/server.h"

namespace nimbus::runtime_api {

class ListenerFactory : public functions::RuntimeEndpointFactory {
 public:
  ListenerFactory(boost::asio::io_context& io, http::Limits limits) : io_(io), limits_(limits) {}
  base::Result<std::unique_ptr<functions::RuntimeEndpoint>> open(
      std::shared_ptr<functions::RuntimeChannel> channel) override;

 private:
  boost::asio::io_context& io_;
  http::Limits limits_;
};

}  // namespace nimbus::runtime_api
