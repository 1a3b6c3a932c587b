// RequestParser: HTTP/1.1 request parsing on Beast's basic_parser, with the
// rules a server facing hostile clients needs and Beast alone does not give:
// header fields, chunk extensions and chunk trailers share one byte budget
// (Beast's own field container throws on a trailer over 64 KiB, and leaves
// extensions and trailers unbounded); Transfer-Encoding must end in chunked
// and may not come with Content-Length (RFC 9112 6.3, against desync); bare
// LF line endings and absurd chunk sizes fail at once instead of waiting for
// a timeout. No call throws on request data. Body bytes are copied into a
// buffer the caller lends for each step, as with Beast's buffer_body.
//
// One parser per request, used by one connection's coroutine at a time.
#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/headers.h"

namespace nimbus::http {

// Why a request was refused before a handler saw it; the server answers
// with status and code, in the service's own error format.
struct ParseFailure {
  int status = 400;
  std::string code;
  std::string message;
};

class RequestParser : public boost::beast::http::basic_parser<true> {
 public:
  using error_code = boost::beast::error_code;
  // Larger chunks than this are refused: no request nimbus accepts is near it,
  // and a chunk size of 2^64-1 must not be a wait for the timeout.
  static constexpr uint64_t kMaxChunkBytes = uint64_t{64} << 30;

  explicit RequestParser(size_t header_budget_bytes);

  // Feeds buffered bytes; returns how many were consumed. `ec` is need_more
  // when more input is wanted, need_buffer when the body buffer lent with
  // lend_body() is full; any other error means the request is refused (see
  // failure()). Never throws.
  size_t feed(std::string_view data, error_code& ec);
  // The connection closed: partial_message when the request is incomplete.
  void feed_eof(error_code& ec);

  // Where the next body bytes go, and how many arrived there since.
  void lend_body(char* buf, size_t n) {
    body_buf_ = buf;
    body_room_ = n;
    body_got_ = 0;
  }
  size_t body_received() const { return body_got_; }

  const std::string& method() const { return method_; }
  const std::string& target() const { return target_; }
  int version() const { return version_; }
  const base::HeaderList& headers() const { return headers_; }      // lowercase names
  // The header names as the client spelled them, one per headers() entry, in
  // the same order (REST APIs hand functions the client's casing).
  const std::vector<std::string>& original_names() const { return original_names_; }
  const base::HeaderList& trailers() const { return trailers_; }    // chunked trailer fields
  std::optional<uint64_t> declared_length() const {
    auto n = content_length();  // Beast's, known once the header is done
    return n ? std::optional<uint64_t>(*n) : std::nullopt;
  }
  // What to answer for a refused request (valid after feed() failed).
  ParseFailure failure(const error_code& ec) const;

 private:
  void on_request_impl(boost::beast::http::verb, boost::beast::string_view method, boost::beast::string_view target, int version,
                       error_code& ec) override;
  void on_response_impl(int, boost::beast::string_view, int, error_code& ec) override;
  void on_field_impl(boost::beast::http::field, boost::beast::string_view name, boost::beast::string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code& ec) override;
  size_t on_body_impl(boost::beast::string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, boost::beast::string_view extensions, error_code& ec) override;
  size_t on_chunk_body_impl(std::uint64_t remain, boost::beast::string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  bool charge(size_t bytes, error_code& ec);  // against the shared header budget
  bool reading_lines() const;                 // in the header, a chunk line or the trailer
  size_t copy_body(std::string_view body, error_code& ec);

  size_t budget_;
  std::string method_, target_;
  int version_ = 11;
  base::HeaderList headers_, trailers_;
  std::vector<std::string> original_names_;
  bool has_transfer_encoding_ = false;
  bool has_content_length_ = false;
  std::string transfer_encoding_;
  uint64_t chunk_left_ = 0;  // body bytes left in the current chunk
  bool refused_by_rule_ = false;
  ParseFailure rule_failure_;
  char* body_buf_ = nullptr;
  size_t body_room_ = 0;
  size_t body_got_ = 0;
};

}  // namespace nimbus::http
