#include "lambda_api/url_config.h"

#include <boost/json.hpp>

namespace nimbus::lambda_api {

namespace json = boost::json;
using base::ErrorCode;
using base::make_error;

namespace {

base::Error validation(const std::string& message) {
  return make_error(ErrorCode::kInvalidArgument, "1 validation error detected: " + message, kValidationReason);
}

base::Error enum_error(const json::value& v, const char* field, const char* set) {
  std::string shown = v.is_string() ? "'" + std::string(v.as_string()) + "'" : json::serialize(v);
  return validation("Value " + shown + " at '" + field + "' failed to satisfy constraint: Member must satisfy enum value set: " + set);
}

// A list of strings: at most max_items, each of at most max_len characters (min_len at least).
base::Result<std::vector<std::string>> string_list(const json::value& v, const char* field, size_t max_items,
                                                   size_t min_len, size_t max_len) {
  if (!v.is_array()) return make_error(ErrorCode::kMalformed, std::string("Cors.") + field + " must be a list of strings");
  const auto& a = v.as_array();
  std::string where = std::string("cors.") + field;
  if (a.size() > max_items)
    return validation("Value '" + json::serialize(v) + "' at '" + where +
                      "' failed to satisfy constraint: Member must have length less than or equal to " +
                      std::to_string(max_items));
  std::vector<std::string> out;
  for (const auto& item : a) {
    if (!item.is_string()) return make_error(ErrorCode::kMalformed, std::string("Cors.") + field + " must be a list of strings");
    std::string s(item.as_string());
    if (s.size() > max_len || s.size() < min_len)
      return validation("Value '" + json::serialize(v) + "' at '" + where +
                        "' failed to satisfy constraint: Member must satisfy constraint: [Member must have length " +
                        (s.size() > max_len ? "less than or equal to " + std::to_string(max_len)
                                            : "greater than or equal to " + std::to_string(min_len)) +
                        "]");
    out.push_back(std::move(s));
  }
  return out;
}

base::Result<UrlCors> parse_cors(const json::value& v) {
  if (!v.is_object()) return make_error(ErrorCode::kMalformed, "Cors must be an object");
  UrlCors c;
  for (const auto& [key, val] : v.as_object()) {
    if (key == "AllowCredentials") {
      if (!val.is_bool()) return make_error(ErrorCode::kMalformed, "Cors.AllowCredentials must be a boolean");
      c.allow_credentials = val.as_bool();
    } else if (key == "MaxAge") {
      if (!val.is_int64()) return make_error(ErrorCode::kMalformed, "Cors.MaxAge must be an integer");
      int64_t n = val.as_int64();
      if (n < 0)
        return validation("Value '" + std::to_string(n) +
                          "' at 'cors.maxAge' failed to satisfy constraint: Member must have value greater than or equal to 0");
      if (n > 86400)
        return validation("Value '" + std::to_string(n) +
                          "' at 'cors.maxAge' failed to satisfy constraint: Member must have value less than or equal to 86400");
      c.max_age = static_cast<int>(n);
    } else {
      std::vector<std::string>* list = nullptr;
      const char* field = nullptr;
      size_t max_items = 100, min_len = 0, max_len = 1024;
      if (key == "AllowHeaders") list = &c.allow_headers, field = "allowHeaders";
      else if (key == "ExposeHeaders") list = &c.expose_headers, field = "exposeHeaders";
      else if (key == "AllowMethods") list = &c.allow_methods, field = "allowMethods", max_items = 6, max_len = 6;
      else if (key == "AllowOrigins") list = &c.allow_origins, field = "allowOrigins", min_len = 1, max_len = 253;
      else return make_error(ErrorCode::kMalformed, "Cors has no member " + std::string(key));
      auto items = string_list(val, field, max_items, min_len, max_len);
      if (!items) return items.error();
      *list = std::move(*items);
    }
  }
  return c;
}

json::array to_array(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

std::vector<std::string> from_array(const json::value* v) {
  std::vector<std::string> out;
  if (v && v->is_array())
    for (const auto& s : v->as_array())
      if (s.is_string()) out.emplace_back(s.as_string());
  return out;
}

}  // namespace

base::Status apply_url_config(const json::object& in, UrlConfig& c, bool create) {
  for (const auto& [key, v] : in) {
    if (key == "AuthType") {
      if (!v.is_string() || (v.as_string() != "NONE" && v.as_string() != "AWS_IAM"))
        return enum_error(v, "authType", "[AWS_IAM, NONE]");
      c.auth_type = v.as_string();
    } else if (key == "InvokeMode") {
      if (!v.is_string() || (v.as_string() != "BUFFERED" && v.as_string() != "RESPONSE_STREAM"))
        return enum_error(v, "invokeMode", "[RESPONSE_STREAM, BUFFERED]");
      c.invoke_mode = v.as_string();
    } else if (key == "Cors") {
      if (v.is_null()) continue;
      auto cors = parse_cors(v);
      if (!cors) return cors.error();
      c.cors = std::move(*cors);
    } else {
      return make_error(ErrorCode::kMalformed, "FunctionUrlConfig has no member " + std::string(key));
    }
  }
  if (create && c.auth_type.empty())
    return validation("Value null at 'authType' failed to satisfy constraint: Member must not be null");
  return {};
}

base::Status check_url_qualifier(const std::string& q) {
  bool digits = !q.empty(), valid = !q.empty() && q.size() <= 128;
  for (char ch : q) {
    digits = digits && ch >= '0' && ch <= '9';
    valid = valid && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_');
  }
  if (!valid || digits)
    return validation("Value '" + q +
                      "' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                      "((?!^\\d+$)^[0-9a-zA-Z-_]+$)");
  return {};
}

json::object url_config_json(const UrlConfig& c) {
  json::object o{{"AuthType", c.auth_type}, {"InvokeMode", c.invoke_mode}};
  if (c.cors) {
    const UrlCors& k = *c.cors;
    o["Cors"] = json::object{{"AllowCredentials", k.allow_credentials}, {"AllowHeaders", to_array(k.allow_headers)},
                             {"AllowMethods", to_array(k.allow_methods)}, {"AllowOrigins", to_array(k.allow_origins)},
                             {"ExposeHeaders", to_array(k.expose_headers)}, {"MaxAge", k.max_age}};
  }
  return o;
}

std::string encode_url_config(const UrlConfig& c) { return json::serialize(url_config_json(c)); }

UrlConfig decode_url_config(std::string_view text) {
  UrlConfig c;
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return c;
  const auto& o = v.as_object();
  if (auto* a = o.if_contains("AuthType"); a && a->is_string()) c.auth_type = a->as_string();
  if (auto* m = o.if_contains("InvokeMode"); m && m->is_string()) c.invoke_mode = m->as_string();
  if (auto* k = o.if_contains("Cors"); k && k->is_object()) {
    const auto& ko = k->as_object();
    UrlCors cors;
    if (auto* b = ko.if_contains("AllowCredentials"); b && b->is_bool()) cors.allow_credentials = b->as_bool();
    if (auto* n = ko.if_contains("MaxAge"); n && n->is_int64()) cors.max_age = static_cast<int>(n->as_int64());
    cors.allow_headers = from_array(ko.if_contains("AllowHeaders"));
    cors.allow_methods = from_array(ko.if_contains("AllowMethods"));
    cors.allow_origins = from_array(ko.if_contains("AllowOrigins"));
    cors.expose_headers = from_array(ko.if_contains("ExposeHeaders"));
    c.cors = std::move(cors);
  }
  return c;
}

std::string url_host(const std::string& url_id, const std::string& region, const std::string& edge) {
  return url_id + ".lambda-url." + region + "." + edge;
}

std::string url_id_of_host(std::string_view host) {
  constexpr std::string_view kMarker = ".lambda-url.";
  if (host.size() < 32 + kMarker.size() || host.substr(32, kMarker.size()) != kMarker) return {};
  for (char ch : host.substr(0, 32))
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z'))) return {};
  // A region label must follow.
  std::string_view rest = host.substr(32 + kMarker.size());
  size_t dot = rest.find('.');
  if (dot == 0 || dot == std::string_view::npos) return {};
  return std::string(host.substr(0, 32));
}

}  // namespace nimbus::lambda_api
