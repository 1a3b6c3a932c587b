// The reading side of a functions::StreamBuffer as an HTTP response body
// (http::ChunkSource): what InvokeWithResponseStream (event-stream messages)
// and function URLs in RESPONSE_STREAM mode (the raw bytes) share. A
// subclass turns events into pieces in next(); StreamBody gives it the
// events in order (one it took early and put back first), and abandons the
// buffer when the connection goes away before the end, so the function runs
// on unheld.
// THREADING RULE: awaited on the connection's executor, one next() at a
// time; the buffer is fed from the invoker's strand (StreamBuffer is
// thread-safe).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>

#include "functions/response_stream.h"
#include "http/message.h"

namespace nimbus::functions {

// The buffer's next event, awaited (resumes on the caller's executor).
boost::asio::awaitable<StreamBuffer::Event> next_stream_event(std::shared_ptr<StreamBuffer> buffer);

class StreamBody : public http::ChunkSource {
 public:
  explicit StreamBody(std::shared_ptr<StreamBuffer> buffer) : buffer_(std::move(buffer)) {}
  ~StreamBody() override;

  // An event the caller read before the body took over (the end that came
  // first, say): next_event() gives it before the buffer's.
  void put_back(StreamBuffer::Event e) { held_ = std::move(e); }

 protected:
  boost::asio::awaitable<StreamBuffer::Event> next_event();
  // The end was read: the buffer is no longer abandoned on destruction.
  void set_finished() { finished_ = true; }
  bool finished() const { return finished_; }

 private:
  std::shared_ptr<StreamBuffer> buffer_;
  std::optional<StreamBuffer::Event> held_;
  bool finished_ = false;
};

}  // namespace nimbus::functions
