#include "functions/instance.h"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "functions/invoker_impl.h"
#include "functions/report_lines.h"

namespace nimbus::functions {

namespace {
// Lambda's limit on a buffered (Invoke) response: 6 MB and 100 bytes.
constexpr size_t kMaxBufferedResponseBytes = 6291556;

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

template <typename F>
void Instance::on_strand(F f) {
  auto self = shared_from_this();
  boost::asio::post(output.get_executor(), [self, f = std::move(f)]() mutable {
    auto impl = self->owner.lock();
    f(impl.get());
  });
}

bool Instance::serves(const FunctionConfig& c) const {
  return state == State::kIdle && !active && !retired && !stopping && cfg.revision_id == c.revision_id && cfg.version == c.version;
}

void Instance::next(std::function<void(std::optional<Invocation>)> done) {
  on_strand([this, done = std::move(done)](Invoker::Impl* impl) mutable {
    if (!impl || state == State::kDead) return done(std::nullopt);
    if (waiter) waiter(std::nullopt);  // a runtime asking twice: the older poll is dropped
    waiter = std::move(done);
    if (!init_ms) init_ms = ms_since(spawned);  // the first poll ends the init phase
    if (active && !active->handed_out) return impl->hand_out(*this);
    if (!active) {
      state = State::kIdle;
      impl->arm_idle(shared_from_this());
    }
  });
}

void Instance::answer(std::string request_id, bool error, std::string body, std::function<void(base::Status)> done) {
  on_strand([this, request_id = std::move(request_id), error, body = std::move(body),
             done = std::move(done)](Invoker::Impl* impl) mutable {
    if (!impl || !active || !active->handed_out || active->inv.request_id != request_id)
      return done(base::make_error(base::ErrorCode::kNotFound, "Invalid request ID"));
    InvokeResult r;
    r.function_error = error;
    r.payload = std::move(body);
    impl->finish(shared_from_this(), std::move(r));
    done({});
  });
}

void Instance::respond(std::string request_id, std::string payload, std::function<void(base::Status)> done) {
  answer(std::move(request_id), false, std::move(payload), std::move(done));
}

void Instance::fail(std::string request_id, std::string error_type, std::string body,
                    std::function<void(base::Status)> done) {
  if (body.empty()) body = error_json(error_type.empty() ? "Unhandled" : error_type, "");
  answer(std::move(request_id), true, std::move(body), std::move(done));
}

// A streamed response: the runtime's POST …/response arrives piece by piece.
// Each call checks that the invocation is still this one: a timeout may end
// it mid-stream (the timer finishes it and kills the process).
void Instance::stream_begin(std::string request_id, std::string content_type, std::function<void(base::Status)> done) {
  on_strand([this, request_id = std::move(request_id), content_type = std::move(content_type),
             done = std::move(done)](Invoker::Impl* impl) mutable {
    if (!impl || !active || !active->handed_out || active->inv.request_id != request_id || active->streaming)
      return done(base::make_error(base::ErrorCode::kNotFound, "Invalid request ID"));
    active->streaming = true;
    impl->send_head(*this, true, content_type.empty() ? "application/octet-stream" : std::move(content_type));
    done({});
  });
}

void Instance::stream_chunk(std::string request_id, std::string bytes, std::function<void(base::Status)> done) {
  on_strand([this, request_id = std::move(request_id), bytes = std::move(bytes),
             done = std::move(done)](Invoker::Impl* impl) mutable {
    if (!impl || !active || !active->streaming || active->inv.request_id != request_id)
      return done(base::make_error(base::ErrorCode::kNotFound, "Invalid request ID"));
    if (active->stream) return active->stream->on_chunk(std::move(bytes), [done = std::move(done)] { done({}); });
    // A caller that wants the whole answer (Invoke): collected, within
    // Lambda's limit on a buffered response, as Lambda buffers a streaming
    // function invoked that way.
    if (active->collected.size() + bytes.size() > kMaxBufferedResponseBytes) {
      InvokeResult r;
      r.function_error = true;
      r.error_type = "Function.ResponseSizeTooLarge";
      r.payload = error_json(r.error_type, "Response payload size exceeded maximum allowed payload size (" +
                                               std::to_string(kMaxBufferedResponseBytes) + " bytes).");
      impl->finish(shared_from_this(), std::move(r));
      return done(base::make_error(base::ErrorCode::kTooLarge, "the response is larger than a buffered invocation's"));
    }
    active->collected += bytes;
    done({});
  });
}

void Instance::stream_end(std::string request_id, std::optional<StreamError> error,
                          std::function<void(base::Status)> done) {
  on_strand([this, request_id = std::move(request_id), error = std::move(error),
             done = std::move(done)](Invoker::Impl* impl) mutable {
    if (!impl || !active || !active->streaming || active->inv.request_id != request_id)
      return done(base::make_error(base::ErrorCode::kNotFound, "Invalid request ID"));
    InvokeResult r;
    if (error) {
      r.function_error = true;
      r.error_type = error->type.empty() ? "Unhandled" : error->type;
      r.payload = error->body.empty() ? error_json(r.error_type, "") : std::move(error->body);
    } else {
      r.payload = std::move(active->collected);
    }
    impl->finish(shared_from_this(), std::move(r));
    done({});
  });
}

void Instance::init_error(std::string error_type, std::string body, std::function<void(base::Status)> done) {
  on_strand([this, error_type = std::move(error_type), body = std::move(body),
             done = std::move(done)](Invoker::Impl* impl) mutable {
    if (!impl) return done({});
    spdlog::warn("[{}] init failed: {} {}", cfg.name, error_type, body);
    if (active) {
      InvokeResult r;
      r.function_error = true;
      r.payload = body.empty() ? error_json(error_type, "init failed") : body;
      impl->finish(shared_from_this(), std::move(r));
    }
    retired = true;
    impl->stop(shared_from_this());
    done({});
  });
}

}  // namespace nimbus::functions
