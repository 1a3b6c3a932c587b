// REST APIs (apigateway v1): CreateRestApi (with its root resource),
// GetRestApis, GetRestApi, UpdateRestApi (patchOperations), DeleteRestApi,
// and the tags of REST APIs and their stages (/tags/{arn}).
#include <boost/json/array.hpp>

#include "apigateway_api/tag_ops.h"
#include "apigateway_api/v1.h"
#include "base/time.h"

namespace nimbus::apigateway_api::v1 {

using boost::asio::awaitable;

namespace {

base::Status check_rest_api(const json::object& doc) {
  if (auto s = require(doc, "name"); !s) return s;
  if (const auto* k = doc.if_contains("apiKeySource"); k && *k != "HEADER" && *k != "AUTHORIZER")
    return bad_request("Invalid apiKeySource " + std::string(k->as_string()) + " (HEADER or AUTHORIZER)");
  if (const auto* types = doc.if_contains("binaryMediaTypes"))
    for (const auto& t : types->as_array())
      if (!t.is_string() || t.as_string().find('/') == json::string::npos)
        return bad_request("Invalid binary media type: each is type/subtype, '*' allowed");
  if (const auto* e = doc.if_contains("endpointConfiguration")) {
    json::object checked;
    if (auto s = take_members(e->as_object(),
                              {{"types", JsonType::kArray}, {"ipAddressType", JsonType::kString},
                               {"vpcEndpointIds", JsonType::kArray}},
                              checked, "an endpoint configuration");
        !s)
      return s;
    if (const auto* types = checked.if_contains("types"))
      for (const auto& t : types->as_array())
        if (t != "EDGE" && t != "REGIONAL" && t != "PRIVATE")
          return bad_request("Invalid endpoint type: EDGE, REGIONAL or PRIVATE");
  }
  return {};
}

}  // namespace

awaitable<http::Response> create_rest_api(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  json::object doc;
  if (auto s = take_members(*in,
                            {{"name", JsonType::kString},
                             {"description", JsonType::kString},
                             {"version", JsonType::kString},
                             {"binaryMediaTypes", JsonType::kArray},
                             {"apiKeySource", JsonType::kString},
                             {"endpointConfiguration", JsonType::kObject},
                             {"disableExecuteApiEndpoint", JsonType::kBool},
                             {"tags", JsonType::kStringMap}},
                            doc, "a REST API");
      !s)
    co_return call.fail(s.error());
  if (auto s = check_rest_api(doc); !s) co_return call.fail(s.error());
  std::string id = gateway::new_id(10), root = gateway::new_id(10);
  doc["id"] = id;
  doc["createdDate"] = base::now_ms() / 1000;
  doc["rootResourceId"] = root;
  if (!doc.contains("apiKeySource")) doc["apiKeySource"] = "HEADER";
  if (!doc.contains("endpointConfiguration")) doc["endpointConfiguration"] = json::object{{"types", json::array{"EDGE"}}};
  if (!doc.contains("disableExecuteApiEndpoint")) doc["disableExecuteApiEndpoint"] = false;
  if (!doc.contains("tags")) doc["tags"] = json::object{};
  auto saved = co_await d.update([&](const Snapshot&, std::vector<Change>& changes) {
    changes.push_back(Change::put(id, kRestApi, id, doc));
    changes.push_back(Change::put(id, kResource, root, {{"id", root}, {"path", "/"}}));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(201, doc);
}

awaitable<http::Response> get_rest_apis(Deps& d, Call& call) {
  auto snap = d.docs.snapshot();
  json::array items;
  for (const auto& scope : snap->scopes())
    if (const Doc* api = snap->find(scope, kRestApi, scope)) items.push_back(*api);
  auto page = page_of(call, std::move(items), Paging::kV1);
  if (!page) co_return call.fail(page.error());
  co_return call.reply(200, *page);
}

awaitable<http::Response> get_rest_api(Deps& d, Call& call) {
  auto api = find_rest_api(*d.docs.snapshot(), call.path_param("restapi_id"));
  if (!api) co_return call.fail(api.error());
  co_return call.reply(200, **api);
}

namespace {

// The patch paths boto3, the CLI and Terraform send for the members nimbus keeps.
base::Status apply_rest_api_patch(json::object& doc, const PatchOp& op) {
  auto seg = patch_segments(op.path);
  if (seg.size() == 1 && (seg[0] == "name" || seg[0] == "description" || seg[0] == "version" ||
                          seg[0] == "apiKeySource" || seg[0] == "disableExecuteApiEndpoint")) {
    if (op.op == "remove") {
      if (seg[0] == "name") return bad_request("A REST API's name cannot be removed");
      doc.erase(seg[0]);
      return {};
    }
    if (seg[0] == "disableExecuteApiEndpoint") {
      auto b = patch_bool(op);
      if (!b) return b.error();
      doc[seg[0]] = *b;
    } else {
      doc[seg[0]] = op.value;
    }
    return {};
  }
  if (seg.size() == 2 && seg[0] == "binaryMediaTypes") {
    json::array types = doc.contains("binaryMediaTypes") ? doc["binaryMediaTypes"].as_array() : json::array{};
    json::array kept;
    for (const auto& t : types)
      if (t.as_string() != seg[1]) kept.push_back(t);
    if (op.op == "add") kept.emplace_back(seg[1]);
    if (op.op == "replace") {
      if (!op.has_value) return bad_request("Invalid patch: replace needs a value");
      kept.emplace_back(op.value);
    }
    doc["binaryMediaTypes"] = std::move(kept);
    return {};
  }
  return unsupported_patch(op, "a REST API");
}

}  // namespace

awaitable<http::Response> update_rest_api(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  auto ops = patch_ops(*in);
  if (!ops) co_return call.fail(ops.error());
  std::string id = call.path_param("restapi_id");
  json::object updated;
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    auto api = find_rest_api(current, id);
    if (!api) return base::Status(api.error());
    updated = **api;
    for (const auto& op : *ops)
      if (auto s = apply_rest_api_patch(updated, op); !s) return s;
    if (auto s = check_rest_api(updated); !s) return s;
    changes.push_back(Change::put(id, kRestApi, id, updated));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(200, updated);
}

awaitable<http::Response> delete_rest_api(Deps& d, Call& call) {
  std::string id = call.path_param("restapi_id");
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto api = find_rest_api(current, id); !api) return base::Status(api.error());
    changes.push_back(Change::erase_scope(id));
    // Usage plans lose their stages of this API.
    for (const auto& [plan_id, plan] : current.list("", kUsagePlan)) {
      Doc p = *plan;
      json::array kept;
      bool changed = false;
      if (auto* stages = p.if_contains("apiStages")) {
        for (const auto& s : stages->as_array()) {
          if (s.as_object().at("apiId") == id.c_str())
            changed = true;
          else
            kept.push_back(s);
        }
      }
      if (changed) {
        p["apiStages"] = std::move(kept);
        changes.push_back(Change::put("", kUsagePlan, plan_id, std::move(p)));
      }
    }
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(202, json::object{});
}

// --- tags -------------------------------------------------------------------

namespace {
constexpr TagScheme kRestApiTags{"restapis", kRestApi, kStage, "REST APIs", "resource_arn", 204};
}  // namespace

awaitable<http::Response> get_tags(Deps& d, Call& call) { return apigateway_api::get_tags(d, call, kRestApiTags); }
awaitable<http::Response> tag_resource(Deps& d, Call& call) { return apigateway_api::tag_resource(d, call, kRestApiTags); }
awaitable<http::Response> untag_resource(Deps& d, Call& call) {
  return apigateway_api::untag_resource(d, call, kRestApiTags);
}

}  // namespace nimbus::apigateway_api::v1
