// The Runtime API's streaming mode, private to runtime_api/: a runtime's
// POST /runtime/invocation/{id}/response with
// Lambda-Runtime-Function-Response-Mode: streaming and a chunked body, as
// AWS's runtime interface clients send it. Each piece is handed to the
// instance as it arrives, and the socket is read again only once the
// instance (its caller's buffer) took it; the trailers
// Lambda-Runtime-Function-Error-Type and Lambda-Runtime-Function-Error-Body
// (base64 of the error's JSON) end the stream with an error. Past
// max_bytes the invocation fails with Function.ResponseSizeTooLarge and the
// runtime gets 413. The function's timeout still applies: the instance ends
// the invocation, and the next piece is refused (the process is being
// killed).
// THREADING RULE: runs in the listener connection's coroutine.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>

#include "functions/runtime_channel.h"
#include "http/message.h"

namespace nimbus::runtime_api {

boost::asio::awaitable<http::Response> stream_response(std::shared_ptr<functions::RuntimeChannel> channel,
                                                       std::string request_id, http::Request& req,
                                                       uint64_t max_bytes);

// The listener's JSON answers, shared with listener.cc.
http::Response json_answer(int status, const std::string& body);
http::Response error_answer(int status, const std::string& type, const std::string& message);

}  // namespace nimbus::runtime_api
