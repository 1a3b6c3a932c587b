// What REST API operations share: finding documents with API Gateway's
// messages, v1's patchOperations, and freezing a deployment.
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include "apigateway_api/v1.h"
#include "base/arn.h"
#include "base/time.h"

namespace nimbus::apigateway_api::v1 {

base::Result<const Doc*> find_rest_api(const Snapshot& s, const std::string& id) {
  const Doc* api = s.find(id, kRestApi, id);
  if (!api) return not_found("Invalid API identifier specified " + std::string(base::kAccountId) + ":" + id);
  return api;
}

base::Result<const Doc*> find_in(const Snapshot& s, const std::string& api, const char* kind, const std::string& id,
                                 const std::string& what) {
  if (!api.empty())
    if (auto a = find_rest_api(s, api); !a) return a.error();
  const Doc* doc = s.find(api, kind, id);
  if (!doc) return not_found("Invalid " + what + " identifier specified");
  return doc;
}

base::Result<std::vector<PatchOp>> patch_ops(const json::object& body) {
  std::vector<PatchOp> out;
  for (const auto& [k, v] : body)
    if (k != "patchOperations")
      return base::make_error(base::ErrorCode::kNotImplemented,
                              "nimbus does not support '" + std::string(k) + "' on an update yet");
  const auto* list = body.if_contains("patchOperations");
  if (!list || list->is_null()) return out;
  if (!list->is_array()) return bad_request("Invalid patch operations: 'patchOperations' must be a list");
  for (const auto& item : list->as_array()) {
    if (!item.is_object()) return bad_request("Invalid patch operation: each must be an object");
    PatchOp op;
    for (const auto& [k, v] : item.as_object()) {
      if (k == "from")
        return base::make_error(base::ErrorCode::kNotImplemented, "nimbus does not support patch 'from' (move, copy) yet");
      if (k != "op" && k != "path" && k != "value")
        return bad_request("Invalid patch operation member '" + std::string(k) + "'");
      if (!v.is_string()) return bad_request("Invalid patch operation: '" + std::string(k) + "' must be a string");
      if (k == "op") op.op = v.as_string();
      if (k == "path") op.path = v.as_string();
      if (k == "value") {
        op.value = v.as_string();
        op.has_value = true;
      }
    }
    if (op.op != "add" && op.op != "remove" && op.op != "replace")
      return base::make_error(base::ErrorCode::kNotImplemented,
                              "nimbus does not support patch op '" + op.op + "' yet (add, remove, replace)");
    if (op.path.empty() || op.path[0] != '/') return bad_request("Invalid patch path " + op.path);
    out.push_back(std::move(op));
  }
  return out;
}

std::vector<std::string> patch_segments(const std::string& path) {
  std::vector<std::string> out;
  size_t at = 1;
  while (at <= path.size()) {
    size_t slash = path.find('/', at);
    std::string seg = path.substr(at, slash == std::string::npos ? std::string::npos : slash - at);
    std::string text;
    for (size_t i = 0; i < seg.size(); ++i) {
      if (seg[i] == '~' && i + 1 < seg.size() && (seg[i + 1] == '1' || seg[i + 1] == '0')) {
        text += seg[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        text += seg[i];
      }
    }
    out.push_back(std::move(text));
    if (slash == std::string::npos) break;
    at = slash + 1;
  }
  return out;
}

base::Error unsupported_patch(const PatchOp& op, std::string_view what) {
  return base::make_error(base::ErrorCode::kNotImplemented, "nimbus does not support patch operation '" + op.op +
                                                                "' on path '" + op.path + "' of " +
                                                                std::string(what) + " yet");
}

base::Result<bool> patch_bool(const PatchOp& op) {
  if (op.value == "true") return true;
  if (op.value == "false") return false;
  return bad_request("Invalid value for " + op.path + ": " + op.value + " (true or false)");
}

base::Result<double> patch_number(const PatchOp& op) {
  try {
    size_t used = 0;
    double d = std::stod(op.value, &used);
    if (used == op.value.size() && d >= 0) return d;
  } catch (const std::exception&) {
  }
  return bad_request("Invalid value for " + op.path + ": " + op.value + " (a number)");
}

base::Result<Doc> deploy(const Snapshot& current, const std::string& api, const std::string& description,
                         std::vector<Change>& changes) {
  auto rest = find_rest_api(current, api);
  if (!rest) return rest.error();
  json::array resources;
  size_t methods = 0;
  for (const auto& [id, res] : current.list(api, kResource)) {
    if (const auto* m = res->if_contains("resourceMethods"); m && m->is_object())
      for (const auto& [verb, method] : m->as_object()) {
        ++methods;
        if (!method.as_object().contains("methodIntegration"))
          return bad_request("No integration defined for method");
      }
    resources.push_back(*res);
  }
  if (methods == 0) return bad_request("The REST API doesn't contain any methods");
  auto all = [&](const char* kind) {
    json::array out;
    for (const auto& [id, doc] : current.list(api, kind)) out.push_back(*doc);
    return out;
  };
  std::string id = gateway::new_id(6);
  Doc content{{"api", **rest},
              {"resources", std::move(resources)},
              {"authorizers", all(kAuthorizer)},
              {"validators", all(kValidator)},
              {"models", all(kModel)}};
  changes.push_back(Change::put(api, kDeploymentContent, id, std::move(content)));
  Doc doc{{"id", id}, {"createdDate", base::now_ms() / 1000}};
  if (!description.empty()) doc["description"] = description;
  changes.push_back(Change::put(api, kDeployment, id, doc));
  return doc;
}

}  // namespace nimbus::apigateway_api::v1
