// The Lambda Runtime API (2018-06-01) as AWS documents it, one loopback
// listener per function instance: GET /runtime/invocation/next (a long poll
// we never time out), POST /runtime/invocation/{id}/response and /error,
// POST /runtime/init/error. Implements functions::RuntimeEndpointFactory.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>

#include "functions/runtime_channel.h"

namespace nimbus::runtime_api {

class ListenerFactory : public functions::RuntimeEndpointFactory {
 public:
  explicit ListenerFactory(boost::asio::io_context& io) : io_(io) {}
  base::Result<std::unique_ptr<functions::RuntimeEndpoint>> open(
      std::shared_ptr<functions::RuntimeChannel> channel) override;

 private:
  boost::asio::io_context& io_;
};

}  // namespace nimbus::runtime_api
