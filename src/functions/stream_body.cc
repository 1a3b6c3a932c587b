#include "functions/stream_body.h"

#include "http/offload.h"

namespace nimbus::functions {

using boost::asio::awaitable;

awaitable<StreamBuffer::Event> next_stream_event(std::shared_ptr<StreamBuffer> buffer) {
  // A named start moved in: never a lambda temporary in the co_await operand (GCC 12).
  auto start = [buffer](auto done) { buffer->next(std::move(done)); };
  co_return co_await http::await_callback<StreamBuffer::Event>(std::move(start));
}

StreamBody::~StreamBody() {
  // The connection is gone (or done): the function runs on, unheld.
  if (!finished_) buffer_->abandon();
}

awaitable<StreamBuffer::Event> StreamBody::next_event() {
  if (held_) {
    StreamBuffer::Event e = std::move(*held_);
    held_.reset();
    co_return e;
  }
  co_return co_await next_stream_event(buffer_);
}

}  // namespace nimbus::functions
