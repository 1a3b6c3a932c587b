#include "runtime_api/listener.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "base/encoding.h"
#include "http/offload.h"
#include "http/server.h"
#include "runtime_api/stream_response.h"

namespace nimbus::runtime_api {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

constexpr std::string_view kPrefix = "/2018-06-01/runtime/";
// Lambda's limit on a synchronous invocation's response: 6 MB and 100 bytes.
constexpr size_t kMaxResponseBytes = 6291556;

http::Response json(int status, const std::string& body) { return json_answer(status, body); }
http::Response error(int status, const std::string& type, const std::string& message) {
  return error_answer(status, type, message);
}

// What the caller of an invocation whose response was too large gets, in Lambda's words.
std::string too_large_json(std::optional<uint64_t> size) {
  std::string message = "Response payload size ";
  if (size) message += "(" + std::to_string(*size) + " bytes) ";
  message += "exceeded maximum allowed payload size (6291556 bytes).";
  boost::json::object o;
  o["errorMessage"] = message;
  o["errorType"] = "Function.ResponseSizeTooLarge";
  return boost::json::serialize(o);
}

class Listener : public functions::RuntimeEndpoint {
 public:
  Listener(asio::io_context& io, const http::Limits& base, std::shared_ptr<functions::RuntimeChannel> channel,
           uint64_t max_streamed)
      : channel_(std::move(channel)),
        server_(std::make_unique<http::Server>(
            io, limits(base),
            [channel = channel_, polling = polling_, max_streamed](http::Request& r) {
              return handle(channel, polling, max_streamed, r);
            },
            [](int status, std::string code, std::string message) { return error(status, code, message); })) {}

  ~Listener() override {
    // Pending long polls have been answered by the channel; stop the rest.
    // The server lives until its drain ends, or until the io_context drops
    // the drain unfinished (nimbus stopping): owned by the completion, it is
    // freed either way (a raw delete in it leaked at shutdown, found by LSan).
    std::shared_ptr<http::Server> s(server_.release());
    s->stop([s] {});
  }

  base::Status listen() {
    auto port = server_->listen("127.0.0.1", 0);
    if (!port) return port.error();
    address_ = "127.0.0.1:" + std::to_string(*port);
    server_->start();
    return {};
  }
  std::string address() const override { return address_; }

 private:
  static http::Limits limits(http::Limits l) {
    // A runtime waits for its next event inside a request (the long poll),
    // so its connection is idle only between an answer and the next poll:
    // idle minutes mean a connection that is not the runtime's. Headers get
    // the edge port's timeouts (a slow trickle is closed).
    l.idle_timeout = std::chrono::minutes(10);
    l.drain_timeout = std::chrono::seconds(1);
    // A streamed response may pause between chunks as long as the function
    // likes: its timeout (at most 15 minutes) bounds it, and ends the
    // process (and this connection) when it passes.
    l.body_read_timeout = std::max<std::chrono::seconds>(l.body_read_timeout, std::chrono::minutes(15));
    return l;
  }

  // Static: requests may still be in flight after the listener is gone.
  static awaitable<http::Response> handle(std::shared_ptr<functions::RuntimeChannel> channel,
                                          std::shared_ptr<std::atomic<bool>> polling, uint64_t max_streamed,
                                          http::Request& req) {
    std::string_view path = req.target;
    if (auto q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
    if (path.rfind(kPrefix, 0) != 0) co_return error(404, "NotFound", "unknown runtime API path");
    path.remove_prefix(kPrefix.size());

    if (path == "invocation/next") {
      if (req.method != "GET") co_return error(405, "MethodNotAllowed", "invocation/next takes GET");
      // One poller per instance: another process on the machine that finds
      // the port must not take the instance's invocations (or its place).
      if (polling->exchange(true))
        co_return error(409, "Runtime.PollerAlreadyWaiting",
                        "another GET /runtime/invocation/next is already waiting for this instance");
      auto start = [channel](auto done) { channel->next(std::move(done)); };
      auto inv = co_await http::await_callback<std::optional<functions::Invocation>>(std::move(start));
      polling->store(false);
      if (!inv) {
        http::Response r = error(500, "Runtime.Shutdown", "the instance is being stopped");
        r.close = true;
        co_return r;
      }
      http::Response r = json(200, inv->payload);
      r.set("Lambda-Runtime-Aws-Request-Id", inv->request_id);
      r.set("Lambda-Runtime-Deadline-Ms", std::to_string(inv->deadline_ms));
      r.set("Lambda-Runtime-Invoked-Function-Arn", inv->function_arn);
      r.set("Lambda-Runtime-Trace-Id", inv->trace_id);
      if (!inv->client_context.empty()) r.set("Lambda-Runtime-Client-Context", inv->client_context);
      if (!inv->cognito_identity.empty()) r.set("Lambda-Runtime-Cognito-Identity", inv->cognito_identity);
      co_return r;
    }
    if (req.method != "POST") co_return error(405, "MethodNotAllowed", "use POST");
    // Which answer this is: the init's error, or an invocation's response or error.
    bool init = path == "init/error", is_error = false;
    std::string id;
    if (!init) {
      constexpr std::string_view kInvocation = "invocation/";
      std::string_view rest = path.rfind(kInvocation, 0) == 0 ? path.substr(kInvocation.size()) : "";
      size_t slash = rest.find('/');
      std::string_view what = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
      if (what != "response" && what != "error") co_return error(404, "NotFound", "unknown runtime API path");
      id = std::string(rest.substr(0, slash));
      is_error = what == "error";
    }
    if (!init && !is_error) {
      std::string mode = base::to_lower(req.header("lambda-runtime-function-response-mode"));
      if (mode == "streaming") co_return co_await stream_response(channel, id, req, max_streamed);
      if (!mode.empty() && mode != "buffered")
        co_return error(400, "InvalidRequest",
                        "Lambda-Runtime-Function-Response-Mode must be streaming (or buffered), not " +
                            req.header("lambda-runtime-function-response-mode"));
    }
    auto body = co_await http::read_body(req, kMaxResponseBytes);
    if (!body) {
      if (body.error().code != base::ErrorCode::kTooLarge) co_return error(400, "InvalidRequest", body.error().message);
      if (!init) {
        // Lambda fails the invocation at once; its caller must not wait for the timeout.
        auto b = std::make_shared<std::string>(too_large_json(req.content_length));
        auto start = [channel, id, b](auto done) {
          channel->fail(id, "Function.ResponseSizeTooLarge", std::move(*b), std::move(done));
        };
        co_await http::await_callback<base::Status>(std::move(start));
      }
      http::Response r = error(413, "RequestEntityTooLarge", "Exceeded maximum allowed payload size (6291556 bytes).");
      r.close = true;  // the rest of the body was not read
      co_return r;
    }
    std::string error_type = req.header("lambda-runtime-function-error-type");

    if (init) {
      auto b = std::make_shared<std::string>(std::move(*body));
      auto start = [channel, error_type, b](auto done) { channel->init_error(error_type, std::move(*b), std::move(done)); };
      co_await http::await_callback<base::Status>(std::move(start));
      co_return json(202, "{\"status\":\"OK\"}");
    }
    auto b = std::make_shared<std::string>(std::move(*body));
    auto start = [channel, id, is_error, error_type, b](auto done) {
      if (is_error) channel->fail(id, error_type, std::move(*b), std::move(done));
      else channel->respond(id, std::move(*b), std::move(done));
    };
    auto status = co_await http::await_callback<base::Status>(std::move(start));
    if (!status) co_return error(400, "InvalidRequestID", "Invalid request ID");
    co_return json(202, "{\"status\":\"OK\"}");
  }

  std::shared_ptr<functions::RuntimeChannel> channel_;
  std::shared_ptr<std::atomic<bool>> polling_ = std::make_shared<std::atomic<bool>>(false);  // a next() is waiting
  std::unique_ptr<http::Server> server_;
  std::string address_;
};

}  // namespace

base::Result<std::unique_ptr<functions::RuntimeEndpoint>> ListenerFactory::open(
    std::shared_ptr<functions::RuntimeChannel> channel) {
  auto l = std::make_unique<Listener>(io_, limits_, std::move(channel), max_streamed_bytes_);
  if (auto s = l->listen(); !s) return s.error();
  return std::unique_ptr<functions::RuntimeEndpoint>(std::move(l));
}

}  // namespace nimbus::runtime_api
