// The Runtime API listener on a real loopback port, in front of an
// in-memory RuntimeChannel: what a runtime sends and what it gets back.
#include "runtime_api/listener.h"

#include "base/encoding.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <mutex>
#include <thread>

namespace nimbus::runtime_api {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

// Takes the place of an instance: it records what the runtime sent and
// hands out the events the test gives it.
class MemoryChannel : public functions::RuntimeChannel {
 public:
  void next(std::function<void(std::optional<functions::Invocation>)> done) override {
    std::lock_guard lock(mu_);
    polls_++;
    waiting_ = std::move(done);
  }
  void respond(std::string id, std::string payload, std::function<void(base::Status)> done) override {
    answer(std::move(id), "response", "", std::move(payload), std::move(done));
  }
  void fail(std::string id, std::string type, std::string body, std::function<void(base::Status)> done) override {
    answer(std::move(id), "error", std::move(type), std::move(body), std::move(done));
  }
  void init_error(std::string type, std::string body, std::function<void(base::Status)> done) override {
    {
      std::lock_guard lock(mu_);
      answers_.push_back("init:" + type + ":" + body);
    }
    done({});
  }

  void stream_begin(std::string id, std::string content_type, std::function<void(base::Status)> done) override {
    {
      std::lock_guard lock(mu_);
      if (id != current_) return done(base::make_error(base::ErrorCode::kNotFound, "Invalid request ID"));
      answers_.push_back("begin:" + content_type);
    }
    done({});
  }
  void stream_chunk(std::string id, std::string bytes, std::function<void(base::Status)> done) override {
    {
      std::lock_guard lock(mu_);
      if (id != current_) return done(base::make_error(base::ErrorCode::kNotFound, "Invalid request ID"));
      answers_.push_back("chunk:" + bytes);
      if (hold_chunks_) return held_.push_back(std::move(done));  // back-pressure: the caller is not ready
    }
    done({});
  }
  void stream_end(std::string id, std::optional<StreamError> error, std::function<void(base::Status)> done) override {
    {
      std::lock_guard lock(mu_);
      if (id != current_) return done(base::make_error(base::ErrorCode::kNotFound, "Invalid request ID"));
      current_.clear();
      answers_.push_back(error ? "end:" + error->type + ":" + error->body : "end");
    }
    done({});
  }
  void hold_chunks(bool on) {
    std::vector<std::function<void(base::Status)>> release;
    {
      std::lock_guard lock(mu_);
      hold_chunks_ = on;
      if (!on) release.swap(held_);
    }
    for (auto& d : release) d({});
  }

  // Completes the waiting poll (false: none was waiting).
  bool deliver(std::optional<functions::Invocation> inv) {
    std::function<void(std::optional<functions::Invocation>)> w;
    {
      std::lock_guard lock(mu_);
      if (inv) current_ = inv->request_id;
      w = std::exchange(waiting_, nullptr);
    }
    if (!w) return false;
    w(std::move(inv));
    return true;
  }
  int polls() {
    std::lock_guard lock(mu_);
    return polls_;
  }
  std::vector<std::string> answers() {
    std::lock_guard lock(mu_);
    return answers_;
  }

 private:
  void answer(std::string id, const std::string& kind, const std::string& type, std::string body,
              std::function<void(base::Status)> done) {
    {
      std::lock_guard lock(mu_);
      if (id != current_) return done(base::make_error(base::ErrorCode::kNotFound, "Invalid request ID"));
      current_.clear();
      answers_.push_back(kind + ":" + type + ":" + body);
    }
    done({});
  }
  std::mutex mu_;
  int polls_ = 0;
  std::function<void(std::optional<functions::Invocation>)> waiting_;
  std::string current_;
  std::vector<std::string> answers_;
  bool hold_chunks_ = false;
  std::vector<std::function<void(base::Status)>> held_;
};

struct Reply {
  int status = 0;
  std::string head, body;
  std::string header(const std::string& name) const {
    auto at = head.find("\r\n" + name + ": ");
    if (at == std::string::npos) return "";
    at += name.size() + 4;
    return head.substr(at, head.find("\r\n", at) - at);
  }
};

class ListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    factory_ = std::make_unique<ListenerFactory>(io_, http::Limits{});
    auto endpoint = factory_->open(channel_);
    ASSERT_TRUE(endpoint) << endpoint.error().message;
    endpoint_ = std::move(*endpoint);
    auto address = endpoint_->address();
    ASSERT_EQ(address.rfind("127.0.0.1:", 0), 0u) << address;
    port_ = static_cast<uint16_t>(std::stoi(address.substr(10)));
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    channel_->deliver(std::nullopt);  // a poll still waiting ends, as the invoker ends it
    asio::post(io_, [this] { endpoint_.reset(); });
    work_.reset();
    thread_.join();
  }

  // One request on its own connection; the reply as far as Content-Length says.
  static Reply send(uint16_t port, const std::string& raw) {
    asio::io_context io;
    tcp::socket s(io);
    s.connect({asio::ip::make_address("127.0.0.1"), port});
    boost::system::error_code ec;
    asio::write(s, asio::buffer(raw), ec);  // may fail half-way when the server refuses early
    std::string out;
    char buf[4096];
    for (;;) {
      size_t n = s.read_some(asio::buffer(buf), ec);
      if (ec) break;
      out.append(buf, n);
      auto end = out.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      Reply r;
      r.head = out.substr(0, end + 2);
      size_t length = 0;
      if (auto cl = r.header("Content-Length"); !cl.empty()) length = std::stoul(cl);
      if (out.size() < end + 4 + length) continue;
      r.status = std::stoi(out.substr(9, 3));
      r.body = out.substr(end + 4, length);
      return r;
    }
    return {};
  }
  Reply send(const std::string& raw) { return send(port_, raw); }
  static std::string post(const std::string& path, const std::string& body, const std::string& extra = "") {
    return "POST /2018-06-01/runtime/" + path + " HTTP/1.1\r\nHost: x\r\n" + extra +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }
  static constexpr const char* kNext = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n";
  // A poll on its own thread, answered once the channel delivers.
  std::future<Reply> poll() {
    int before = channel_->polls();
    auto f = std::async(std::launch::async, [port = port_] { return send(port, kNext); });
    for (int i = 0; i < 300 && channel_->polls() == before; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_GT(channel_->polls(), before) << "the poll reached the channel";
    return f;
  }
  static functions::Invocation event(const std::string& id) {
    functions::Invocation inv;
    inv.request_id = id;
    inv.payload = R"({"n":1})";
    inv.deadline_ms = 1700000003000;
    inv.function_arn = "arn:aws:lambda:us-east-1:000000000000:function:f";
    inv.trace_id = "Root=1-abc;Parent=def;Sampled=1";
    inv.client_context = "ctx";
    return inv;
  }

  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{io_.get_executor()};
  std::shared_ptr<MemoryChannel> channel_ = std::make_shared<MemoryChannel>();
  std::unique_ptr<ListenerFactory> factory_;
  std::unique_ptr<functions::RuntimeEndpoint> endpoint_;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST_F(ListenerTest, NextGivesTheEventWithLambdasHeaders) {
  auto reply = poll();
  ASSERT_TRUE(channel_->deliver(event("req-1")));
  ASSERT_EQ(reply.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto r = reply.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"n":1})");
  EXPECT_EQ(r.header("Lambda-Runtime-Aws-Request-Id"), "req-1");
  EXPECT_EQ(r.header("Lambda-Runtime-Deadline-Ms"), "1700000003000");
  EXPECT_EQ(r.header("Lambda-Runtime-Invoked-Function-Arn"), "arn:aws:lambda:us-east-1:000000000000:function:f");
  EXPECT_EQ(r.header("Lambda-Runtime-Trace-Id"), "Root=1-abc;Parent=def;Sampled=1");
  EXPECT_EQ(r.header("Lambda-Runtime-Client-Context"), "ctx");
  EXPECT_EQ(r.header("Lambda-Runtime-Cognito-Identity"), "") << "absent when there is none";
}

TEST_F(ListenerTest, ResponseReachesTheChannelOnceForItsRequestId) {
  auto reply = poll();
  ASSERT_TRUE(channel_->deliver(event("req-1")));
  ASSERT_EQ(reply.get().status, 200);
  auto r = send(post("invocation/req-1/response", "\"done\""));
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.body, R"({"status":"OK"})");
  EXPECT_EQ(channel_->answers(), std::vector<std::string>{"response::\"done\""});
  r = send(post("invocation/req-1/response", "\"again\""));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("InvalidRequestID"), std::string::npos) << r.body;
  r = send(post("invocation/other/response", "\"x\""));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(channel_->answers().size(), 1u);
}

TEST_F(ListenerTest, ErrorCarriesTheRuntimesErrorType) {
  auto reply = poll();
  ASSERT_TRUE(channel_->deliver(event("req-2")));
  ASSERT_EQ(reply.get().status, 200);
  auto r = send(post("invocation/req-2/error", R"({"errorType":"Boom"})", "Lambda-Runtime-Function-Error-Type: Boom\r\n"));
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(channel_->answers(), std::vector<std::string>{R"(error:Boom:{"errorType":"Boom"})"});
}

TEST_F(ListenerTest, InitErrorIsAccepted) {
  auto r = send(post("init/error", R"({"errorMessage":"no"})", "Lambda-Runtime-Function-Error-Type: Runtime.X\r\n"));
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(channel_->answers(), std::vector<std::string>{R"(init:Runtime.X:{"errorMessage":"no"})"});
}

TEST_F(ListenerTest, OnePollerPerInstance) {
  auto first = poll();
  auto second = send(kNext);
  EXPECT_EQ(second.status, 409);
  EXPECT_NE(second.body.find("Runtime.PollerAlreadyWaiting"), std::string::npos) << second.body;
  EXPECT_EQ(channel_->polls(), 1) << "the second poller never reached the instance";
  ASSERT_TRUE(channel_->deliver(event("req-3")));
  EXPECT_EQ(first.get().status, 200);
  // Once the first poll is answered, the next one is welcome.
  auto third = poll();
  ASSERT_TRUE(channel_->deliver(event("req-4")));
  EXPECT_EQ(third.get().header("Lambda-Runtime-Aws-Request-Id"), "req-4");
}

TEST_F(ListenerTest, StoppingInstanceEndsThePoll) {
  auto reply = poll();
  ASSERT_TRUE(channel_->deliver(std::nullopt));
  auto r = reply.get();
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("Runtime.Shutdown"), std::string::npos);
  EXPECT_EQ(r.header("Connection"), "close");
}

TEST_F(ListenerTest, OversizeResponseFailsTheInvocationAtOnce) {
  auto reply = poll();
  ASSERT_TRUE(channel_->deliver(event("big")));
  ASSERT_EQ(reply.get().status, 200);
  std::string body(6291556 + 1, 'x');  // Lambda's limit is 6 MB and 100 bytes
  auto r = send(post("invocation/big/response", body));
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("RequestEntityTooLarge"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("Exceeded maximum allowed payload size (6291556 bytes)."), std::string::npos) << r.body;
  // The invocation fails as Lambda's does, not at its timeout.
  EXPECT_EQ(channel_->answers(),
            std::vector<std::string>{"error:Function.ResponseSizeTooLarge:"
                                     R"({"errorMessage":"Response payload size (6291557 bytes) exceeded maximum allowed )"
                                     R"(payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"})"});
  // Exactly the limit is fine.
  auto again = poll();
  ASSERT_TRUE(channel_->deliver(event("big2")));
  ASSERT_EQ(again.get().status, 200);
  body.pop_back();
  r = send(post("invocation/big2/response", body));
  EXPECT_EQ(r.status, 202);
}

TEST_F(ListenerTest, UnknownPathsAndMethods) {
  EXPECT_EQ(send(post("nothing", "")).status, 404);
  EXPECT_EQ(send("GET /2018-06-01/runtime/nothing HTTP/1.1\r\nHost: x\r\n\r\n").status, 405) << "only next takes GET";
  EXPECT_EQ(send("GET /other HTTP/1.1\r\nHost: x\r\n\r\n").status, 404);
  EXPECT_EQ(send(post("invocation/next", "")).status, 405);
  EXPECT_EQ(send("GET /2018-06-01/runtime/invocation/x/response HTTP/1.1\r\nHost: x\r\n\r\n").status, 405);
  EXPECT_EQ(send(post("invocation/x/other", "")).status, 404);
  EXPECT_EQ(channel_->polls(), 0);
}

// A streamed response, as AWS's runtime interface clients send it.
std::string stream_head(const std::string& id) {
  return "POST /2018-06-01/runtime/invocation/" + id + "/response HTTP/1.1\r\nHost: x\r\n"
         "Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n"
         "Content-Type: text/plain\r\n"
         "Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n\r\n";
}
std::string chunk(const std::string& bytes) {
  char size[16];
  std::snprintf(size, sizeof size, "%zx", bytes.size());
  return std::string(size) + "\r\n" + bytes + "\r\n";
}

TEST_F(ListenerTest, StreamedResponseIsPassedOnAsItArrives) {
  auto reply = poll();
  ASSERT_TRUE(channel_->deliver(event("s1")));
  ASSERT_EQ(reply.get().status, 200);
  asio::io_context io;
  tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port_});
  asio::write(s, asio::buffer(stream_head("s1") + chunk("first")));
  // The first chunk reaches the instance while the body is still open.
  for (int i = 0; i < 300 && channel_->answers().size() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(channel_->answers(), (std::vector<std::string>{"begin:text/plain", "chunk:first"}));
  asio::write(s, asio::buffer(chunk("second") + "0\r\n\r\n"));
  std::string out(256, '\0');
  boost::system::error_code ec;
  size_t n = s.read_some(asio::buffer(out), ec);
  out.resize(n);
  EXPECT_EQ(out.rfind("HTTP/1.1 202", 0), 0u) << out;
  EXPECT_EQ(channel_->answers(), (std::vector<std::string>{"begin:text/plain", "chunk:first", "chunk:second", "end"}));
}

TEST_F(ListenerTest, StreamErrorTrailersEndTheStream) {
  auto reply = poll();
  ASSERT_TRUE(channel_->deliver(event("s2")));
  ASSERT_EQ(reply.get().status, 200);
  std::string error = R"({"errorType":"Boom","errorMessage":"mid-stream"})";
  auto r = send(stream_head("s2") + chunk("partial") + "0\r\nLambda-Runtime-Function-Error-Type: Boom\r\n" +
                "Lambda-Runtime-Function-Error-Body: " + base::base64_encode(error) + "\r\n\r\n");
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(channel_->answers(), (std::vector<std::string>{"begin:text/plain", "chunk:partial", "end:Boom:" + error}));
}

TEST_F(ListenerTest, StreamWaitsForItsCallerBeforeReadingOn) {
  auto reply = poll();
  ASSERT_TRUE(channel_->deliver(event("s3")));
  ASSERT_EQ(reply.get().status, 200);
  channel_->hold_chunks(true);
  asio::io_context io;
  tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port_});
  asio::write(s, asio::buffer(stream_head("s3") + chunk("a")));
  for (int i = 0; i < 300 && channel_->answers().size() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  asio::write(s, asio::buffer(chunk("b")));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(channel_->answers(), (std::vector<std::string>{"begin:text/plain", "chunk:a"}))
      << "the next piece is not read until the caller took the last";
  channel_->hold_chunks(false);
  for (int i = 0; i < 300 && channel_->answers().size() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  channel_->hold_chunks(false);  // "b" too
  asio::write(s, asio::buffer(std::string("0\r\n\r\n")));
  std::string out(256, '\0');
  boost::system::error_code ec;
  out.resize(s.read_some(asio::buffer(out), ec));
  EXPECT_EQ(out.rfind("HTTP/1.1 202", 0), 0u) << out;
  EXPECT_EQ(channel_->answers(), (std::vector<std::string>{"begin:text/plain", "chunk:a", "chunk:b", "end"}));
}

TEST_F(ListenerTest, StreamOverTheLimitFailsTheInvocation) {
  ListenerFactory small(io_, http::Limits{}, 8);
  auto endpoint = small.open(channel_);
  ASSERT_TRUE(endpoint);
  uint16_t port = static_cast<uint16_t>(std::stoi((*endpoint)->address().substr(10)));
  auto reply = poll();
  ASSERT_TRUE(channel_->deliver(event("s4")));
  ASSERT_EQ(reply.get().status, 200);
  auto r = send(port, stream_head("s4") + chunk("12345") + chunk("6789") + "0\r\n\r\n");
  EXPECT_EQ(r.status, 413);
  // Both chunks arrive in one read: 9 bytes, over the 8 allowed, and nothing of them is passed on.
  auto answers = channel_->answers();
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[1].rfind("end:Function.ResponseSizeTooLarge:", 0), 0u) << answers[1];
  EXPECT_NE(answers[1].find("exceeded maximum allowed payload size (8 bytes)"), std::string::npos) << answers[1];
  asio::post(io_, [e = std::make_shared<std::unique_ptr<functions::RuntimeEndpoint>>(std::move(*endpoint))] {});
}

TEST_F(ListenerTest, StreamForAnotherRequestIdIsRefused) {
  auto r = send(stream_head("nobody") + chunk("x") + "0\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("InvalidRequestID"), std::string::npos) << r.body;
  EXPECT_TRUE(channel_->answers().empty());
}

TEST_F(ListenerTest, UnknownResponseModeIsRefused) {
  auto reply = poll();
  ASSERT_TRUE(channel_->deliver(event("m")));
  ASSERT_EQ(reply.get().status, 200);
  auto r = send(post("invocation/m/response", "\"x\"", "Lambda-Runtime-Function-Response-Mode: sideways\r\n"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Lambda-Runtime-Function-Response-Mode"), std::string::npos) << r.body;
  EXPECT_TRUE(channel_->answers().empty());
}

}  // namespace
}  // namespace nimbus::runtime_api
