// The Lambda Runtime API (2018-06-01) as AWS documents it, one loopback
// listener per function instance: GET /runtime/invocation/next (a long poll
// we never time out; one at a time, a second poller is refused), POST
// /runtime/invocation/{id}/response and /error, POST /runtime/init/error.
// A response sent with Lambda-Runtime-Function-Response-Mode: streaming
// (chunked) is passed on piece by piece as it arrives (stream_response.cc),
// ended by the trailers Lambda-Runtime-Function-Error-Type and -Error-Body
// (base64) when the function failed mid-stream.
// Implements functions::RuntimeEndpointFactory; listeners run on the given
// io_context, with the edge port's header and write timeouts; a body may pause
// up to 15 minutes (a stream's pieces come as the function makes them).
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>

#include "functions/runtime_channel.h"
#include "http/server.h"

namespace nimbus::runtime_api {

// Lambda's limit on a streamed response: 200 MB (it was 20 MB until July 2025).
inline constexpr uint64_t kMaxStreamedResponseBytes = uint64_t{200} << 20;

class ListenerFactory : public functions::RuntimeEndpointFactory {
 public:
  ListenerFactory(boost::asio::io_context& io, http::Limits limits,
                  uint64_t max_streamed_bytes = kMaxStreamedResponseBytes)
      : io_(io), limits_(limits), max_streamed_bytes_(max_streamed_bytes) {}
  base::Result<std::unique_ptr<functions::RuntimeEndpoint>> open(
      std::shared_ptr<functions::RuntimeChannel> channel) override;

 private:
  boost::asio::io_context& io_;
  http::Limits limits_;
  uint64_t max_streamed_bytes_;
};

}  // namespace nimbus::runtime_api
