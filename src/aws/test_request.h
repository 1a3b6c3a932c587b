// For unit tests of services on aws/: requests with a body and a SigV4
// signature made as botocore makes them, and a way to run a handler's
// coroutine to its end. Test-only; no production code includes it.
//
// THREADING RULE: single-threaded tests.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <memory>
#include <string>

#include "auth/sigv4.h"
#include "base/crypto.h"
#include "base/time.h"
#include "http/message.h"

namespace nimbus::aws::testing {

class StringBody : public http::BodyReader {
 public:
  explicit StringBody(std::string s) : data_(std::move(s)) {}
  boost::asio::awaitable<base::Result<size_t>> read_some(char* buf, size_t n) override {
    size_t k = std::min(n, data_.size() - off_);
    std::copy_n(data_.data() + off_, k, buf);
    off_ += k;
    co_return k;
  }

 private:
  std::string data_;
  size_t off_ = 0;
};

struct TestRequest {
  http::Request req;
  std::unique_ptr<StringBody> body;
};

// A request signed for `service` with key/secret at now_ms (unsigned when key is empty).
inline std::unique_ptr<TestRequest> make_request(std::string method, std::string target, std::string body,
                                                 base::HeaderList headers, const std::string& service,
                                                 const std::string& key = "test", const std::string& secret = "test",
                                                 int64_t now_ms = base::now_ms()) {
  auto t = std::make_unique<TestRequest>();
  t->req.method = std::move(method);
  t->req.target = std::move(target);
  headers.emplace_back("host", "localhost:4566");
  if (!key.empty()) {
    std::string amz_date = base::amz_date(now_ms);
    headers.emplace_back("x-amz-date", amz_date);
    auth::Scope scope{amz_date.substr(0, 8), "us-east-1", service};
    std::string path = t->req.target.substr(0, t->req.target.find('?'));
    std::string query = t->req.target.find('?') == std::string::npos ? "" : t->req.target.substr(t->req.target.find('?') + 1);
    std::string authz = auth::authorization_header(t->req.method, path, query, headers, base::sha256_hex(body), key,
                                                   secret, scope, amz_date, true);
    headers.emplace_back("authorization", authz);
  }
  t->req.headers = std::move(headers);
  t->req.content_length = body.size();
  t->body = std::make_unique<StringBody>(std::move(body));
  t->req.body = t->body.get();
  return t;
}

template <typename T>
T run(boost::asio::awaitable<T> a) {
  boost::asio::io_context io;
  auto f = boost::asio::co_spawn(io, std::move(a), boost::asio::use_future);
  io.run();
  return f.get();
}

}  // namespace nimbus::aws::testing
