// InvokeWithResponseStream over a fake invoker that streams: the event
// stream's frames, as botocore reads them.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "lambda_api/routes.h"
#include "lambda_api/test_support.h"

namespace nimbus::lambda_api::testing {
namespace {

struct Frame {
  std::map<std::string, std::string> headers;
  std::string payload;
};

uint32_t u32(std::string_view s, size_t at) {
  return uint32_t(uint8_t(s[at])) << 24 | uint32_t(uint8_t(s[at + 1])) << 16 | uint32_t(uint8_t(s[at + 2])) << 8 |
         uint32_t(uint8_t(s[at + 3]));
}

// Decodes an event stream (checking both CRCs), as botocore's EventStreamBuffer does.
std::vector<Frame> decode(std::string_view s) {
  std::vector<Frame> out;
  while (s.size() >= 16) {
    uint32_t total = u32(s, 0), hlen = u32(s, 4);
    EXPECT_EQ(u32(s, 8), base::crc32(s.substr(0, 8)));
    EXPECT_EQ(u32(s, total - 4), base::crc32(s.substr(0, total - 4)));
    Frame f;
    std::string_view h = s.substr(12, hlen);
    while (!h.empty()) {
      size_t n = uint8_t(h[0]);
      std::string name(h.substr(1, n));
      size_t vlen = size_t(uint8_t(h[n + 2])) << 8 | uint8_t(h[n + 3]);
      f.headers[name] = std::string(h.substr(n + 4, vlen));
      h.remove_prefix(n + 4 + vlen);
    }
    f.payload = std::string(s.substr(12 + hlen, total - 16 - hlen));
    out.push_back(std::move(f));
    s.remove_prefix(total);
  }
  EXPECT_TRUE(s.empty());
  return out;
}

// Plays a streamed invocation: a head, the chunks, then the result.
class StreamingFake : public FakeInvocations {
 public:
  void invoke(functions::InvokeRequest request,
              std::function<void(base::Result<functions::InvokeResult>)> done) override {
    {
      std::lock_guard lock(mu);
      invoked.push_back(request);
    }
    if (!request.stream || !reply) return done(reply);
    request.stream->on_head({true, "text/plain", "$LATEST"});
    for (const auto& c : chunks) request.stream->on_chunk(c, [] {});
    done(reply);
  }
  std::vector<std::string> chunks;
};

class StreamInvokeTest : public LambdaApiTest {
 protected:
  void SetUp() override {
    LambdaApiTest::SetUp();
    Options options;
    service_ = std::make_unique<Service>(*registry_, streaming_, credentials_, pool_, options);
    descriptor_ = service_->descriptor();
    ASSERT_EQ(create("fn").status(), 201);
  }
  // The whole chunked body, as the connection would send it.
  static std::string drain(http::Response& r) {
    std::string out;
    if (!r.chunks) return r.body;
    boost::asio::io_context io;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          for (;;) {
            auto piece = co_await r.chunks->next();
            if (!piece || piece->empty()) break;
            out += *piece;
          }
        },
        boost::asio::detached);
    io.run();
    return out;
  }
  Reply stream(const std::string& target, const std::string& body = "", base::HeaderList headers = {}) {
    return send("POST", "/2021-11-15/functions/" + target, body, std::move(headers));
  }
  StreamingFake streaming_;
};

TEST(StreamInvokeRoute, BotocoresPath) {
  auto m = routes().match("POST", "/2021-11-15/functions/fn/response-streaming-invocations");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->operation, "InvokeWithResponseStream");
  EXPECT_EQ(m->params.at("FunctionName"), "fn");
}

TEST_F(StreamInvokeTest, ChunksThenInvokeComplete) {
  streaming_.chunks = {"one ", "two"};
  streaming_.reply = functions::InvokeResult{false, "", "the log", "$LATEST"};
  auto r = stream("fn/response-streaming-invocations", R"({"a":1})", {{"x-amz-log-type", "Tail"}});
  ASSERT_EQ(r.status(), 200) << r.raw.body;
  EXPECT_EQ(r.header("Content-Type"), "application/vnd.amazon.eventstream");
  EXPECT_EQ(r.header("X-Amz-Executed-Version"), "$LATEST");
  EXPECT_EQ(r.header("x-amzn-RequestId"), streaming_.invoked.at(0).request_id);
  EXPECT_TRUE(streaming_.invoked.at(0).tail_log);
  EXPECT_EQ(streaming_.invoked.at(0).payload, R"({"a":1})");
  auto frames = decode(drain(r.raw));
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].headers[":event-type"], "PayloadChunk");
  EXPECT_EQ(frames[0].headers[":message-type"], "event");
  EXPECT_EQ(frames[0].headers[":content-type"], "application/octet-stream");
  EXPECT_EQ(frames[0].payload, "one ");
  EXPECT_EQ(frames[1].payload, "two");
  EXPECT_EQ(frames[2].headers[":event-type"], "InvokeComplete");
  EXPECT_EQ(frames[2].headers[":content-type"], "application/json");
  EXPECT_EQ(frames[2].payload, R"({"LogResult":")" + base::base64_encode("the log") + R"("})");
}

TEST_F(StreamInvokeTest, MidStreamErrorIsInInvokeComplete) {
  streaming_.chunks = {"partial"};
  functions::InvokeResult failed{true, R"({"errorType":"Boom","errorMessage":"no"})", "", "$LATEST"};
  failed.error_type = "Boom";
  streaming_.reply = failed;
  auto r = stream("fn/response-streaming-invocations");
  ASSERT_EQ(r.status(), 200);
  auto frames = decode(drain(r.raw));
  ASSERT_EQ(frames.size(), 2u);
  auto complete = boost::json::parse(frames[1].payload).as_object();
  EXPECT_EQ(complete.at("ErrorCode").as_string(), "Boom");
  EXPECT_EQ(complete.at("ErrorDetails").as_string(), R"({"errorType":"Boom","errorMessage":"no"})");
}

TEST_F(StreamInvokeTest, AnAnswerWithoutAHeadIsOneChunk) {
  // The plain fake answers done() at once, as the invoker does for a function whose instance cannot start.
  Options options;
  service_ = std::make_unique<Service>(*registry_, fake_, credentials_, pool_, options);
  descriptor_ = service_->descriptor();
  auto r = stream("fn/response-streaming-invocations");
  ASSERT_EQ(r.status(), 200);
  auto frames = decode(drain(r.raw));
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].payload, R"({"ok":true})");
  EXPECT_EQ(frames[1].headers[":event-type"], "InvokeComplete");
  EXPECT_EQ(frames[1].payload, R"({"LogResult":""})");
}

TEST_F(StreamInvokeTest, RefusalsAreLambdaErrors) {
  auto missing = stream("nope/response-streaming-invocations");
  EXPECT_EQ(missing.status(), 404);
  EXPECT_EQ(missing.error_type(), "ResourceNotFoundException");

  streaming_.reply = base::make_error(base::ErrorCode::kThrottled, "ReservedFunctionConcurrentInvocationLimitExceeded");
  auto throttled = stream("fn/response-streaming-invocations");
  EXPECT_EQ(throttled.status(), 429);
  EXPECT_EQ(throttled.error_type(), "TooManyRequestsException");

  auto event = stream("fn/response-streaming-invocations", "", {{"x-amz-invocation-type", "Event"}});
  EXPECT_EQ(event.status(), 400);
  EXPECT_EQ(event.error_type(), "InvalidParameterValueException");

  auto bad = stream("fn/response-streaming-invocations", "{not json");
  EXPECT_EQ(bad.status(), 400);
  EXPECT_EQ(bad.error_type(), "InvalidRequestContentException");

  auto dry = stream("fn/response-streaming-invocations", "", {{"x-amz-invocation-type", "DryRun"}});
  EXPECT_EQ(dry.status(), 204);
  EXPECT_EQ(streaming_.invoked.size(), 1u) << "only the throttled one reached the invoker";
}

}  // namespace
}  // namespace nimbus::lambda_api::testing
