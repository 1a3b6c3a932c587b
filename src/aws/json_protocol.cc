#include "aws/json_protocol.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace nimbus::aws {

base::Result<boost::json::object> parse_json_object(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return boost::json::object{};
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec) return base::make_error(base::ErrorCode::kMalformed, "Request body is not valid JSON: " + ec.message());
  if (!v.is_object()) return base::make_error(base::ErrorCode::kMalformed, "Request body must be a JSON object");
  return std::move(v.as_object());
}

std::string target_operation(const http::Request& req, std::string_view prefix) {
  const std::string* t = base::find_header(req.headers, "x-amz-target");
  if (!t || t->size() <= prefix.size() || t->compare(0, prefix.size(), prefix) != 0) return {};
  return t->substr(prefix.size());
}

std::string_view json_content_type(Protocol p) {
  switch (p) {
    case Protocol::kJson10: return "application/x-amz-json-1.0";
    case Protocol::kJson11: return "application/x-amz-json-1.1";
    default: return "application/json";
  }
}

http::Response json_response(Protocol p, const boost::json::value& body, std::string_view request_id, int status) {
  http::Response r;
  r.status = status;
  r.set("Content-Type", std::string(json_content_type(p)));
  r.set("x-amzn-RequestId", std::string(request_id));
  r.body = boost::json::serialize(body);
  return r;
}

}  // namespace nimbus::aws
