// Tags: ListTags, TagResource, UntagResource (by function ARN), the Tags of
// CreateFunction and GetFunction's Tags. Tags belong to the function; a
// version's or alias's ARN is refused, as Lambda does.
#include <boost/json.hpp>

#include "base/arn.h"
#include "lambda_api/call.h"

namespace nimbus::lambda_api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

base::Error invalid(std::string message) { return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message)); }

constexpr size_t kMaxTags = 50;

// {ARN} as a function name: an unqualified function ARN.
base::Result<std::string> tagged_function(const Call& call) {
  std::string arn = call.path_param("ARN");
  auto parsed = base::parse_lambda_arn(arn);
  if (!parsed) return invalid("Invalid resource ARN: " + arn + " is not a Lambda function ARN");
  if (!parsed->qualifier.empty())
    return invalid("Tags are not supported for resource arn with qualifier: " + arn +
                   ". Tag the function (an ARN without a version or alias).");
  return parsed->function;
}

}  // namespace

base::Result<functions::Registry::Tags> parse_tags(const json::object& in) {
  functions::Registry::Tags tags;
  auto* t = in.if_contains("Tags");
  if (!t || t->is_null()) return tags;
  if (!t->is_object()) return invalid("Tags must be a map of strings");
  for (const auto& [k, v] : t->as_object()) {
    if (!v.is_string()) return invalid("Tag values must be strings");
    std::string key(k);
    if (key.empty() || key.size() > 128) return invalid("Tag keys must be 1 to 128 characters long");
    if (v.as_string().size() > 256) return invalid("Tag values must be at most 256 characters long");
    if (key.rfind("aws:", 0) == 0) return invalid("Tag keys must not begin with aws: (reserved for AWS use)");
    tags[key] = std::string(v.as_string());
  }
  if (tags.size() > kMaxTags) return invalid("A function may have at most 50 tags");
  return tags;
}

awaitable<http::Response> list_tags(Deps& d, Call& call) {
  if (is_mapping_arn(call.path_param("ARN"))) co_return co_await list_mapping_tags(d, call);
  auto fn = tagged_function(call);
  if (!fn) co_return call.fail(fn.error());
  auto tags = d.registry.tags(*fn);
  if (!tags) co_return call.fail(tags.error());
  json::object out;
  for (const auto& [k, v] : *tags) out[k] = v;
  co_return call.reply(200, json::object{{"Tags", out}});
}

awaitable<http::Response> tag_resource(Deps& d, Call& call) {
  if (is_mapping_arn(call.path_param("ARN"))) co_return co_await tag_mapping(d, call);
  auto fn = tagged_function(call);
  if (!fn) co_return call.fail(fn.error());
  auto in = call.json();
  if (!in) co_return call.fail(in.error());
  auto tags = parse_tags(*in);
  if (!tags) co_return call.fail(tags.error());
  auto s = co_await d.on_pool([&]() -> base::Status {
    auto current = d.registry.tags(*fn);
    if (!current) return current.error();
    auto merged = *current;
    for (const auto& [k, v] : *tags) merged[k] = v;
    if (merged.size() > kMaxTags) return invalid("A function may have at most 50 tags");
    return d.registry.tag(*fn, *tags);
  });
  if (!s) co_return call.fail(s.error());
  co_return call.reply(204, json::object{});
}

awaitable<http::Response> untag_resource(Deps& d, Call& call) {
  if (is_mapping_arn(call.path_param("ARN"))) co_return co_await untag_mapping(d, call);
  auto fn = tagged_function(call);
  if (!fn) co_return call.fail(fn.error());
  std::vector<std::string> keys;
  for (const auto& p : call.query)
    if (p.key == "tagKeys") keys.push_back(p.value);
  auto s = co_await d.on_pool([&] { return d.registry.untag(*fn, keys); });
  if (!s) co_return call.fail(s.error());
  co_return call.reply(204, json::object{});
}

}  // namespace nimbus::lambda_api
