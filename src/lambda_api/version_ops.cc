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
  // At most 50 a page, as Lambda; the marker is the last version sent.
  auto max = max_items(call.query_param("MaxItems"), 50);
  if (!max) co_return call.fail(max.error());
  std::string marker = call.query_param("Marker");
  auto after = marker.empty() ? std::optional<int64_t>(-1) : version_rank(marker);
  if (!after) co_return call.fail(ErrorType::kInvalidParameterValue, "Invalid Marker: " + marker);
  auto versions = co_await d.on_pool([&] { return d.registry.list_versions(ref->name); });
  if (!versions) co_return call.fail(versions.error());
  json::array arr;
  std::string next;
  for (const auto& v : *versions) {
    if (version_rank(v.version).value_or(-1) <= *after) continue;
    if (arr.size() == *max) {
      next = std::string(arr.back().as_object().at("Version").as_string());
      break;
    }
    arr.push_back(configuration_json(v, d.options.region));
  }
  json::object out{{"Versions", arr}};
  if (!next.empty()) out["NextMarker"] = next;
  co_return call.reply(200, out);
}

}  // namespace nimbus::lambda_api
