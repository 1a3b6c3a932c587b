#include "runtime_api/stream_response.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <optional>

#include "base/encoding.h"
#include "http/offload.h"

namespace nimbus::runtime_api {

using boost::asio::awaitable;
using StreamError = functions::RuntimeChannel::StreamError;

namespace {

constexpr size_t kPieceBytes = 64 * 1024;  // one socket read's worth: what a runtime's chunk usually is

// Each callable is a named local, never a temporary inside the co_await
// expression: GCC 12 destroys such captured temporaries twice.
awaitable<base::Status> end(std::shared_ptr<functions::RuntimeChannel> channel, std::string id,
                            std::optional<StreamError> error) {
  auto e = std::make_shared<std::optional<StreamError>>(std::move(error));
  auto start = [channel, id, e](auto done) { channel->stream_end(id, std::move(*e), std::move(done)); };
  co_return co_await http::await_callback<base::Status>(std::move(start));
}

std::string too_large_message(uint64_t limit) {
  return "Response payload size exceeded maximum allowed payload size (" + std::to_string(limit) + " bytes).";
}

}  // namespace

http::Response json_answer(int status, const std::string& body) {
  http::Response r;
  r.status = status;
  r.set("Content-Type", "application/json");
  r.body = body;
  return r;
}

http::Response error_answer(int status, const std::string& type, const std::string& message) {
  boost::json::object o;
  o["errorMessage"] = message;
  o["errorType"] = type;
  return json_answer(status, boost::json::serialize(o));
}

awaitable<http::Response> stream_response(std::shared_ptr<functions::RuntimeChannel> channel, std::string id,
                                          http::Request& req, uint64_t max_bytes) {
  std::string content_type = req.header("content-type");
  auto begin = [channel, id, content_type](auto done) { channel->stream_begin(id, content_type, std::move(done)); };
  auto begun = co_await http::await_callback<base::Status>(std::move(begin));
  if (!begun) co_return error_answer(400, "InvalidRequestID", "Invalid request ID");

  uint64_t total = 0;
  auto piece = std::make_unique<char[]>(kPieceBytes);
  for (;;) {
    auto n = co_await req.body->read_some(piece.get(), kPieceBytes);
    if (!n) {
      // The runtime's connection broke (or stalled) before the last chunk:
      // the invocation ends now, not at its timeout, and says why.
      boost::json::object o;
      o["errorMessage"] = "The runtime's streamed response ended before its last chunk: " + n.error().message;
      o["errorType"] = "Runtime.TruncatedResponse";
      std::optional<StreamError> why = StreamError{"Runtime.TruncatedResponse", boost::json::serialize(o)};
      (void)co_await end(channel, id, std::move(why));
      co_return error_answer(400, "InvalidRequest", n.error().message);
    }
    if (*n == 0) break;
    total += *n;
    if (total > max_bytes) {
      boost::json::object o;
      o["errorMessage"] = too_large_message(max_bytes);
      o["errorType"] = "Function.ResponseSizeTooLarge";
      std::optional<StreamError> why = StreamError{"Function.ResponseSizeTooLarge", boost::json::serialize(o)};
      (void)co_await end(channel, id, std::move(why));
      http::Response r = error_answer(413, "RequestEntityTooLarge", too_large_message(max_bytes));
      r.close = true;  // the rest of the body was not read
      co_return r;
    }
    auto bytes = std::make_shared<std::string>(piece.get(), *n);
    auto give = [channel, id, bytes](auto done) { channel->stream_chunk(id, std::move(*bytes), std::move(done)); };
    auto taken = co_await http::await_callback<base::Status>(std::move(give));
    if (!taken) {
      // The invocation is over (timed out, or too large for a buffered
      // caller): the rest of the body has no one to go to.
      http::Response r = taken.error().code == base::ErrorCode::kTooLarge
                             ? error_answer(413, "RequestEntityTooLarge", taken.error().message)
                             : error_answer(400, "InvalidRequestID", "Invalid request ID");
      r.close = true;
      co_return r;
    }
  }

  std::optional<StreamError> error;
  const auto& trailers = req.body->trailers();
  const std::string* type = base::find_header(trailers, "lambda-runtime-function-error-type");
  const std::string* body = base::find_header(trailers, "lambda-runtime-function-error-body");
  if (type || body) {
    StreamError e;
    e.type = type ? *type : "";
    if (body) {
      auto decoded = base::base64_decode(*body);
      // Not base64: kept as sent, rather than losing the function's words.
      e.body = decoded ? std::move(*decoded) : *body;
    }
    error = std::move(e);
  }
  auto ended = co_await end(channel, id, std::move(error));
  if (!ended) co_return error_answer(400, "InvalidRequestID", "Invalid request ID");
  co_return json_answer(202, "{\"status\":\"OK\"}");
}

}  // namespace nimbus::runtime_api
