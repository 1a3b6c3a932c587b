// REST APIs' Lambda authorizers (TOKEN and REQUEST), request validators and
// models (JSON schema draft 4, what request validation checks bodies with).
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include "apigateway_api/v1.h"

namespace nimbus::apigateway_api::v1 {

using boost::asio::awaitable;

namespace {

std::string text_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

base::Status check_authorizer(const json::object& a) {
  if (auto s = require(a, "name"); !s) return s;
  std::string type = text_of(a, "type");
  if (type == "COGNITO_USER_POOLS")
    return base::make_error(base::ErrorCode::kNotImplemented, "nimbus does not support COGNITO_USER_POOLS authorizers yet");
  if (type != "TOKEN" && type != "REQUEST") return bad_request("Invalid authorizer type " + type + " (TOKEN or REQUEST)");
  std::string uri = text_of(a, "authorizerUri");
  if (uri.rfind("arn:aws:apigateway:", 0) != 0 || uri.find(":lambda:path/2015-03-31/functions/") == std::string::npos ||
      !uri.ends_with("/invocations"))
    return bad_request("Invalid authorizer URI: a Lambda function's "
                       "arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations");
  std::string source = text_of(a, "identitySource");
  int64_t ttl = a.contains("authorizerResultTtlInSeconds") ? a.at("authorizerResultTtlInSeconds").to_number<int64_t>() : 300;
  if (ttl < 0 || ttl > 3600) return bad_request("authorizerResultTtlInSeconds must be between 0 and 3600");
  if (type == "TOKEN") {
    if (source.rfind("method.request.header.", 0) != 0 || source.find(',') != std::string::npos)
      return bad_request("Invalid identity source for a TOKEN authorizer: one method.request.header.NAME");
  } else {
    if (source.empty() && ttl > 0)
      return bad_request("A REQUEST authorizer that caches its results needs an identitySource");
    std::string_view rest = source;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      auto one = base::trim(rest.substr(0, comma));
      if (!one.starts_with("method.request.header.") && !one.starts_with("method.request.querystring.") &&
          !one.starts_with("stageVariables.") && !one.starts_with("context."))
        return bad_request("Invalid identity source " + std::string(one) +
                           ": nimbus reads method.request.header.X, method.request.querystring.X, "
                           "stageVariables.X and context.X");
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (const auto* e = a.if_contains("identityValidationExpression"); e && type != "TOKEN")
    return bad_request("identityValidationExpression is only for TOKEN authorizers");
  return {};
}

const Member kAuthorizerMembers[] = {
    {"name", JsonType::kString},
    {"type", JsonType::kString},
    {"authorizerUri", JsonType::kString},
    {"identitySource", JsonType::kString},
    {"identityValidationExpression", JsonType::kString},
    {"authorizerResultTtlInSeconds", JsonType::kInt}};

}  // namespace

awaitable<http::Response> create_authorizer(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  json::object doc;
  if (auto s = take_members(*in,
                            {{"name", JsonType::kString},
                             {"type", JsonType::kString},
                             {"authorizerUri", JsonType::kString},
                             {"identitySource", JsonType::kString},
                             {"identityValidationExpression", JsonType::kString},
                             {"authorizerResultTtlInSeconds", JsonType::kInt}},
                            doc, "a Lambda authorizer");
      !s)
    co_return call.fail(s.error());
  if (auto s = check_authorizer(doc); !s) co_return call.fail(s.error());
  std::string api = call.path_param("restapi_id"), id = gateway::new_id(6);
  doc["id"] = id;
  if (!doc.contains("authorizerResultTtlInSeconds")) doc["authorizerResultTtlInSeconds"] = 300;
  doc["authType"] = "custom";
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto a = find_rest_api(current, api); !a) return base::Status(a.error());
    changes.push_back(Change::put(api, kAuthorizer, id, doc));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(201, doc);
}

awaitable<http::Response> get_authorizers(Deps& d, Call& call) {
  auto snap = d.docs.snapshot();
  std::string api = call.path_param("restapi_id");
  if (auto a = find_rest_api(*snap, api); !a) co_return call.fail(a.error());
  json::array items;
  for (const auto& [id, a] : snap->list(api, kAuthorizer)) items.push_back(*a);
  auto page = page_of(call, std::move(items), Paging::kV1);
  if (!page) co_return call.fail(page.error());
  co_return call.reply(200, *page);
}

awaitable<http::Response> get_authorizer(Deps& d, Call& call) {
  auto a = find_in(*d.docs.snapshot(), call.path_param("restapi_id"), kAuthorizer, call.path_param("authorizer_id"),
                   "Authorizer");
  if (!a) co_return call.fail(a.error());
  co_return call.reply(200, **a);
}

awaitable<http::Response> update_authorizer(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  auto ops = patch_ops(*in);
  if (!ops) co_return call.fail(ops.error());
  std::string api = call.path_param("restapi_id"), id = call.path_param("authorizer_id");
  Doc updated;
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    auto a = find_in(current, api, kAuthorizer, id, "Authorizer");
    if (!a) return base::Status(a.error());
    updated = **a;
    for (const auto& op : *ops) {
      auto seg = patch_segments(op.path);
      bool known = false;
      for (const auto& m : kAuthorizerMembers)
        if (seg.size() == 1 && seg[0] == m.name && m.name != "type") known = true;
      if (!known || op.op == "add") return base::Status(unsupported_patch(op, "an authorizer"));
      if (op.op == "remove") {
        updated.erase(seg[0]);
      } else if (seg[0] == "authorizerResultTtlInSeconds") {
        auto n = patch_number(op);
        if (!n) return base::Status(n.error());
        updated[seg[0]] = static_cast<int64_t>(*n);
      } else {
        updated[seg[0]] = op.value;
      }
    }
    if (auto s = check_authorizer(updated); !s) return s;
    changes.push_back(Change::put(api, kAuthorizer, id, updated));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(200, updated);
}

awaitable<http::Response> delete_authorizer(Deps& d, Call& call) {
  std::string api = call.path_param("restapi_id"), id = call.path_param("authorizer_id");
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto a = find_in(current, api, kAuthorizer, id, "Authorizer"); !a) return base::Status(a.error());
    for (const auto& [rid, res] : current.list(api, kResource))
      if (const auto* ms = res->if_contains("resourceMethods"))
        for (const auto& [verb, m] : ms->as_object())
          if (const auto* aid = m.as_object().if_contains("authorizerId"); aid && *aid == id.c_str())
            return base::Status(base::make_error(base::ErrorCode::kConflict,
                                                 "Cannot delete authorizer, is referenced in method: " +
                                                     std::string(verb) + " " + std::string(res->at("path").as_string())));
    changes.push_back(Change::erase(api, kAuthorizer, id));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(202, json::object{});
}

// --- request validators -------------------------------------------------------

awaitable<http::Response> create_request_validator(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  json::object doc;
  if (auto s = take_members(*in,
                            {{"name", JsonType::kString},
                             {"validateRequestBody", JsonType::kBool},
                             {"validateRequestParameters", JsonType::kBool}},
                            doc, "a request validator");
      !s)
    co_return call.fail(s.error());
  std::string api = call.path_param("restapi_id"), id = gateway::new_id(6);
  doc["id"] = id;
  if (!doc.contains("validateRequestBody")) doc["validateRequestBody"] = false;
  if (!doc.contains("validateRequestParameters")) doc["validateRequestParameters"] = false;
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto a = find_rest_api(current, api); !a) return base::Status(a.error());
    changes.push_back(Change::put(api, kValidator, id, doc));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(201, doc);
}

awaitable<http::Response> get_request_validators(Deps& d, Call& call) {
  auto snap = d.docs.snapshot();
  std::string api = call.path_param("restapi_id");
  if (auto a = find_rest_api(*snap, api); !a) co_return call.fail(a.error());
  json::array items;
  for (const auto& [id, v] : snap->list(api, kValidator)) items.push_back(*v);
  auto page = page_of(call, std::move(items), Paging::kV1);
  if (!page) co_return call.fail(page.error());
  co_return call.reply(200, *page);
}

awaitable<http::Response> get_request_validator(Deps& d, Call& call) {
  auto v = find_in(*d.docs.snapshot(), call.path_param("restapi_id"), kValidator,
                   call.path_param("requestvalidator_id"), "Request Validator");
  if (!v) co_return call.fail(v.error());
  co_return call.reply(200, **v);
}

awaitable<http::Response> delete_request_validator(Deps& d, Call& call) {
  std::string api = call.path_param("restapi_id"), id = call.path_param("requestvalidator_id");
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto v = find_in(current, api, kValidator, id, "Request Validator"); !v) return base::Status(v.error());
    changes.push_back(Change::erase(api, kValidator, id));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(202, json::object{});
}

// --- models -----------------------------------------------------------------

awaitable<http::Response> create_model(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  json::object doc;
  if (auto s = take_members(*in,
                            {{"name", JsonType::kString},
                             {"description", JsonType::kString},
                             {"schema", JsonType::kString},
                             {"contentType", JsonType::kString}},
                            doc, "a model");
      !s)
    co_return call.fail(s.error());
  if (auto s = require(doc, "name"); !s) co_return call.fail(s.error());
  if (auto s = require(doc, "contentType"); !s) co_return call.fail(s.error());
  std::string name = text_of(doc, "name");
  for (char c : name)
    if (!isalnum(static_cast<unsigned char>(c))) co_return call.fail(bad_request("Model names must be alphanumeric"));
  if (doc.contains("schema")) {
    boost::system::error_code ec;
    auto schema = json::parse(doc["schema"].as_string(), ec);
    if (ec || !schema.is_object())
      co_return call.fail(bad_request("Invalid model specified: Validation Result: warnings : [], errors : [Invalid "
                                      "model schema specified]"));
  }
  std::string api = call.path_param("restapi_id");
  doc["id"] = gateway::new_id(6);
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto a = find_rest_api(current, api); !a) return base::Status(a.error());
    if (current.find(api, kModel, name))
      return base::Status(base::make_error(base::ErrorCode::kConflict, "Model name already exists for this REST API"));
    changes.push_back(Change::put(api, kModel, name, doc));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(201, doc);
}

awaitable<http::Response> get_models(Deps& d, Call& call) {
  auto snap = d.docs.snapshot();
  std::string api = call.path_param("restapi_id");
  if (auto a = find_rest_api(*snap, api); !a) co_return call.fail(a.error());
  json::array items;
  for (const auto& [id, m] : snap->list(api, kModel)) items.push_back(*m);
  auto page = page_of(call, std::move(items), Paging::kV1);
  if (!page) co_return call.fail(page.error());
  co_return call.reply(200, *page);
}

awaitable<http::Response> get_model(Deps& d, Call& call) {
  auto m = find_in(*d.docs.snapshot(), call.path_param("restapi_id"), kModel, call.path_param("model_name"), "Model");
  if (!m) co_return call.fail(m.error());
  co_return call.reply(200, **m);
}

awaitable<http::Response> delete_model(Deps& d, Call& call) {
  std::string api = call.path_param("restapi_id"), name = call.path_param("model_name");
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto m = find_in(current, api, kModel, name, "Model"); !m) return base::Status(m.error());
    changes.push_back(Change::erase(api, kModel, name));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(202, json::object{});
}

}  // namespace nimbus::apigateway_api::v1
