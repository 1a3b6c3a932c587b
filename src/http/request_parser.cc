#include "http/request_parser.h"

#include <boost/asio/buffer.hpp>
#include <cstring>
#include <exception>

#include "base/encoding.h"

namespace nimbus::http {

namespace bhttp = boost::beast::http;
using bstring_view = boost::beast::string_view;

RequestParser::RequestParser(size_t header_budget_bytes) : budget_(header_budget_bytes) {
  header_limit(static_cast<std::uint32_t>(header_budget_bytes));
  body_limit(boost::none);  // sizes are the handlers' to judge, in their own error format
  eager(true);
}

size_t RequestParser::feed(std::string_view data, error_code& ec) {
  size_t used = 0;
  try {
    used = put(boost::asio::buffer(data.data(), data.size()), ec);
  } catch (const std::exception&) {
    // Nothing here should throw; if Beast ever does, the request is refused, never the server.
    ec = bhttp::error::bad_value;
    return 0;
  }
  if (ec != bhttp::error::need_more || !reading_lines()) return used;
  // An unfinished line (or trailer section) already over what is left of
  // the budget would only be refused once complete: refuse it now, before
  // it fills memory.
  if (data.size() - used > budget_) {
    ec = bhttp::error::header_limit;
    return used;
  }
  // Beast only knows CRLF: a line ended by a bare LF would wait for the
  // timeout. RFC 9112 2.2 lets a server refuse it; we do, at once.
  for (size_t i = used; i < data.size(); ++i) {
    if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r')) {
      ec = bhttp::error::bad_line_ending;
      return used;
    }
  }
  return used;
}

void RequestParser::feed_eof(error_code& ec) {
  if (!got_some()) {
    ec = bhttp::error::end_of_stream;
    return;
  }
  put_eof(ec);
}

ParseFailure RequestParser::failure(const error_code& ec) const {
  if (refused_by_rule_) return rule_failure_;
  if (ec == bhttp::error::header_limit)
    return {431, "RequestHeaderSectionTooLarge",
            "Your request header section (with chunk extensions and trailers) exceeds the maximum allowed size."};
  return {400, "BadRequest", "Malformed HTTP request: " + ec.message()};
}

bool RequestParser::charge(size_t bytes, error_code& ec) {
  if (bytes > budget_) {
    ec = bhttp::error::header_limit;
    return false;
  }
  budget_ -= bytes;
  return true;
}

bool RequestParser::reading_lines() const {
  if (!is_header_done()) return true;
  return chunked() && chunk_left_ == 0 && !is_done();
}

void RequestParser::on_request_impl(bhttp::verb, bstring_view method, bstring_view target, int version,
                                    error_code& ec) {
  if (!charge(method.size() + target.size() + 12, ec)) return;
  method_.assign(method.data(), method.size());
  target_.assign(target.data(), target.size());
  version_ = version;
}

void RequestParser::on_response_impl(int, bstring_view, int, error_code& ec) { ec = bhttp::error::bad_method; }

void RequestParser::on_field_impl(bhttp::field, bstring_view name, bstring_view value, error_code& ec) {
  if (!charge(name.size() + value.size() + 4, ec)) return;
  std::string lower = base::to_lower(std::string_view(name.data(), name.size()));
  std::string text(value.data(), value.size());
  if (is_header_done()) {
    trailers_.emplace_back(std::move(lower), std::move(text));
    return;
  }
  if (lower == "transfer-encoding") {
    has_transfer_encoding_ = true;
    transfer_encoding_ += (transfer_encoding_.empty() ? "" : ",") + text;
  } else if (lower == "content-length") {
    has_content_length_ = true;
  }
  original_names_.emplace_back(name.data(), name.size());
  headers_.emplace_back(std::move(lower), std::move(text));
}

void RequestParser::on_header_impl(error_code& ec) {
  if (!has_transfer_encoding_) return;
  auto refuse = [&](int status, std::string code, std::string message) {
    refused_by_rule_ = true;
    rule_failure_ = {status, std::move(code), std::move(message)};
    ec = bhttp::error::bad_transfer_encoding;
  };
  // RFC 9112 6.1 and 6.3: a request whose framing two parties could read
  // differently is refused and its connection closed, never guessed at.
  if (has_content_length_)
    return refuse(400, "BadRequest", "Transfer-Encoding and Content-Length may not both be sent.");
  if (version_ < 11) return refuse(400, "BadRequest", "Transfer-Encoding is not allowed in an HTTP/1.0 request.");
  std::vector<std::string> codings;
  for (std::string_view rest = transfer_encoding_; !rest.empty();) {
    size_t comma = rest.find(',');
    std::string coding = base::to_lower(base::trim(rest.substr(0, comma)));
    if (!coding.empty()) codings.push_back(std::move(coding));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  if (codings.empty() || codings.back() != "chunked")
    return refuse(400, "BadRequest", "Transfer-Encoding must end in chunked: " + transfer_encoding_);
  if (codings.size() > 1)
    return refuse(501, "NotImplemented",
                  "A header you provided implies functionality that is not implemented: Transfer-Encoding " +
                      transfer_encoding_);
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) {}

size_t RequestParser::copy_body(std::string_view body, error_code& ec) {
  if (body_room_ == 0) {
    ec = bhttp::error::need_buffer;
    return 0;
  }
  size_t n = std::min(body.size(), body_room_);
  std::memcpy(body_buf_, body.data(), n);
  body_buf_ += n;
  body_room_ -= n;
  body_got_ += n;
  return n;
}

size_t RequestParser::on_body_impl(bstring_view body, error_code& ec) {
  return copy_body(std::string_view(body.data(), body.size()), ec);
}

void RequestParser::on_chunk_header_impl(std::uint64_t size, bstring_view extensions, error_code& ec) {
  if (!charge(extensions.size() + 2, ec)) return;
  if (size > kMaxChunkBytes) {
    refused_by_rule_ = true;
    rule_failure_ = {400, "BadRequest", "Chunk size " + std::to_string(size) + " is larger than nimbus accepts."};
    ec = bhttp::error::bad_chunk;
    return;
  }
  chunk_left_ = size;
}

size_t RequestParser::on_chunk_body_impl(std::uint64_t remain, bstring_view body, error_code& ec) {
  size_t n = copy_body(std::string_view(body.data(), body.size()), ec);
  chunk_left_ = remain - n;
  return n;
}

void RequestParser::on_finish_impl(error_code&) {}

}  // namespace nimbus::http
