#include "function_urls/stream_prelude.h"

#include <boost/json.hpp>

#include "execute_api/proxy_event.h"

namespace nimbus::function_urls {

namespace json = boost::json;

base::Result<HttpPrelude> parse_http_prelude(std::string_view json_text) {
  HttpPrelude out;
  if (json_text.find_first_not_of(" \t\r\n") == std::string_view::npos) return out;
  boost::system::error_code ec;
  json::value v = json::parse(json_text, ec);
  if (ec || !v.is_object())
    return base::make_error(base::ErrorCode::kMalformed, "the stream's HTTP prelude is not a JSON object");
  // The prelude is payload 2.0's structured response without its body: read
  // it with the same reader, so headers and cookies mean what they mean there.
  json::object o = std::move(v.as_object());
  o.erase("body");
  o.erase("isBase64Encoded");
  if (!o.contains("statusCode") || o.at("statusCode").is_null()) o["statusCode"] = 200;
  auto reply = execute_api::read_v2_response(json::serialize(o));
  if (!reply) return base::make_error(base::ErrorCode::kMalformed, "the stream's HTTP prelude: " + reply.error().message);
  out.status = reply->status;
  out.headers = std::move(reply->headers);
  return out;
}

PreludeReader::Step PreludeReader::add(std::string_view bytes) {
  if (end_ != std::string::npos) return Step::kDone;
  buf_.append(bytes);
  static const std::string kDelimiter(kPreludeDelimiterBytes, '\0');
  size_t at = buf_.find(kDelimiter, scanned_);
  if (at != std::string::npos) {
    end_ = at;
    return Step::kDone;
  }
  // A delimiter may begin in the last 7 bytes and end in the next piece.
  if (buf_.size() >= kPreludeDelimiterBytes) scanned_ = buf_.size() - (kPreludeDelimiterBytes - 1);
  return buf_.size() > kMaxPreludeBytes ? Step::kTooLarge : Step::kMore;
}

std::string PreludeReader::take_body() {
  if (end_ == std::string::npos) return {};
  return buf_.substr(end_ + kPreludeDelimiterBytes);
}

}  // namespace nimbus::function_urls
