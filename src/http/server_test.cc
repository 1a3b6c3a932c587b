#include "http/server.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <optional>
#include <thread>

#include "http/client.h"
#include "http/offload.h"

namespace nimbus::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// A chunked response body from a list of pieces, each after a short pause
// (as a function's streamed response arrives).
class Pieces : public ChunkSource {
 public:
  explicit Pieces(std::vector<std::string> pieces) : pieces_(std::move(pieces)) {}
  asio::awaitable<base::Result<std::string>> next() override {
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(20));
    co_await t.async_wait(asio::use_awaitable);
    if (i_ == pieces_.size()) co_return std::string();
    co_return pieces_[i_++];
  }

 private:
  std::vector<std::string> pieces_;
  size_t i_ = 0;
};

// Answers with the first piece of the body that arrived, without waiting for the rest.
asio::awaitable<Response> first_piece(Request& req) {
  char buf[256];
  auto n = co_await req.body->read_some(buf, sizeof buf);
  Response r;
  r.body = n ? "first:" + std::string(buf, *n) : "error";
  r.close = true;
  co_return r;
}

// A running server whose handler answers "<method> <target> <body length>".
class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    Limits limits;
    limits.header_bytes = 8 * 1024;
    limits.idle_timeout = std::chrono::seconds(2);
    limits.body_read_timeout = std::chrono::seconds(1);
    server_ = std::make_unique<Server>(
        io_, limits,
        [this](Request& req) -> asio::awaitable<Response> {
          if (req.target == "/first") co_return co_await first_piece(req);
          if (req.target == "/chunks") {
            Response r;
            r.chunks = std::make_unique<Pieces>(std::vector<std::string>{"ab", "cde", "f"});
            co_return r;
          }
          auto body = co_await read_body(req, 1 << 20);
          if (req.target == "/trailers") {
            Response r;
            r.body = body ? *body : "error";
            for (const auto& [k, v] : req.body->trailers()) r.body += " " + k + "=" + v;
            co_return r;
          }
          auto doubled = co_await offload(pool_, [n = body ? body->size() : 0] { return n * 2; });
          Response r;
          r.body = req.method + " " + req.target + " " + (body ? std::to_string(body->size()) : "error") + " " +
                   std::to_string(doubled);
          co_return r;
        },
        [](int status, std::string code, std::string) {
          Response r;
          r.status = status;
          r.body = code;
          return r;
        });
    port_ = *server_->listen("127.0.0.1", 0);
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    server_->stop([this] { io_.stop(); });
    thread_.join();
  }

  // Sends raw bytes and reads until the connection closes or `responses` replies arrived.
  std::string exchange(const std::string& raw, int responses = 1) {
    asio::io_context io;
    tcp::socket s(io);
    s.connect({asio::ip::make_address("127.0.0.1"), port_});
    asio::write(s, asio::buffer(raw));
    std::string out;
    boost::system::error_code ec;
    char buf[4096];
    while (true) {
      size_t n = s.read_some(asio::buffer(buf), ec);
      if (ec) break;
      out.append(buf, n);
      size_t count = 0, pos = 0;
      while ((pos = out.find("HTTP/1.1 ", pos)) != std::string::npos) {
        if (out.compare(pos, 12, "HTTP/1.1 100") != 0) ++count;
        pos += 9;
      }
      // Bodies here are tiny and arrive with their headers.
      if (static_cast<int>(count) >= responses) break;
    }
    return out;
  }

  asio::io_context io_;
  asio::thread_pool pool_{2};
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST_F(ServerFixture, KeepAliveServesSeveralRequests) {
  auto out = exchange(
      "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
      "PUT /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
      2);
  EXPECT_NE(out.find("GET /a 0 0"), std::string::npos) << out;
  EXPECT_NE(out.find("PUT /b 5 10"), std::string::npos) << out;
}

TEST_F(ServerFixture, ChunkedRequestBody) {
  auto out = exchange("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n");
  EXPECT_NE(out.find("POST /c 7 14"), std::string::npos) << out;
}

TEST_F(ServerFixture, ChunkedRequestTrailersReachTheHandler) {
  auto out = exchange(
      "POST /trailers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTrailer: X-One\r\n\r\n"
      "3\r\nabc\r\n0\r\nX-One: 1\r\nX-Two: two\r\n\r\n");
  EXPECT_NE(out.find("abc x-one=1 x-two=two"), std::string::npos) << out;
}

TEST_F(ServerFixture, ChunkedBodyIsReadAsItArrives) {
  // Only the first chunk is sent: the handler sees it without the end of the body.
  auto out = exchange("POST /first HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
  EXPECT_NE(out.find("first:hello"), std::string::npos) << out;
}

TEST_F(ServerFixture, ChunkSourceIsSentChunked) {
  auto out = exchange("GET /chunks HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 99);  // to the close
  EXPECT_EQ(out.rfind("HTTP/1.1 200", 0), 0u) << out;
  EXPECT_NE(out.find("Transfer-Encoding: chunked"), std::string::npos) << out;
  EXPECT_EQ(out.find("Content-Length"), std::string::npos) << out;
  EXPECT_NE(out.find("\r\n\r\n2\r\nab\r\n3\r\ncde\r\n1\r\nf\r\n0\r\n\r\n"), std::string::npos) << out;
}

TEST_F(ServerFixture, ExpectContinueGetsInterimResponse) {
  asio::io_context io;
  tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port_});
  asio::write(s, asio::buffer(std::string("PUT /e HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")));
  asio::streambuf sb;
  asio::read_until(s, sb, "\r\n\r\n");
  std::string first(asio::buffers_begin(sb.data()), asio::buffers_end(sb.data()));
  EXPECT_EQ(first.rfind("HTTP/1.1 100 Continue", 0), 0u) << first;
  sb.consume(sb.size());
  asio::write(s, asio::buffer(std::string("xyz")));
  asio::read_until(s, sb, "PUT /e 3 6");
}

TEST_F(ServerFixture, OversizedHeadersAreRejected) {
  std::string big(16 * 1024, 'a');
  auto out = exchange("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 431", 0), 0u) << out.substr(0, 100);
  EXPECT_NE(out.find("RequestHeaderSectionTooLarge"), std::string::npos);
}

TEST_F(ServerFixture, GarbageGetsBadRequest) {
  auto out = exchange("BLAH\r\n\r\n");
  EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << out;
}

TEST_F(ServerFixture, SlowBodyTimesOutAndServerStaysUp) {
  auto out = exchange("PUT /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly-a-bit");
  // A client that stalls mid-body is told so (S3's RequestTimeout), then closed.
  EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << out;
  EXPECT_NE(out.find("RequestTimeout"), std::string::npos) << out;
  auto again = exchange("GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(again.find("GET /after 0 0"), std::string::npos);
}

// http::fetch (http/client.h) against this server: what SNS's http deliveries and JWKS fetches use.
base::Result<ClientResponse> run_fetch(ClientRequest req) {
  asio::io_context io;
  std::optional<base::Result<ClientResponse>> out;
  auto task = [&]() -> asio::awaitable<void> { out = co_await fetch(std::move(req)); };
  asio::co_spawn(io, task, asio::detached);
  io.run();
  return std::move(*out);
}

TEST_F(ServerFixture, ClientPostsAndReadsTheAnswer) {
  ClientRequest req;
  req.method = "POST";
  req.url = "http://127.0.0.1:" + std::to_string(port_) + "/hook?x=1";
  req.headers = {{"x-amz-sns-message-type", "Notification"}};
  req.body = "hello";
  auto r = run_fetch(std::move(req));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "POST /hook?x=1 5 10");
}

TEST(HttpClient, RefusesHttpsAndReportsNoAnswer) {
  ClientRequest tls;
  tls.url = "https://127.0.0.1:1/";
  auto a = run_fetch(std::move(tls));
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().message.find("http:// only"), std::string::npos);
  ClientRequest closed;
  closed.url = "http://127.0.0.1:1/";
  auto b = run_fetch(std::move(closed));
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, base::ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace nimbus::http
