// REST APIs' resource tree and what hangs on it: GetResources (?embed=methods),
// GetResource, CreateResource, UpdateResource (pathPart, parentId), DeleteResource
// (with its subtree); PutMethod, UpdateMethod,
// GetMethod, DeleteMethod; PutIntegration (AWS_PROXY to a Lambda function),
// UpdateIntegration, GetIntegration, DeleteIntegration; method and integration responses, which
// are stored and shown but do not change what a Lambda proxy answers.
// A resource's document holds its methods (resourceMethods), each with its
// methodIntegration and methodResponses, as GetResource renders them.
#include <algorithm>
#include <boost/json/array.hpp>
#include <map>

#include "apigateway_api/v1.h"
#include "gateway/http_routes.h"

namespace nimbus::apigateway_api::v1 {

using boost::asio::awaitable;

namespace {

constexpr const char* kMethods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"};

base::Status check_path_part(const std::string& part) {
  if (part.empty()) return bad_request("Invalid input: 'pathPart' is required");
  if (part.front() == '{') {
    std::string name = part.substr(1, part.size() - (part.back() == '}' ? 2 : 1));
    if (part.back() != '}' || name.empty())
      return bad_request("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end "
                         "and an optional plus sign before the closing brace.");
    if (name.back() == '+') name.pop_back();
    for (char c : name)
      if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
        return bad_request("Invalid path part " + part);
    return {};
  }
  for (char c : part)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':'))
      return bad_request("Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end "
                         "and an optional plus sign before the closing brace.");
  return {};
}

// A new child `part` of `parent` (or `self` moved or renamed there) must not clash with its siblings.
base::Status check_siblings(const Snapshot& current, const std::string& api, const std::string& parent,
                            const std::string& part, const std::string& self) {
  bool variable = part.front() == '{';
  for (const auto& [id, res] : current.list(api, kResource)) {
    const auto* pid = res->if_contains("parentId");
    if (!pid || *pid != parent.c_str() || id == self) continue;
    std::string sibling(res->at("pathPart").as_string());
    if (sibling == part)
      return base::make_error(base::ErrorCode::kConflict,
                              "Another resource with the same parent already has this name: " + part);
    if (variable && sibling.front() == '{')
      return bad_request("A sibling (" + sibling +
                         ") of this resource already has a variable path part -- only one is allowed");
  }
  return {};
}

bool valid_method(const std::string& m) {
  for (const char* k : kMethods)
    if (m == k) return true;
  return false;
}

// A resource as GetResource(s) renders it: methods in full with embed=methods, else as keys.
json::object rendered(const Doc& res, bool embed) {
  json::object out = res;
  if (auto* m = out.if_contains("resourceMethods"); m && !embed)
    for (auto& [verb, method] : m->as_object()) method = json::object{};
  return out;
}

bool embeds_methods(const Call& call) {
  for (const auto& p : call.query)
    if (p.key == "embed" && p.value.find("methods") != std::string::npos) return true;
  return false;
}

// The resource and method named by the path, for the operations below a method.
struct MethodAt {
  Doc resource;
  std::string resource_id, verb;
  json::object* method(bool create) {
    auto& methods = resource["resourceMethods"];
    if (methods.is_null()) methods = json::object{};
    auto* m = methods.as_object().if_contains(verb);
    if (!m && create) m = &(methods.as_object()[verb] = json::object{});
    return m ? &m->as_object() : nullptr;
  }
};

base::Result<MethodAt> method_at(const Snapshot& s, const Call& call) {
  std::string api = call.path_param("restapi_id");
  auto res = find_in(s, api, kResource, call.path_param("resource_id"), "Resource");
  if (!res) return res.error();
  MethodAt at{**res, call.path_param("resource_id"), call.path_param("http_method")};
  for (auto& c : at.verb) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  if (!valid_method(at.verb)) return bad_request("Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY");
  return at;
}

base::Error no_method() { return not_found("Invalid Method identifier specified"); }

// Reads, changes and writes one resource's method under the write lock.
template <typename F>
awaitable<http::Response> with_method(Deps& d, Call& call, int status, bool create, F change) {
  json::object answer;
  std::string api = call.path_param("restapi_id");
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    auto at = method_at(current, call);
    if (!at) return base::Status(at.error());
    json::object* m = at->method(create);
    if (!m) return base::Status(no_method());
    auto s = change(current, *at, *m, answer);
    if (!s) return s;
    changes.push_back(Change::put(api, kResource, at->resource_id, at->resource));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(status, answer);
}

}  // namespace

awaitable<http::Response> get_resources(Deps& d, Call& call) {
  auto snap = d.docs.snapshot();
  std::string api = call.path_param("restapi_id");
  if (auto a = find_rest_api(*snap, api); !a) co_return call.fail(a.error());
  bool embed = embeds_methods(call);
  json::array items;
  for (const auto& [id, res] : snap->list(api, kResource)) items.push_back(rendered(*res, embed));
  auto page = page_of(call, std::move(items), Paging::kV1);
  if (!page) co_return call.fail(page.error());
  co_return call.reply(200, *page);
}

awaitable<http::Response> get_resource(Deps& d, Call& call) {
  auto res = find_in(*d.docs.snapshot(), call.path_param("restapi_id"), kResource, call.path_param("resource_id"),
                     "Resource");
  if (!res) co_return call.fail(res.error());
  co_return call.reply(200, rendered(**res, embeds_methods(call)));
}

awaitable<http::Response> create_resource(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  json::object body;
  if (auto s = take_members(*in, {{"pathPart", JsonType::kString}}, body, "a resource"); !s)
    co_return call.fail(s.error());
  std::string part = body.contains("pathPart") ? std::string(body["pathPart"].as_string()) : "";
  if (auto s = check_path_part(part); !s) co_return call.fail(s.error());
  std::string api = call.path_param("restapi_id"), parent = call.path_param("parent_id");
  Doc doc;
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    auto p = find_in(current, api, kResource, parent, "Resource");
    if (!p) return base::Status(p.error());
    std::string parent_path(p.value()->at("path").as_string());
    if (const auto* pp = p.value()->if_contains("pathPart"); pp && pp->as_string().ends_with("+}"))
      return base::Status(bad_request("A greedy path variable (" + std::string(pp->as_string()) +
                                      ") must be the last part of a resource's path"));
    if (auto st = check_siblings(current, api, parent, part, ""); !st) return st;
    std::string id = gateway::new_id(10);
    doc = Doc{{"id", id},
              {"parentId", parent},
              {"pathPart", part},
              {"path", (parent_path == "/" ? "" : parent_path) + "/" + part}};
    changes.push_back(Change::put(api, kResource, id, doc));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(201, doc);
}

// PATCH /pathPart and /parentId (Terraform's aws_api_gateway_resource updates in place):
// the resource's path and its subtree's paths follow.
awaitable<http::Response> update_resource(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  auto ops = patch_ops(*in);
  if (!ops) co_return call.fail(ops.error());
  std::string api = call.path_param("restapi_id"), id = call.path_param("resource_id");
  Doc updated;
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    auto res = find_in(current, api, kResource, id, "Resource");
    if (!res) return base::Status(res.error());
    if (!res.value()->contains("parentId")) return base::Status(bad_request("Cannot update the root resource"));
    updated = **res;
    for (const auto& op : *ops) {
      if (op.op == "replace" && (op.path == "/pathPart" || op.path == "/parentId"))
        updated[op.path.substr(1)] = op.value;
      else
        return base::Status(unsupported_patch(op, "a resource"));
    }
    std::string part(updated.at("pathPart").as_string()), parent(updated.at("parentId").as_string());
    if (auto st = check_path_part(part); !st) return st;
    // The subtree (the resource first): a new parent must not be in it.
    std::vector<std::string> subtree{id};
    for (size_t i = 0; i < subtree.size(); ++i)
      for (const auto& [cid, child] : current.list(api, kResource))
        if (const auto* pid = child->if_contains("parentId"); pid && *pid == subtree[i].c_str()) subtree.push_back(cid);
    for (const auto& member : subtree)
      if (member == parent) return base::Status(bad_request("A resource cannot be moved below itself"));
    auto p = find_in(current, api, kResource, parent, "Resource");
    if (!p) return base::Status(p.error());
    if (const auto* pp = p.value()->if_contains("pathPart"); pp && pp->as_string().ends_with("+}"))
      return base::Status(bad_request("A greedy path variable (" + std::string(pp->as_string()) +
                                      ") must be the last part of a resource's path"));
    if (part.ends_with("+}") && subtree.size() > 1)
      return base::Status(bad_request("A greedy path variable (" + part + ") must be the last part of a resource's path"));
    if (auto st = check_siblings(current, api, parent, part, id); !st) return st;
    // Paths, parents before children (subtree is in breadth-first order).
    std::map<std::string, std::string> paths;
    std::string parent_path(p.value()->at("path").as_string());
    paths[id] = (parent_path == "/" ? "" : parent_path) + "/" + part;
    updated["path"] = paths[id];
    changes.push_back(Change::put(api, kResource, id, updated));
    for (size_t i = 1; i < subtree.size(); ++i) {
      Doc child = *current.find(api, kResource, subtree[i]);
      std::string above = paths[std::string(child.at("parentId").as_string())];
      paths[subtree[i]] = above + "/" + std::string(child.at("pathPart").as_string());
      child["path"] = paths[subtree[i]];
      changes.push_back(Change::put(api, kResource, subtree[i], std::move(child)));
    }
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(200, rendered(updated, false));
}

awaitable<http::Response> delete_resource(Deps& d, Call& call) {
  std::string api = call.path_param("restapi_id"), id = call.path_param("resource_id");
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    auto res = find_in(current, api, kResource, id, "Resource");
    if (!res) return base::Status(res.error());
    if (!res.value()->contains("parentId")) return base::Status(bad_request("Cannot delete the root resource"));
    // The subtree goes with it: children before their parents don't matter in one transaction.
    std::vector<std::string> doomed{id};
    for (size_t i = 0; i < doomed.size(); ++i)
      for (const auto& [cid, child] : current.list(api, kResource))
        if (const auto* pid = child->if_contains("parentId"); pid && *pid == doomed[i].c_str()) doomed.push_back(cid);
    for (const auto& g : doomed) changes.push_back(Change::erase(api, kResource, g));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(202, json::object{});
}

// --- methods ----------------------------------------------------------------

namespace {

// What PutMethod and UpdateMethod both check of a method's fields: the
// authorization types nimbus applies, requestParameters' form, and that the
// authorizer, validator and models it names exist.
base::Status check_method(const Snapshot& s, const std::string& api, const json::object& fields) {
  std::string type = fields.contains("authorizationType") ? std::string(fields.at("authorizationType").as_string()) : "";
  if (type.empty()) return bad_request("Invalid input: 'authorizationType' is required");
  if (type != "NONE" && type != "CUSTOM" && type != "AWS_IAM")
    return base::make_error(base::ErrorCode::kNotImplemented,
                            "nimbus does not support authorizationType " + type +
                                " yet (NONE, AWS_IAM, or CUSTOM with a Lambda authorizer)");
  if (const auto* params = fields.if_contains("requestParameters"))
    for (const auto& [k, v] : params->as_object()) {
      if (!v.is_bool()) return bad_request("requestParameters' values are booleans (required or not)");
      std::string_view key = k;
      if (!key.starts_with("method.request.header.") && !key.starts_with("method.request.querystring.") &&
          !key.starts_with("method.request.path."))
        return bad_request("Invalid mapping expression specified: " + std::string(key));
    }
  if (type == "CUSTOM") {
    const auto* aid = fields.if_contains("authorizerId");
    if (!aid) return bad_request("Invalid authorizer ID specified: a CUSTOM method needs authorizerId");
    if (!s.find(api, kAuthorizer, std::string(aid->as_string()))) return bad_request("Invalid authorizer ID specified");
  } else if (fields.contains("authorizerId")) {
    return bad_request("authorizerId is only for authorizationType CUSTOM");
  }
  if (const auto* v = fields.if_contains("requestValidatorId"))
    if (!s.find(api, kValidator, std::string(v->as_string())))
      return bad_request("Invalid Request Validator identifier specified");
  if (const auto* models = fields.if_contains("requestModels"))
    for (const auto& [ct, name] : models->as_object())
      if (!s.find(api, kModel, std::string(name.as_string())))
        return bad_request("Invalid model identifier specified: " + std::string(name.as_string()));
  return {};
}

// One of UpdateMethod's patchOperations (what Terraform's aws_api_gateway_method sends).
base::Status apply_method_patch(json::object& m, const PatchOp& op) {
  auto seg = patch_segments(op.path);
  if (seg.size() == 1 && op.op == "replace" &&
      (seg[0] == "authorizationType" || seg[0] == "authorizerId" || seg[0] == "operationName" ||
       seg[0] == "requestValidatorId")) {
    // An empty value unsets the optional ones, as AWS reads it.
    if (op.value.empty() && seg[0] != "authorizationType") m.erase(seg[0]);
    else m[seg[0]] = op.value;
    return {};
  }
  if (seg.size() == 1 && op.op == "replace" && seg[0] == "apiKeyRequired") {
    auto b = patch_bool(op);
    if (!b) return b.error();
    m["apiKeyRequired"] = *b;
    return {};
  }
  if (seg.size() == 2 && (seg[0] == "requestParameters" || seg[0] == "requestModels")) {
    auto& map = m[seg[0]];
    if (!map.is_object()) map = json::object{};
    if (op.op == "remove") {
      if (!map.as_object().erase(seg[1])) return bad_request("Invalid patch path " + op.path + ": nothing there");
    } else if (seg[0] == "requestParameters") {
      // add without a value: optional, as the console writes it
      bool required = false;
      if (op.has_value && !op.value.empty()) {
        auto b = patch_bool(op);
        if (!b) return b.error();
        required = *b;
      }
      map.as_object()[seg[1]] = required;
    } else {
      map.as_object()[seg[1]] = op.value;
    }
    if (map.as_object().empty()) m.erase(seg[0]);
    return {};
  }
  return unsupported_patch(op, "a method");
}

}  // namespace

awaitable<http::Response> put_method(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  json::object fields;
  if (auto s = take_members(*in,
                            {{"authorizationType", JsonType::kString},
                             {"authorizerId", JsonType::kString},
                             {"apiKeyRequired", JsonType::kBool},
                             {"operationName", JsonType::kString},
                             {"requestParameters", JsonType::kObject},
                             {"requestModels", JsonType::kStringMap},
                             {"requestValidatorId", JsonType::kString}},
                            fields, "a method");
      !s)
    co_return call.fail(s.error());
  std::string api = call.path_param("restapi_id");
  co_return co_await with_method(d, call, 201, true, [&](const Snapshot& s, MethodAt& at, json::object& m, json::object& answer) {
    if (auto st = check_method(s, api, fields); !st) return st;
    m = fields;
    m["httpMethod"] = at.verb;
    if (!m.contains("apiKeyRequired")) m["apiKeyRequired"] = false;
    answer = m;
    return base::Status{};
  });
}

// PATCH a method in place (Terraform's aws_api_gateway_method updates): its
// integration and responses stay; a deployment freezes the change, as on AWS.
awaitable<http::Response> update_method(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  auto ops = patch_ops(*in);
  if (!ops) co_return call.fail(ops.error());
  std::string api = call.path_param("restapi_id");
  co_return co_await with_method(d, call, 200, false, [&](const Snapshot& s, MethodAt&, json::object& m, json::object& answer) {
    json::object updated = m;
    bool authorizer_named = false;
    for (const auto& op : *ops) {
      if (auto st = apply_method_patch(updated, op); !st) return st;
      authorizer_named |= op.path == "/authorizerId" && !op.value.empty();
    }
    // Leaving CUSTOM drops the authorizer it named, unless this request names one.
    if (!authorizer_named && updated.contains("authorizationType") && updated.at("authorizationType") != "CUSTOM")
      updated.erase("authorizerId");
    json::object fields = updated;
    for (const char* k : {"httpMethod", "methodIntegration", "methodResponses"}) fields.erase(k);
    if (auto st = check_method(s, api, fields); !st) return st;
    m = updated;
    answer = m;
    return base::Status{};
  });
}

awaitable<http::Response> get_method(Deps& d, Call& call) {
  auto at = method_at(*d.docs.snapshot(), call);
  if (!at) co_return call.fail(at.error());
  json::object* m = at->method(false);
  if (!m) co_return call.fail(no_method());
  co_return call.reply(200, *m);
}

awaitable<http::Response> delete_method(Deps& d, Call& call) {
  std::string api = call.path_param("restapi_id");
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    auto at = method_at(current, call);
    if (!at) return base::Status(at.error());
    if (!at->method(false)) return base::Status(no_method());
    at->resource["resourceMethods"].as_object().erase(at->verb);
    changes.push_back(Change::put(api, kResource, at->resource_id, at->resource));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(204, nullptr);
}

// --- integrations -------------------------------------------------------------

namespace {

// What PutIntegration and UpdateIntegration both check: a Lambda proxy
// integration (AWS_PROXY to a function's invocation URI) over INTERNET.
base::Status check_integration(const json::object& fields) {
  std::string type = fields.contains("type") ? std::string(fields.at("type").as_string()) : "";
  if (type.empty()) return bad_request("Invalid input: 'type' is required");
  if (type != "AWS_PROXY")
    return base::make_error(base::ErrorCode::kNotImplemented,
                            "nimbus does not support integration type " + type +
                                " yet: REST APIs serve Lambda proxy integrations (AWS_PROXY)");
  std::string uri = fields.contains("uri") ? std::string(fields.at("uri").as_string()) : "";
  if (uri.rfind("arn:aws:apigateway:", 0) != 0 || uri.find(":lambda:path/2015-03-31/functions/") == std::string::npos ||
      !uri.ends_with("/invocations"))
    return bad_request("Invalid uri for an AWS_PROXY integration: nimbus serves Lambda functions, "
                       "arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations");
  if (!fields.contains("httpMethod")) return bad_request("Enumeration value for HttpMethod must be non-empty");
  if (const auto* ms = fields.if_contains("timeoutInMillis");
      ms && (ms->to_number<int64_t>() < 50 || ms->to_number<int64_t>() > 29000))
    return bad_request("Timeout should be between 50 ms and 29000 ms");
  if (const auto* c = fields.if_contains("contentHandling"); c && *c != "CONVERT_TO_TEXT" && *c != "CONVERT_TO_BINARY")
    return bad_request("Invalid contentHandling");
  if (fields.contains("contentHandling"))
    return base::make_error(base::ErrorCode::kNotImplemented,
                            "nimbus does not support contentHandling on a Lambda proxy integration yet");
  // Terraform always sends connectionType (default INTERNET); a VPC link is another matter.
  if (const auto* c = fields.if_contains("connectionType"); c && *c != "INTERNET")
    return base::make_error(base::ErrorCode::kNotImplemented,
                            "nimbus does not support connectionType " + std::string(c->as_string()) +
                                " (VPC links) yet: Lambda proxy integrations are INTERNET");
  return {};
}

// One of UpdateIntegration's patchOperations (Terraform's aws_api_gateway_integration updates).
base::Status apply_integration_patch(json::object& integration, const PatchOp& op) {
  auto seg = patch_segments(op.path);
  if (seg.size() == 1 && op.op == "replace" &&
      (seg[0] == "type" || seg[0] == "uri" || seg[0] == "httpMethod" || seg[0] == "passthroughBehavior" ||
       seg[0] == "cacheNamespace" || seg[0] == "connectionType")) {
    integration[seg[0]] = op.value;
    return {};
  }
  if (seg.size() == 1 && op.op == "replace" && seg[0] == "timeoutInMillis") {
    auto n = patch_number(op);
    if (!n || *n != static_cast<double>(static_cast<int64_t>(*n)))
      return bad_request("Invalid value for /timeoutInMillis: " + op.value);
    integration["timeoutInMillis"] = static_cast<int64_t>(*n);
    return {};
  }
  if (seg.size() == 2 && seg[0] == "cacheKeyParameters" && (op.op == "add" || op.op == "remove")) {
    auto& keys = integration["cacheKeyParameters"];
    if (!keys.is_array()) keys = json::array{};
    auto& arr = keys.as_array();
    auto it = std::find(arr.begin(), arr.end(), json::value(seg[1]));
    if (op.op == "add" && it == arr.end()) arr.push_back(json::value(seg[1]));
    if (op.op == "remove" && it != arr.end()) arr.erase(it);
    return {};
  }
  return unsupported_patch(op, "an integration");
}

}  // namespace

awaitable<http::Response> put_integration(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  json::object fields;
  if (auto s = take_members(*in,
                            {{"type", JsonType::kString},
                             {"httpMethod", JsonType::kString},
                             {"uri", JsonType::kString},
                             {"timeoutInMillis", JsonType::kInt},
                             {"passthroughBehavior", JsonType::kString},
                             {"contentHandling", JsonType::kString},
                             {"cacheNamespace", JsonType::kString},
                             {"cacheKeyParameters", JsonType::kArray},
                             {"connectionType", JsonType::kString}},
                            fields, "a Lambda proxy integration");
      !s)
    co_return call.fail(s.error());
  if (auto st = check_integration(fields); !st) co_return call.fail(st.error());
  co_return co_await with_method(d, call, 201, false, [&](const Snapshot&, MethodAt& at, json::object& m, json::object& answer) {
    json::object integration = fields;
    if (!integration.contains("timeoutInMillis")) integration["timeoutInMillis"] = 29000;
    if (!integration.contains("connectionType")) integration["connectionType"] = "INTERNET";
    if (!integration.contains("passthroughBehavior")) integration["passthroughBehavior"] = "WHEN_NO_MATCH";
    if (!integration.contains("cacheNamespace")) integration["cacheNamespace"] = at.resource_id;
    if (!integration.contains("cacheKeyParameters")) integration["cacheKeyParameters"] = json::array{};
    if (const auto* old = m.if_contains("methodIntegration"))
      if (const auto* r = old->as_object().if_contains("integrationResponses")) integration["integrationResponses"] = *r;
    m["methodIntegration"] = integration;
    answer = integration;
    return base::Status{};
  });
}

awaitable<http::Response> get_integration(Deps& d, Call& call) {
  auto at = method_at(*d.docs.snapshot(), call);
  if (!at) co_return call.fail(at.error());
  json::object* m = at->method(false);
  if (!m) co_return call.fail(no_method());
  if (!m->contains("methodIntegration")) co_return call.fail(not_found("Invalid Integration identifier specified"));
  co_return call.reply(200, m->at("methodIntegration"));
}

// PATCH the method's integration in place; its integration responses stay.
awaitable<http::Response> update_integration(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  auto ops = patch_ops(*in);
  if (!ops) co_return call.fail(ops.error());
  co_return co_await with_method(d, call, 200, false, [&](const Snapshot&, MethodAt&, json::object& m, json::object& answer) {
    auto* existing = m.if_contains("methodIntegration");
    if (!existing) return base::Status(not_found("Invalid Integration identifier specified"));
    json::object integration = existing->as_object();
    for (const auto& op : *ops)
      if (auto st = apply_integration_patch(integration, op); !st) return st;
    json::object fields = integration;
    fields.erase("integrationResponses");
    if (auto st = check_integration(fields); !st) return st;
    m["methodIntegration"] = integration;
    answer = integration;
    return base::Status{};
  });
}

awaitable<http::Response> delete_integration(Deps& d, Call& call) {
  co_return co_await with_method(d, call, 204, false, [&](const Snapshot&, MethodAt&, json::object& m, json::object&) {
    if (!m.erase("methodIntegration")) return base::Status(not_found("Invalid Integration identifier specified"));
    return base::Status{};
  });
}

// --- method and integration responses: stored, shown; a Lambda proxy's response is the function's.

namespace {

base::Status check_status_code(const std::string& code) {
  if (code.size() != 3 || code[0] < '1' || code[0] > '5' || !isdigit(static_cast<unsigned char>(code[1])) ||
      !isdigit(static_cast<unsigned char>(code[2])))
    return bad_request("Invalid status code " + code);
  return {};
}

}  // namespace

awaitable<http::Response> put_method_response(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  json::object fields;
  if (auto s = take_members(*in, {{"responseParameters", JsonType::kObject}, {"responseModels", JsonType::kStringMap}},
                            fields, "a method response");
      !s)
    co_return call.fail(s.error());
  std::string code = call.path_param("status_code");
  if (auto s = check_status_code(code); !s) co_return call.fail(s.error());
  co_return co_await with_method(d, call, 201, false, [&](const Snapshot&, MethodAt&, json::object& m, json::object& answer) {
    json::object r = fields;
    r["statusCode"] = code;
    if (!m.contains("methodResponses")) m["methodResponses"] = json::object{};
    m["methodResponses"].as_object()[code] = r;
    answer = r;
    return base::Status{};
  });
}

awaitable<http::Response> get_method_response(Deps& d, Call& call) {
  auto at = method_at(*d.docs.snapshot(), call);
  if (!at) co_return call.fail(at.error());
  json::object* m = at->method(false);
  if (!m) co_return call.fail(no_method());
  const auto* rs = m->if_contains("methodResponses");
  const auto* r = rs ? rs->as_object().if_contains(call.path_param("status_code")) : nullptr;
  if (!r) co_return call.fail(not_found("Invalid Response status code specified"));
  co_return call.reply(200, *r);
}

awaitable<http::Response> put_integration_response(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  json::object fields;
  if (auto s = take_members(*in,
                            {{"selectionPattern", JsonType::kString},
                             {"responseParameters", JsonType::kObject},
                             {"responseTemplates", JsonType::kObject},
                             {"contentHandling", JsonType::kString}},
                            fields, "an integration response");
      !s)
    co_return call.fail(s.error());
  std::string code = call.path_param("status_code");
  if (auto s = check_status_code(code); !s) co_return call.fail(s.error());
  co_return co_await with_method(d, call, 201, false, [&](const Snapshot&, MethodAt&, json::object& m, json::object& answer) {
    auto* integration = m.if_contains("methodIntegration");
    if (!integration) return base::Status(not_found("No integration defined for method"));
    json::object r = fields;
    r["statusCode"] = code;
    auto& all = integration->as_object()["integrationResponses"];
    if (!all.is_object()) all = json::object{};
    all.as_object()[code] = r;
    answer = r;
    return base::Status{};
  });
}

awaitable<http::Response> get_integration_response(Deps& d, Call& call) {
  auto at = method_at(*d.docs.snapshot(), call);
  if (!at) co_return call.fail(at.error());
  json::object* m = at->method(false);
  if (!m) co_return call.fail(no_method());
  const auto* i = m->if_contains("methodIntegration");
  const auto* rs = i ? i->as_object().if_contains("integrationResponses") : nullptr;
  const auto* r = rs ? rs->as_object().if_contains(call.path_param("status_code")) : nullptr;
  if (!r) co_return call.fail(not_found("Invalid Response status code specified"));
  co_return call.reply(200, *r);
}

}  // namespace nimbus::apigateway_api::v1
