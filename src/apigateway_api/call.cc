#include "apigateway_api/call.h"

#include <boost/json/parse.hpp>

#include "base/time.h"

namespace nimbus::apigateway_api {

std::string Deps::api_endpoint(const std::string& api_id) const {
  return "http://" + api_id + ".execute-api." + options.edge;
}

base::Result<json::object> Call::json_body() const {
  if (aws.body.empty()) return json::object{};
  boost::system::error_code ec;
  auto v = json::parse(aws.body, ec);
  if (ec || !v.is_object()) return bad_request("Invalid request body: it is not a JSON object");
  return std::move(v.as_object());
}

http::Response Call::reply(int status, const json::value& v) const {
  if (status != 204) return aws.reply(v, status);
  http::Response r;
  r.status = 204;
  r.set("x-amzn-RequestId", aws.request_id);
  return r;
}

base::Error bad_request(std::string message) {
  return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message));
}

base::Error not_found(std::string message) { return base::make_error(base::ErrorCode::kNotFound, std::move(message)); }

namespace {

bool has_type(const json::value& v, JsonType t) {
  switch (t) {
    case JsonType::kString: return v.is_string();
    case JsonType::kBool: return v.is_bool();
    case JsonType::kInt: return v.is_int64() || v.is_uint64();
    case JsonType::kNumber: return v.is_number();
    case JsonType::kObject: return v.is_object();
    case JsonType::kArray: return v.is_array();
    case JsonType::kStringMap:
      if (!v.is_object()) return false;
      for (const auto& [k, x] : v.as_object())
        if (!x.is_string()) return false;
      return true;
  }
  return false;
}

const char* type_name(JsonType t) {
  switch (t) {
    case JsonType::kString: return "a string";
    case JsonType::kBool: return "a boolean";
    case JsonType::kInt: return "an integer";
    case JsonType::kNumber: return "a number";
    case JsonType::kObject: return "an object";
    case JsonType::kArray: return "a list";
    case JsonType::kStringMap: return "a map of strings";
  }
  return "a value";
}

}  // namespace

base::Status take_members(const json::object& in, std::initializer_list<Member> accepted, json::object& out,
                          std::string_view what) {
  for (const auto& [key, value] : in) {
    const Member* m = nullptr;
    for (const auto& a : accepted)
      if (a.name == key) m = &a;
    if (!m)
      return base::make_error(base::ErrorCode::kNotImplemented,
                              "nimbus does not support '" + std::string(key) + "' on " + std::string(what) + " yet");
    if (value.is_null()) {
      out.erase(key);
      continue;
    }
    if (!has_type(value, m->type))
      return bad_request("Invalid input: '" + std::string(key) + "' must be " + type_name(m->type));
    out[key] = value;
  }
  return {};
}

base::Status require(const json::object& in, std::string_view name) {
  auto it = in.find(name);
  if (it == in.end() || it->value().is_null() || (it->value().is_string() && it->value().as_string().empty()))
    return bad_request("Invalid input: '" + std::string(name) + "' is required");
  return {};
}

std::string now_iso8601() {
  // Whole seconds, as API Gateway writes its dates.
  int64_t ms = base::now_ms();
  return base::iso8601(ms - ms % 1000);
}

}  // namespace nimbus::apigateway_api

namespace nimbus::apigateway_api {

base::Result<json::object> page_of(const Call& call, json::array items, Paging paging) {
  const bool v2 = paging == Paging::kV2;
  std::string max_text = call.query_param(v2 ? "maxResults" : "limit");
  std::string token = call.query_param(v2 ? "nextToken" : "position");
  size_t max = 500;
  if (!max_text.empty()) {
    try {
      max = std::stoul(max_text);
    } catch (const std::exception&) {
      return bad_request("Invalid " + std::string(v2 ? "maxResults" : "limit") + ": " + max_text);
    }
    if (max == 0) max = 500;
  }
  size_t start = 0;
  if (!token.empty()) {
    try {
      start = std::stoul(token);
    } catch (const std::exception&) {
      return bad_request("Invalid pagination token " + token);
    }
  }
  json::array page;
  for (size_t i = start; i < items.size() && page.size() < max; ++i) page.push_back(std::move(items[i]));
  json::object out;
  size_t next = start + page.size();
  out[v2 ? "items" : "item"] = std::move(page);
  if (next < items.size()) out[v2 ? "nextToken" : "position"] = std::to_string(next);
  return out;
}

json::object with(const Doc& doc, std::initializer_list<std::pair<std::string_view, json::value>> extra) {
  json::object out = doc;
  for (const auto& [k, v] : extra)
    if (!out.contains(k)) out[k] = v;
  return out;
}

}  // namespace nimbus::apigateway_api
