#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "http_client.h"
#include "loopback_listener.h"
#include "nimbus/runtime.h"

namespace nimbus::runtime {
namespace {

TEST(Runtime, JsonEscape) {
  EXPECT_EQ(json_escape("plain"), "plain");
  EXPECT_EQ(json_escape("a\"b\\c\nd\te"), "a\\\"b\\\\c\\nd\\te");
  EXPECT_EQ(json_escape(std::string("\x01", 1)), "\\u0001");
}

TEST(Runtime, OutcomeShapes) {
  auto ok = Outcome::success("{\"a\":1}");
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.body(), "{\"a\":1}");
  auto bad = Outcome::failure("MyError", "it \"broke\"");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error_type(), "MyError");
  EXPECT_EQ(bad.body(), "{\"errorMessage\":\"it \\\"broke\\\"\",\"errorType\":\"MyError\",\"stackTrace\":[]}");
}

// A one-connection server that answers every request with a fixed response
// and records what it received.
struct FakeServer {
  int listen_fd = -1;
  int port = 0;
  std::string received;
  std::thread thread;

  explicit FakeServer(int responses) {
    listen_fd = testing::listen_on_loopback(&port);
    thread = std::thread([this, responses] {
      int c = ::accept(listen_fd, nullptr, nullptr);
      for (int i = 0; i < responses; ++i) {
        std::string req;
        char buf[4096];
        while (req.find("\r\n\r\n") == std::string::npos) {
          ssize_t n = ::recv(c, buf, sizeof buf, 0);
          if (n <= 0) return;
          req.append(buf, static_cast<size_t>(n));
        }
        received += req;
        std::string body = "{\"n\":" + std::to_string(i) + "}";
        std::string res = "HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: id-" + std::to_string(i) +
                          "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
        ::send(c, res.data(), res.size(), 0);
      }
      ::close(c);
    });
  }
  ~FakeServer() {
    thread.join();
    ::close(listen_fd);
  }
};

TEST(HttpClient, KeepAliveRequestsAndHeaders) {
  FakeServer server(2);
  detail::HttpClient client("127.0.0.1:" + std::to_string(server.port));
  auto first = client.request("GET", "/2018-06-01/runtime/invocation/next");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.headers["lambda-runtime-aws-request-id"], "id-0");
  EXPECT_EQ(first.body, "{\"n\":0}");
  auto second = client.request("POST", "/2018-06-01/runtime/invocation/id-0/response", "{\"ok\":true}",
                               {{"Content-Type", "application/json"}});
  EXPECT_EQ(second.body, "{\"n\":1}");
  EXPECT_NE(server.received.find("POST /2018-06-01/runtime/invocation/id-0/response HTTP/1.1"), std::string::npos);
  EXPECT_NE(server.received.find("Content-Length: 11"), std::string::npos);
}

TEST(HttpClient, ChunkedRequestWithTrailers) {
  int port = 0;
  int fd = testing::listen_on_loopback(&port);
  std::string received;
  std::thread server([&] {
    int c = ::accept(fd, nullptr, nullptr);
    char buf[4096];
    // Up to the end of the trailer section, after the last (0) chunk.
    while (received.find("\r\n0\r\n") == std::string::npos ||
           received.find("\r\n\r\n", received.find("\r\n0\r\n") + 2) == std::string::npos) {
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      received.append(buf, static_cast<size_t>(n));
    }
    std::string res = "HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok";
    ::send(c, res.data(), res.size(), 0);
    ::close(c);
  });
  detail::HttpClient client("127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(client.start_chunked("POST", "/r", {{"Lambda-Runtime-Function-Response-Mode", "streaming"}}));
  EXPECT_TRUE(client.send_chunk("hello "));
  EXPECT_TRUE(client.send_chunk(""));  // nothing: an empty chunk would end the body
  EXPECT_TRUE(client.send_chunk("world"));
  auto res = client.finish_chunked({{"Lambda-Runtime-Function-Error-Type", "Boom"}});
  server.join();
  ::close(fd);
  EXPECT_EQ(res.status, 202);
  EXPECT_EQ(res.body, "ok");
  EXPECT_NE(received.find("Transfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n"
                          "Lambda-Runtime-Function-Error-Type: Boom\r\n\r\n"),
            std::string::npos)
      << received;
  EXPECT_EQ(received.find("Content-Length"), std::string::npos);
}

}  // namespace
}  // namespace nimbus::runtime
