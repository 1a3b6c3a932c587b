// Function URLs' management: Create/Get/Update/Delete FunctionUrlConfig and
// ListFunctionUrlConfigs (the 2021-10-31 paths), one URL per function and per
// alias, stored by the registry; serving them (BUFFERED and
// RESPONSE_STREAM) is function_urls/'s.
#include <boost/json.hpp>

#include "base/time.h"
#include "lambda_api/call.h"
#include "lambda_api/url_config.h"

namespace nimbus::lambda_api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// CreationTime / LastModifiedTime: ISO-8601 with microseconds, as Lambda writes them.
std::string url_time(int64_t ms) {
  std::string t = base::iso8601(ms);  // "...:00.000Z"
  if (!t.empty() && t.back() == 'Z') t.insert(t.size() - 1, "000");
  return t;
}

json::object url_json(const Deps& d, const functions::Registry::FunctionUrl& u, bool with_modified) {
  json::object o = url_config_json(decode_url_config(u.config));
  o["FunctionUrl"] = "http://" + url_host(u.url_id, d.options.region, d.options.edge) + "/";
  o["FunctionArn"] = functions::function_arn(d.options.region, u.function, u.qualifier);
  o["CreationTime"] = url_time(u.created_ms);
  if (with_modified) o["LastModifiedTime"] = url_time(u.modified_ms);
  return o;
}

// The function and qualifier of a request; the qualifier, when given, must be an alias's name.
base::Result<FunctionRef> url_ref(const Call& call) {
  auto ref = call.qualified_function();
  if (!ref) return ref.error();
  if (!ref->qualifier.empty())
    if (auto s = check_url_qualifier(ref->qualifier); !s) return s.error();
  return ref;
}

}  // namespace

awaitable<http::Response> create_function_url_config(Deps& d, Call& call) {
  auto ref = url_ref(call);
  if (!ref) co_return call.fail(ref.error());
  auto in = call.json();
  if (!in) co_return call.fail(in.error());
  UrlConfig c;
  if (auto s = apply_url_config(*in, c, true); !s) co_return call.fail(s.error());
  auto u = co_await d.on_pool([&] { return d.registry.create_url(ref->name, ref->qualifier, encode_url_config(c)); });
  if (!u) {
    if (u.error().code == base::ErrorCode::kAlreadyExists)
      co_return call.fail(ErrorType::kResourceConflict,
                          "Failed to create function url config for [functionArn = " +
                              functions::function_arn(d.options.region, ref->name, ref->qualifier) +
                              "]. Error message:  FunctionUrlConfig exists for this Lambda function");
    co_return call.fail(u.error());
  }
  co_return call.reply(201, url_json(d, *u, false));
}

awaitable<http::Response> get_function_url_config(Deps& d, Call& call) {
  auto ref = url_ref(call);
  if (!ref) co_return call.fail(ref.error());
  auto u = d.registry.get_url(ref->name, ref->qualifier);
  if (!u) co_return call.fail(u.error());
  co_return call.reply(200, url_json(d, *u, true));
}

awaitable<http::Response> update_function_url_config(Deps& d, Call& call) {
  auto ref = url_ref(call);
  if (!ref) co_return call.fail(ref.error());
  auto in = call.json();
  if (!in) co_return call.fail(in.error());
  auto u = co_await d.on_pool([&]() -> base::Result<functions::Registry::FunctionUrl> {
    auto old = d.registry.get_url(ref->name, ref->qualifier);
    if (!old) return old.error();
    UrlConfig c = decode_url_config(old->config);
    if (auto s = apply_url_config(*in, c, false); !s) return s.error();
    return d.registry.update_url(ref->name, ref->qualifier, encode_url_config(c));
  });
  if (!u) co_return call.fail(u.error());
  co_return call.reply(200, url_json(d, *u, true));
}

awaitable<http::Response> delete_function_url_config(Deps& d, Call& call) {
  auto ref = url_ref(call);
  if (!ref) co_return call.fail(ref.error());
  auto s = co_await d.on_pool([&] { return d.registry.delete_url(ref->name, ref->qualifier); });
  if (!s) co_return call.fail(s.error());
  co_return call.reply(204, json::object{});
}

awaitable<http::Response> list_function_url_configs(Deps& d, Call& call) {
  auto ref = call.function();
  if (!ref) co_return call.fail(ref.error());
  size_t max_items = 50, start = 0;
  if (std::string m = call.query_param("MaxItems"); !m.empty()) {
    char* end = nullptr;
    long n = std::strtol(m.c_str(), &end, 10);
    if (*end != '\0' || n < 1 || n > 50)
      co_return call.fail(base::make_error(
          base::ErrorCode::kInvalidArgument,
          "1 validation error detected: Value '" + m +
              "' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 50",
          kValidationReason));
    max_items = static_cast<size_t>(n);
  }
  // The marker is the position of the next config (the list is in qualifier order).
  if (std::string m = call.query_param("Marker"); !m.empty()) {
    char* end = nullptr;
    start = std::strtoul(m.c_str(), &end, 10);
    if (*end != '\0') co_return call.fail(ErrorType::kInvalidParameterValue, "Invalid Marker: " + m);
  }
  auto all = d.registry.list_urls(ref->name);
  if (!all) co_return call.fail(all.error());
  json::array configs;
  for (size_t i = start; i < all->size() && i < start + max_items; ++i) configs.push_back(url_json(d, (*all)[i], true));
  json::object out{{"FunctionUrlConfigs", configs}};
  if (start + max_items < all->size()) out["NextMarker"] = std::to_string(start + max_items);
  co_return call.reply(200, out);
}

}  // namespace nimbus::lambda_api
