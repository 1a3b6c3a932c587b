// Response streaming (Lambda's InvokeWithResponseStream and function URLs in
// RESPONSE_STREAM mode): where an invocation's response goes while the
// function produces it.
//
// A caller that wants the response as it comes sets InvokeRequest::stream to
// a ResponseStream. The invoker then calls, in this order:
//   on_head  once, when the response begins (the runtime opened its
//            streamed POST …/response, or answered buffered, or failed);
//   on_chunk for each piece of the body, in order;
//   and last the invoke call's `done` with the InvokeResult (function_error
//   and error_type/payload for an error, mid-stream or not; log_tail; the
//   REPORT line and metrics as for any invocation).
// An invocation refused before it ran (no such function, throttled) gets
// only `done`, with the error; one whose instance could not start
// (Runtime.InvalidEntrypoint) only `done`, with function_error. A buffered
// answer (a function that does not stream) arrives as on_head (streamed =
// false) and one on_chunk with the whole payload; a buffered error as
// on_head and `done` with function_error and the error's JSON as payload.
//
// Back-pressure: on_chunk's `ready` must be called exactly once, when the
// sink can take the next piece (at once, or later from any thread; also
// after the end or when its reader went away). Until then the runtime's
// socket is not read, so a slow reader slows the function, never fills
// memory.
//
// StreamBuffer is the ready-made sink: a bounded buffer between the invoker
// and a reader that takes events one at a time (next()), as an HTTP response
// writer does (lambda_api's InvokeWithResponseStream; function URLs).
//
// THREADING RULE: the invoker calls on_head and on_chunk on its strand; they
// must not block. StreamBuffer is thread-safe; its callbacks are called with
// no lock held.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/result.h"
#include "functions/types.h"

namespace nimbus::functions {

struct StreamHead {
  bool streamed = false;     // false: a buffered answer, whose payload follows as one chunk
  std::string content_type;  // the runtime's Content-Type (application/octet-stream when it sent none)
  std::string executed_version;
};

class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  virtual void on_head(StreamHead head) = 0;
  virtual void on_chunk(std::string bytes, std::function<void()> ready) = 0;
};

class StreamBuffer : public ResponseStream {
 public:
  static constexpr size_t kDefaultLimit = 1 << 20;
  explicit StreamBuffer(size_t limit_bytes = kDefaultLimit) : limit_(limit_bytes) {}

  void on_head(StreamHead head) override;
  void on_chunk(std::string bytes, std::function<void()> ready) override;
  // The invocation's end: give it to the invoke call as its `done`.
  void on_end(base::Result<InvokeResult> result);

  struct Event {
    enum class Kind { kHead, kChunk, kEnd } kind = Kind::kEnd;
    StreamHead head;                                // kHead
    std::string bytes;                              // kChunk
    std::optional<base::Result<InvokeResult>> end;  // kEnd
  };
  // The reader's side: `got` is called once with the next event, at once
  // when one is waiting, else when it arrives (from the invoker's thread).
  // One next() at a time; none after kEnd.
  void next(std::function<void(Event)> got);
  // The reader is gone (its client disconnected): what arrives from now on
  // is dropped and the producer is never held back. The invocation runs on.
  void abandon();

  size_t buffered_bytes() const;

 private:
  std::function<void()> release_locked();  // a held-back ready() to call, if there is room again

  mutable std::mutex mu_;
  const size_t limit_;
  std::deque<Event> events_;
  size_t bytes_ = 0;
  std::function<void(Event)> reader_;
  std::function<void()> held_;  // the producer's ready(), held while the buffer is full
  bool abandoned_ = false;
};

}  // namespace nimbus::functions
