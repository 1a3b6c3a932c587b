#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "loopback_listener.h"
#include "nimbus/s3.h"
#include "signer.h"

namespace nimbus::s3 {
namespace {

// AWS's published example "GET Object" (SigV4 documentation for S3).
TEST(Signer, MatchesAwsGetObjectExample) {
  sdk::SignInput in;
  in.method = "GET";
  in.path = "/test.txt";
  in.payload_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  in.headers = {{"host", "examplebucket.s3.amazonaws.com"},
                {"range", "bytes=0-9"},
                {"x-amz-content-sha256", in.payload_hash},
                {"x-amz-date", "20130524T000000Z"}};
  in.region = "us-east-1";
  in.service = "s3";
  in.access_key = "AKIAIOSFODNN7EXAMPLE";
  in.secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  in.amz_date = "20130524T000000Z";
  EXPECT_EQ(sdk::authorization(in),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(Signer, UriEncoding) {
  EXPECT_EQ(sdk::uri_encode("input/red flower é+~.jpg", true), "input/red%20flower%20%C3%A9%2B~.jpg");
  EXPECT_EQ(sdk::uri_encode("a/b", false), "a%2Fb");
}

TEST(EventKeys, FormDecoding) {
  EXPECT_EQ(decode_event_key("input/red+flower.jpg"), "input/red flower.jpg");
  EXPECT_EQ(decode_event_key("%C3%A9t%C3%A9%2B1.png"), "\xC3\xA9t\xC3\xA9+1.png");
  EXPECT_EQ(decode_event_key("100%"), "100%");
  EXPECT_EQ(decode_event_key("%zz"), "%zz");
}

// Accepts one connection and answers each request with the next canned
// response; keeps what it received (heads and bodies).
struct ScriptedServer {
  int listen_fd = -1;
  int port = 0;
  std::string received;
  std::thread thread;

  explicit ScriptedServer(std::vector<std::string> responses) {
    listen_fd = testing::listen_on_loopback(&port);
    thread = std::thread([this, responses] {
      int c = -1;
      std::string pending;
      for (const auto& response : responses) {
        std::string req;
        char buf[65536];
        size_t head_end;
        for (;;) {
          if (c < 0) c = ::accept(listen_fd, nullptr, nullptr);
          if ((head_end = pending.find("\r\n\r\n")) != std::string::npos) break;
          ssize_t n = ::recv(c, buf, sizeof buf, 0);
          if (n <= 0) {  // the client moved to a new connection
            ::close(c);
            c = -1;
            pending.clear();
            continue;
          }
          pending.append(buf, static_cast<size_t>(n));
        }
        auto cl = pending.find("Content-Length: ");
        size_t length = cl < head_end ? std::strtoull(pending.c_str() + cl + 16, nullptr, 10) : 0;
        while (pending.size() < head_end + 4 + length) {
          ssize_t n = ::recv(c, buf, sizeof buf, 0);
          if (n <= 0) return;
          pending.append(buf, static_cast<size_t>(n));
        }
        received += pending.substr(0, head_end + 4 + length);
        pending.erase(0, head_end + 4 + length);
        ::send(c, response.data(), response.size(), MSG_NOSIGNAL);
      }
      if (c >= 0) ::close(c);
    });
  }
  Config config() const {
    Config c;
    c.endpoint = "http://127.0.0.1:" + std::to_string(port);
    c.access_key = "AKID";
    c.secret_key = "secret";
    return c;
  }
  ~ScriptedServer() {
    thread.join();
    ::close(listen_fd);
  }
};

TEST(S3Client, StreamsAChunkedGetAndParsesErrors) {
  ScriptedServer server({
      "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nETag: \"abc\"\r\nx-amz-meta-who: me\r\n"
      "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
      "HTTP/1.1 404 Not Found\r\nContent-Type: application/xml\r\nContent-Length: 88\r\n\r\n"
      "<Error><Code>NoSuchKey</Code><Message>The key does not exist</Message></Error>          ",
  });
  Client client(server.config());
  std::vector<std::string> pieces;
  auto info = client.get_object("b", "in/red flower.png", [&](std::string_view p) { pieces.emplace_back(p); });
  std::string joined;
  for (auto& p : pieces) joined += p;
  EXPECT_EQ(joined, "hello world");
  EXPECT_EQ(info.content_type, "image/png");
  EXPECT_EQ(info.etag, "\"abc\"");
  EXPECT_EQ(info.metadata["who"], "me");
  try {
    client.get_object("b", "missing");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), 404);
    EXPECT_EQ(e.code(), "NoSuchKey");
    EXPECT_NE(std::string(e.what()).find("The key does not exist"), std::string::npos);
  }
  EXPECT_NE(server.received.find("GET /b/in/red%20flower.png HTTP/1.1"), std::string::npos);
  EXPECT_NE(server.received.find("authorization: AWS4-HMAC-SHA256 Credential=AKID/"), std::string::npos);
}

TEST(S3Client, StreamedPutSendsEveryByteUnsigned) {
  ScriptedServer server({"HTTP/1.1 200 OK\r\nETag: \"e1\"\r\nContent-Length: 0\r\n\r\n"});
  Client client(server.config());
  std::string data(300000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + i % 26);
  size_t off = 0;
  PutOptions opts;
  opts.content_type = "image/jpeg";
  auto etag = client.put_object("b", "out/k.jpg", data.size(),
                                [&](char* buf, size_t n) {
                                  size_t take = std::min(n, std::min<size_t>(1000, data.size() - off));
                                  std::copy_n(data.data() + off, take, buf);
                                  off += take;
                                  return take;
                                },
                                opts);
  EXPECT_EQ(etag, "\"e1\"");
  EXPECT_NE(server.received.find("x-amz-content-sha256: UNSIGNED-PAYLOAD"), std::string::npos);
  EXPECT_NE(server.received.find("content-type: image/jpeg"), std::string::npos);
  EXPECT_EQ(server.received.substr(server.received.size() - data.size()), data);
}

TEST(S3Client, ConfigFromEnvironment) {
  ::setenv("AWS_ENDPOINT_URL", "https://s3.example.com", 1);
  ::setenv("AWS_ACCESS_KEY_ID", "k", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "s", 1);
  auto c = Config::from_env();
  EXPECT_EQ(c.endpoint, "https://s3.example.com");
  EXPECT_THROW(Client{c}, std::invalid_argument);  // no TLS in this client
  ::unsetenv("AWS_ENDPOINT_URL");
  EXPECT_THROW(Config::from_env(), std::invalid_argument);
}

}  // namespace
}  // namespace nimbus::s3
