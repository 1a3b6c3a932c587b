// A small blocking HTTP/1.1 client over one keep-alive TCP connection, for
// the Runtime API and the S3 client: request bodies from memory or streamed
// from a reader, response bodies buffered or streamed to a sink, and
// Content-Length, chunked and read-to-close responses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nimbus::runtime::detail {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;                            // empty when streamed to a sink
};

using HeaderPairs = std::vector<std::pair<std::string, std::string>>;
// Fills up to `capacity` bytes of `buf`; returns how many (0 = no more).
using BodyReader = std::function<size_t(char* buf, size_t capacity)>;
// Takes the next piece of a response body.
using BodySink = std::function<void(std::string_view piece)>;

struct StreamedBody {
  uint64_t length = 0;
  BodyReader read;
};

class HttpClient {
 public:
  explicit HttpClient(std::string host_port);
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) = delete;

  // A request with an in-memory body. Retries once on a fresh connection
  // when a kept-alive one turns out to be closed.
  HttpResponse request(const std::string& method, const std::string& target, const std::string& body = "",
                       const std::map<std::string, std::string>& headers = {});

  // The general form. With `upload`, the body is read from it (always on a
  // fresh connection, so nothing needs to be re-read). With `sink`, the body
  // of a 2xx response goes to it piece by piece instead of into `body`.
  // HEAD responses have no body. Throws std::runtime_error when the server
  // cannot be reached or the response is malformed.
  HttpResponse send(const std::string& method, const std::string& target, const HeaderPairs& headers,
                    std::string_view body, const StreamedBody* upload = nullptr, const BodySink* sink = nullptr);

  // A request whose body is sent chunk by chunk as it is produced
  // (Transfer-Encoding: chunked): start, send pieces, finish with trailers,
  // then its response. On the kept-alive connection (a fresh one if there
  // is none). start and send return false when the connection is lost.
  bool start_chunked(const std::string& method, const std::string& target, const HeaderPairs& headers);
  bool send_chunk(std::string_view piece);
  HttpResponse finish_chunked(const HeaderPairs& trailers);

  const std::string& host_header() const { return host_header_; }

 private:
  bool connect();
  void close();
  bool send_all(const char* data, size_t size);
  bool fill();
  bool read_head(HttpResponse& out);
  bool read_body(const std::string& method, HttpResponse& out, const BodySink* sink, bool& keep);
  std::string host_, port_, host_header_;
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace nimbus::runtime::detail
