// StreamBuffer: the bounded buffer between the invoker and a reader.
#include "functions/response_stream.h"

#include <gtest/gtest.h>

namespace nimbus::functions {
namespace {

using Kind = StreamBuffer::Event::Kind;

StreamBuffer::Event take(StreamBuffer& b) {
  std::optional<StreamBuffer::Event> got;
  b.next([&](StreamBuffer::Event e) { got = std::move(e); });
  EXPECT_TRUE(got.has_value()) << "nothing was waiting";
  return got ? std::move(*got) : StreamBuffer::Event{};
}

TEST(StreamBuffer, EventsInOrder) {
  StreamBuffer b;
  b.on_head({true, "text/plain", "$LATEST"});
  int ready = 0;
  b.on_chunk("a", [&] { ++ready; });
  b.on_chunk("bc", [&] { ++ready; });
  InvokeResult r;
  r.log_tail = "tail";
  b.on_end(r);
  EXPECT_EQ(ready, 2) << "under the limit, the producer goes on at once";
  auto head = take(b);
  EXPECT_EQ(head.kind, Kind::kHead);
  EXPECT_EQ(head.head.content_type, "text/plain");
  EXPECT_EQ(take(b).bytes, "a");
  EXPECT_EQ(take(b).bytes, "bc");
  auto end = take(b);
  ASSERT_EQ(end.kind, Kind::kEnd);
  ASSERT_TRUE(end.end && *end.end);
  EXPECT_EQ((*end.end)->log_tail, "tail");
}

TEST(StreamBuffer, AWaitingReaderGetsTheNextEventWhenItArrives) {
  StreamBuffer b;
  std::vector<std::string> got;
  b.next([&](StreamBuffer::Event e) { got.push_back(e.kind == Kind::kHead ? "head" : "?"); });
  EXPECT_TRUE(got.empty());
  b.on_head({});
  ASSERT_EQ(got.size(), 1u);
  b.next([&](StreamBuffer::Event e) { got.push_back(e.bytes); });
  bool ready = false;
  b.on_chunk("x", [&] { ready = true; });
  EXPECT_EQ(got.back(), "x");
  EXPECT_TRUE(ready);
}

TEST(StreamBuffer, AFullBufferHoldsTheProducerUntilTheReaderTakes) {
  StreamBuffer b(4);
  b.on_head({});
  int ready = 0;
  b.on_chunk("12", [&] { ++ready; });
  EXPECT_EQ(ready, 1);
  b.on_chunk("345", [&] { ++ready; });
  EXPECT_EQ(ready, 1) << "5 bytes buffered, over the limit of 4: the producer waits";
  EXPECT_EQ(b.buffered_bytes(), 5u);
  take(b);  // the head
  EXPECT_EQ(take(b).bytes, "12");
  EXPECT_EQ(ready, 2) << "3 bytes left, under the limit: the producer goes on";
}

TEST(StreamBuffer, ReleaseAfterTake) {
  StreamBuffer b(4);
  int ready = 0;
  b.on_chunk("12345", [&] { ++ready; });
  EXPECT_EQ(ready, 0);
  EXPECT_EQ(take(b).bytes, "12345");
  EXPECT_EQ(ready, 1);
}

TEST(StreamBuffer, TheEndReleasesAHeldProducer) {
  StreamBuffer b(1);
  int ready = 0;
  b.on_chunk("12", [&] { ++ready; });
  EXPECT_EQ(ready, 0);
  b.on_end(base::make_error(base::ErrorCode::kInternal, "x"));
  EXPECT_EQ(ready, 1) << "a producer is never left waiting";
}

TEST(StreamBuffer, AbandonedDropsAndNeverHolds) {
  StreamBuffer b(1);
  int ready = 0;
  b.on_chunk("12", [&] { ++ready; });
  b.abandon();
  EXPECT_EQ(ready, 1);
  b.on_chunk("more", [&] { ++ready; });
  EXPECT_EQ(ready, 2);
  EXPECT_EQ(b.buffered_bytes(), 0u);
}

TEST(StreamBuffer, EmptyChunksAreNotEvents) {
  StreamBuffer b;
  bool ready = false;
  b.on_chunk("", [&] { ready = true; });
  EXPECT_TRUE(ready);
  b.on_end(InvokeResult{});
  EXPECT_EQ(take(b).kind, Kind::kEnd);
}

}  // namespace
}  // namespace nimbus::functions
