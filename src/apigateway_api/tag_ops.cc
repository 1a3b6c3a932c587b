#include "apigateway_api/tag_ops.h"

namespace nimbus::apigateway_api {

using boost::asio::awaitable;

namespace {

struct Tagged {
  std::string scope, kind, id;
};

base::Result<Tagged> tagged_resource(const Snapshot& s, const std::string& arn, const TagScheme& scheme) {
  std::string marker = "::/" + std::string(scheme.collection) + "/";
  size_t at = arn.find(marker);
  if (arn.rfind("arn:aws:apigateway:", 0) != 0 || at == std::string::npos)
    return bad_request("Invalid resource ARN " + arn + ": nimbus tags " + std::string(scheme.what) +
                       " and their stages");
  std::string rest = arn.substr(at + marker.size());
  size_t slash = rest.find('/');
  Tagged t{rest.substr(0, slash), std::string(scheme.api_kind), rest.substr(0, slash)};
  if (slash != std::string::npos) {
    std::string tail = rest.substr(slash + 1);
    if (tail.rfind("stages/", 0) != 0) return bad_request("Invalid resource ARN " + arn);
    t.kind = std::string(scheme.stage_kind);
    t.id = tail.substr(7);
  }
  if (!s.find(t.scope, t.kind, t.id)) return not_found("Invalid resource identifier specified " + arn);
  return t;
}

}  // namespace

awaitable<http::Response> get_tags(Deps& d, Call& call, const TagScheme& scheme) {
  auto snap = d.docs.snapshot();
  auto t = tagged_resource(*snap, call.path_param(std::string(scheme.arn_param)), scheme);
  if (!t) co_return call.fail(t.error());
  const Doc* doc = snap->find(t->scope, t->kind, t->id);
  const auto* tags = doc->if_contains("tags");
  co_return call.reply(200, json::object{{"tags", tags ? *tags : json::object{}}});
}

awaitable<http::Response> tag_resource(Deps& d, Call& call, const TagScheme& scheme) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  json::object body;
  if (auto s = take_members(*in, {{"tags", JsonType::kStringMap}}, body, "TagResource"); !s)
    co_return call.fail(s.error());
  std::string arn = call.path_param(std::string(scheme.arn_param));
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    auto t = tagged_resource(current, arn, scheme);
    if (!t) return base::Status(t.error());
    Doc doc = *current.find(t->scope, t->kind, t->id);
    json::object tags = doc.contains("tags") && doc["tags"].is_object() ? doc["tags"].as_object() : json::object{};
    if (body.contains("tags"))
      for (const auto& [k, v] : body["tags"].as_object()) tags[k] = v;
    if (tags.size() > 50) return base::Status(bad_request("A resource may have at most 50 tags"));
    doc["tags"] = std::move(tags);
    changes.push_back(Change::put(t->scope, t->kind, t->id, std::move(doc)));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  if (scheme.tagged_status == 204) co_return call.reply(204, nullptr);
  co_return call.reply(scheme.tagged_status, json::object{});
}

awaitable<http::Response> untag_resource(Deps& d, Call& call, const TagScheme& scheme) {
  std::vector<std::string> keys;
  for (const auto& p : call.query)
    if (p.key == "tagKeys") keys.push_back(p.value);
  std::string arn = call.path_param(std::string(scheme.arn_param));
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    auto t = tagged_resource(current, arn, scheme);
    if (!t) return base::Status(t.error());
    Doc doc = *current.find(t->scope, t->kind, t->id);
    if (doc.contains("tags") && doc["tags"].is_object())
      for (const auto& k : keys) doc["tags"].as_object().erase(k);
    changes.push_back(Change::put(t->scope, t->kind, t->id, std::move(doc)));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(204, nullptr);
}

}  // namespace nimbus::apigateway_api
