// Versions: PublishVersion, ListVersionsByFunction.
#include <boost/json.hpp>

#include "lambda_api/call.h"

namespace nimbus::lambda_api {

namespace json = boost::json;
using boost::asio::awaitable;

awaitable<http::Response> publish_version(Deps& d, Call& call) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  auto in = call.json();
  if (!in) co_return call.fail(in.error());
  auto text = [&](const char* key) {
    auto* v = in->if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  auto published = co_await d.on_pool([&] {
    return d.registry.publish_version(ref->name, text("Description"), text("RevisionId"), text("CodeSha256"));
  });
  if (!published) co_return call.fail(published.error());
  co_return call.reply(201, configuration_json(*published, d.options.region));
}

awaitable<http::Response> list_versions(Deps& d, Call& call) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  auto versions = co_await d.on_pool([&] { return d.registry.list_versions(ref->name); });
  if (!versions) co_return call.fail(versions.error());
  json::array arr;
  for (const auto& v : *versions) arr.push_back(configuration_json(v, d.options.region));
  co_return call.reply(200, json::object{{"Versions", arr}});
}

}  // namespace nimbus::lambda_api
