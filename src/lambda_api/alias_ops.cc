// Aliases: CreateAlias, ListAliases, GetAlias, UpdateAlias, DeleteAlias.
#include <boost/json.hpp>
#include <map>
#include <optional>

#include "lambda_api/call.h"

namespace nimbus::lambda_api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

std::optional<std::string> text(const json::object& o, const char* key) {
  if (auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->as_string());
  return std::nullopt;
}

// RoutingConfig.AdditionalVersionWeights; nullopt when the body has no RoutingConfig.
base::Result<std::optional<std::map<std::string, double>>> routing_of(const json::object& in) {
  auto* r = in.if_contains("RoutingConfig");
  if (!r || r->is_null()) return std::optional<std::map<std::string, double>>();
  std::map<std::string, double> weights;
  if (!r->is_object()) return base::make_error(base::ErrorCode::kInvalidArgument, "RoutingConfig must be an object");
  if (auto* w = r->as_object().if_contains("AdditionalVersionWeights"); w && !w->is_null()) {
    if (!w->is_object())
      return base::make_error(base::ErrorCode::kInvalidArgument, "AdditionalVersionWeights must be a map");
    for (const auto& [version, weight] : w->as_object()) {
      if (!weight.is_number())
        return base::make_error(base::ErrorCode::kInvalidArgument, "AdditionalVersionWeights values must be numbers");
      weights[std::string(version)] = weight.to_number<double>();
    }
  }
  return std::optional<std::map<std::string, double>>(std::move(weights));
}

}  // namespace

awaitable<http::Response> create_alias(Deps& d, Call& call) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  auto in = call.json();
  if (!in) co_return call.fail(in.error());
  auto routing = routing_of(*in);
  if (!routing) co_return call.fail(routing.error());
  auto a = co_await d.on_pool([&] {
    return d.registry.create_alias(ref->name, text(*in, "Name").value_or(""),
                                   text(*in, "FunctionVersion").value_or(""), text(*in, "Description").value_or(""),
                                   routing->value_or(std::map<std::string, double>{}));
  });
  if (!a) co_return call.fail(a.error());
  co_return call.reply(201, alias_json(*a, d.options.region));
}

awaitable<http::Response> list_aliases(Deps& d, Call& call) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  // FunctionVersion: only the aliases whose FunctionVersion is that version
  // (not those that merely route a weighted share to it).
  std::string version = call.query_param("FunctionVersion");
  if (!version.empty() && !version_rank(version))
    co_return call.fail(base::make_error(base::ErrorCode::kInvalidArgument,
                                         "1 validation error detected: Value '" + version +
                                             "' at 'functionVersion' failed to satisfy constraint: Member must "
                                             "satisfy regular expression pattern: (\\$LATEST|[0-9]+)",
                                         "ValidationException"));
  auto max = max_items(call.query_param("MaxItems"), 10000);
  if (!max) co_return call.fail(max.error());
  // The marker is the last alias name sent (aliases list in name order).
  std::string marker = call.query_param("Marker");
  auto aliases = co_await d.on_pool([&] { return d.registry.list_aliases(ref->name); });
  if (!aliases) co_return call.fail(aliases.error());
  json::array arr;
  std::string next;
  for (const auto& a : *aliases) {
    if (!version.empty() && a.version != version) continue;
    if (!marker.empty() && a.name <= marker) continue;
    if (arr.size() == *max) {
      next = std::string(arr.back().as_object().at("Name").as_string());
      break;
    }
    arr.push_back(alias_json(a, d.options.region));
  }
  json::object out{{"Aliases", arr}};
  if (!next.empty()) out["NextMarker"] = next;
  co_return call.reply(200, out);
}

awaitable<http::Response> get_alias(Deps& d, Call& call) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  auto a = d.registry.get_alias(ref->name, call.path_param("Name"));
  if (!a) co_return call.fail(a.error());
  co_return call.reply(200, alias_json(*a, d.options.region));
}

awaitable<http::Response> update_alias(Deps& d, Call& call) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  auto in = call.json();
  if (!in) co_return call.fail(in.error());
  auto routing = routing_of(*in);
  if (!routing) co_return call.fail(routing.error());
  auto a = co_await d.on_pool([&] {
    return d.registry.update_alias(ref->name, call.path_param("Name"), text(*in, "FunctionVersion"),
                                   text(*in, "Description"), text(*in, "RevisionId").value_or(""), *routing);
  });
  if (!a) co_return call.fail(a.error());
  co_return call.reply(200, alias_json(*a, d.options.region));
}

awaitable<http::Response> delete_alias(Deps& d, Call& call) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  auto s = co_await d.on_pool([&] { return d.registry.delete_alias(ref->name, call.path_param("Name")); });
  if (!s) co_return call.fail(s.error());
  co_return call.reply(204, json::object{});
}

}  // namespace nimbus::lambda_api
