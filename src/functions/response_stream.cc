#include "functions/response_stream.h"

namespace nimbus::functions {

void StreamBuffer::on_head(StreamHead head) {
  Event e;
  e.kind = Event::Kind::kHead;
  e.head = std::move(head);
  std::function<void(Event)> reader;
  {
    std::lock_guard lock(mu_);
    if (abandoned_) return;
    if (reader_) reader = std::exchange(reader_, nullptr);
    else events_.push_back(std::move(e));
  }
  if (reader) reader(std::move(e));
}

void StreamBuffer::on_chunk(std::string bytes, std::function<void()> ready) {
  if (bytes.empty()) return ready();  // an empty chunk would read as the end of an HTTP body
  Event e;
  e.kind = Event::Kind::kChunk;
  e.bytes = std::move(bytes);
  std::function<void(Event)> reader;
  {
    std::lock_guard lock(mu_);
    if (!abandoned_) {
      if (reader_) {
        reader = std::exchange(reader_, nullptr);
      } else {
        bytes_ += e.bytes.size();
        events_.push_back(std::move(e));
        // Full: the producer waits until the reader has taken enough.
        if (bytes_ >= limit_) {
          held_ = std::move(ready);
          return;
        }
      }
    }
  }
  if (reader) reader(std::move(e));
  ready();
}

void StreamBuffer::on_end(base::Result<InvokeResult> result) {
  Event e;
  e.kind = Event::Kind::kEnd;
  e.end = std::move(result);
  std::function<void(Event)> reader;
  std::function<void()> held;
  {
    std::lock_guard lock(mu_);
    held = std::exchange(held_, nullptr);  // nothing more will come: never leave a producer waiting
    if (abandoned_) {
      // fall through: only the held ready() is owed
    } else if (reader_) {
      reader = std::exchange(reader_, nullptr);
    } else {
      events_.push_back(std::move(e));
    }
  }
  if (held) held();
  if (reader) reader(std::move(e));
}

std::function<void()> StreamBuffer::release_locked() {
  if (held_ && bytes_ < limit_) return std::exchange(held_, nullptr);
  return nullptr;
}

void StreamBuffer::next(std::function<void(Event)> got) {
  Event e;
  std::function<void()> release;
  {
    std::lock_guard lock(mu_);
    if (events_.empty()) {
      reader_ = std::move(got);
      return;
    }
    e = std::move(events_.front());
    events_.pop_front();
    if (e.kind == Event::Kind::kChunk) bytes_ -= e.bytes.size();
    release = release_locked();
  }
  if (release) release();
  got(std::move(e));
}

void StreamBuffer::abandon() {
  std::function<void()> held;
  {
    std::lock_guard lock(mu_);
    abandoned_ = true;
    events_.clear();
    bytes_ = 0;
    reader_ = nullptr;
    held = std::exchange(held_, nullptr);
  }
  if (held) held();
}

size_t StreamBuffer::buffered_bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace nimbus::functions
