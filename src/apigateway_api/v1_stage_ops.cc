// REST APIs' deployments and stages: CreateDeployment (freezes the API; with
// stageName it creates or repoints that stage), GetDeployments, GetDeployment,
// DeleteDeployment; CreateStage, GetStages, GetStage, UpdateStage
// (description, deploymentId, variables, method throttling), DeleteStage.
#include <boost/json/array.hpp>

#include "apigateway_api/v1.h"
#include "base/time.h"

namespace nimbus::apigateway_api::v1 {

using boost::asio::awaitable;

namespace {

base::Status check_variables(const json::object& vars) {
  for (const auto& [k, v] : vars) {
    if (k.empty() || k.size() > 64) return bad_request("Stage variable names are 1 to 64 characters");
    for (char c : k)
      if (!isalnum(static_cast<unsigned char>(c)) && c != '_')
        return bad_request("Stage variable names must match [A-Za-z0-9_]+: " + std::string(k));
  }
  return {};
}

Doc new_stage(const std::string& name, const std::string& deployment, const std::string& description,
              const json::object& variables, const json::object& tags) {
  int64_t now = base::now_ms() / 1000;
  Doc s{{"stageName", name},
        {"deploymentId", deployment},
        {"cacheClusterEnabled", false},
        {"cacheClusterStatus", "NOT_AVAILABLE"},
        {"methodSettings", json::object{}},
        {"tracingEnabled", false},
        {"createdDate", now},
        {"lastUpdatedDate", now},
        {"tags", tags}};
  if (!description.empty()) s["description"] = description;
  if (!variables.empty()) s["variables"] = variables;
  return s;
}

std::string text_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// The method settings' key of `seg[0, n)`, a resource path and a verb:
// "*/*" for "/*/*", "pets/GET" for "/~1pets/GET" and for Terraform's "/pets/GET".
std::string method_settings_key(const std::vector<std::string>& seg, size_t n) {
  std::string resource;
  for (size_t i = 0; i + 1 < n; ++i) resource += (resource.empty() ? "" : "/") + seg[i];
  while (!resource.empty() && resource.front() == '/') resource.erase(0, 1);
  return resource + "/" + seg[n - 1];
}

// A method's settings as AWS shows them before any is changed.
json::object default_method_settings() {
  return json::object{{"metricsEnabled", false},
                      {"loggingLevel", "OFF"},
                      {"dataTraceEnabled", false},
                      {"throttlingBurstLimit", 5000},
                      {"throttlingRateLimit", 10000.0},
                      {"cachingEnabled", false},
                      {"cacheTtlInSeconds", 300},
                      {"cacheDataEncrypted", false},
                      {"requireAuthorizationForCacheControl", true},
                      {"unauthorizedCacheControlHeaderStrategy", "SUCCEED_WITH_RESPONSE_HEADER"}};
}

// One patchable method setting. `only` (when set) is the one value nimbus
// takes: it has no metrics, execution logs or cache per method, so those are
// accepted only off (Terraform's aws_api_gateway_method_settings sends them when
// a configuration spells them out). The cache's details are stored and shown,
// as AWS keeps them, and mean nothing while caching is off, as on AWS.
enum class SettingType { kNumber, kInt, kBool, kString };
struct Setting {
  const char* path;
  const char* member;
  SettingType type;
  const char* only;
};
constexpr Setting kSettings[] = {
    {"throttling/rateLimit", "throttlingRateLimit", SettingType::kNumber, nullptr},
    {"throttling/burstLimit", "throttlingBurstLimit", SettingType::kInt, nullptr},
    {"metrics/enabled", "metricsEnabled", SettingType::kBool, "false"},
    {"logging/loglevel", "loggingLevel", SettingType::kString, "OFF"},
    {"logging/dataTrace", "dataTraceEnabled", SettingType::kBool, "false"},
    {"caching/enabled", "cachingEnabled", SettingType::kBool, "false"},
    {"caching/ttlInSeconds", "cacheTtlInSeconds", SettingType::kInt, nullptr},
    {"caching/dataEncrypted", "cacheDataEncrypted", SettingType::kBool, nullptr},
    {"caching/requireAuthorizationForCacheControl", "requireAuthorizationForCacheControl", SettingType::kBool, nullptr},
    {"caching/unauthorizedCacheControlHeaderStrategy", "unauthorizedCacheControlHeaderStrategy", SettingType::kString,
     nullptr},
};

// "/*/*/throttling/rateLimit", "/~1pets/GET/throttling/burstLimit", "/pets/GET/...":
// the method settings' key ("*/*", "pets/GET") and the setting.
base::Status apply_method_setting(Doc& stage, const PatchOp& op, const std::vector<std::string>& seg) {
  std::string key = method_settings_key(seg, seg.size() - 2);
  std::string path = seg[seg.size() - 2] + "/" + seg.back();
  const Setting* setting = nullptr;
  for (const auto& s : kSettings)
    if (path == s.path) setting = &s;
  if (!setting)
    return unsupported_patch(op, "a stage's method settings (nimbus applies throttling/rateLimit and burstLimit)");
  if (setting->only && (op.op != "replace" || op.value != setting->only))
    return unsupported_patch(op, std::string("a stage's method settings with a value other than ") + setting->only +
                                     " (nimbus has no metrics, execution logs or cache per method)");
  auto& all = stage["methodSettings"];
  if (!all.is_object()) all = json::object{};
  auto& ms = all.as_object()[key];
  if (!ms.is_object()) ms = default_method_settings();
  json::object& settings = ms.as_object();
  if (op.op == "remove") {  // a throttling limit removed falls back to */*'s (execute_api/rest_service.cc)
    settings.erase(setting->member);
    return {};
  }
  if (op.op != "replace") return unsupported_patch(op, "a stage's method settings");
  switch (setting->type) {
    case SettingType::kNumber:
    case SettingType::kInt: {
      auto n = patch_number(op);
      if (!n) return n.error();
      if (*n < 0) return bad_request("Invalid value for " + path + ": " + op.value);
      if (path == "caching/ttlInSeconds" && *n > 3600)
        return bad_request("Invalid cache TTL " + op.value + " (0 to 3600 seconds)");
      if (setting->type == SettingType::kInt)
        settings[setting->member] = static_cast<int64_t>(*n);
      else
        settings[setting->member] = *n;
      return {};
    }
    case SettingType::kBool: {
      auto b = patch_bool(op);
      if (!b) return b.error();
      settings[setting->member] = *b;
      return {};
    }
    case SettingType::kString:
      if (path == "caching/unauthorizedCacheControlHeaderStrategy" && op.value != "FAIL_WITH_403" &&
          op.value != "SUCCEED_WITH_RESPONSE_HEADER" && op.value != "SUCCEED_WITHOUT_RESPONSE_HEADER")
        return bad_request("Invalid unauthorizedCacheControlHeaderStrategy " + op.value);
      settings[setting->member] = op.value;
      return {};
  }
  return {};
}

base::Status apply_stage_patch(const Snapshot& s, const std::string& api, Doc& stage, const PatchOp& op) {
  auto seg = patch_segments(op.path);
  if (seg.size() == 1 && seg[0] == "description") {
    if (op.op == "remove") stage.erase("description"); else stage["description"] = op.value;
    return {};
  }
  if (seg.size() == 1 && seg[0] == "deploymentId" && op.op == "replace") {
    if (!s.find(api, kDeployment, op.value)) return bad_request("Invalid deployment identifier specified");
    stage["deploymentId"] = op.value;
    return {};
  }
  if (seg.size() == 2 && seg[0] == "variables") {
    auto& vars = stage["variables"];
    if (!vars.is_object()) vars = json::object{};
    if (op.op == "remove")
      vars.as_object().erase(seg[1]);
    else
      vars.as_object()[seg[1]] = op.value;
    if (vars.as_object().empty()) stage.erase("variables");
    else if (auto st = check_variables(vars.as_object()); !st) return st;
    return {};
  }
  if (seg.size() >= 4) return apply_method_setting(stage, op, seg);
  // remove /{resource path}/{verb}: the method's settings go (Terraform's destroy of
  // aws_api_gateway_method_settings sends remove /*/*).
  if (seg.size() >= 2 && op.op == "remove") {
    if (auto* all = stage.if_contains("methodSettings"); all && all->is_object())
      all->as_object().erase(method_settings_key(seg, seg.size()));
    return {};
  }
  return unsupported_patch(op, "a stage");
}

}  // namespace

awaitable<http::Response> create_deployment(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  json::object f;
  if (auto s = take_members(*in,
                            {{"stageName", JsonType::kString},
                             {"stageDescription", JsonType::kString},
                             {"description", JsonType::kString},
                             {"variables", JsonType::kStringMap}},
                            f, "a deployment");
      !s)
    co_return call.fail(s.error());
  json::object vars = f.contains("variables") ? f["variables"].as_object() : json::object{};
  if (auto s = check_variables(vars); !s) co_return call.fail(s.error());
  std::string api = call.path_param("restapi_id"), stage_name = text_of(f, "stageName");
  Doc doc;
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    auto dep = deploy(current, api, text_of(f, "description"), changes);
    if (!dep) return base::Status(dep.error());
    doc = *dep;
    if (!stage_name.empty()) {
      std::string id(doc["id"].as_string());
      if (const Doc* old = current.find(api, kStage, stage_name)) {
        Doc s = *old;
        s["deploymentId"] = id;
        s["lastUpdatedDate"] = base::now_ms() / 1000;
        if (!vars.empty()) s["variables"] = vars;  // AWS replaces the stage's variables with these
        changes.push_back(Change::put(api, kStage, stage_name, std::move(s)));
      } else {
        changes.push_back(Change::put(api, kStage, stage_name,
                                      new_stage(stage_name, id, text_of(f, "stageDescription"), vars, {})));
      }
    }
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(201, doc);
}

awaitable<http::Response> get_deployments(Deps& d, Call& call) {
  auto snap = d.docs.snapshot();
  std::string api = call.path_param("restapi_id");
  if (auto a = find_rest_api(*snap, api); !a) co_return call.fail(a.error());
  json::array items;
  for (const auto& [id, dep] : snap->list(api, kDeployment)) items.push_back(*dep);
  auto page = page_of(call, std::move(items), Paging::kV1);
  if (!page) co_return call.fail(page.error());
  co_return call.reply(200, *page);
}

awaitable<http::Response> get_deployment(Deps& d, Call& call) {
  auto dep = find_in(*d.docs.snapshot(), call.path_param("restapi_id"), kDeployment, call.path_param("deployment_id"),
                     "Deployment");
  if (!dep) co_return call.fail(dep.error());
  co_return call.reply(200, **dep);
}

// PATCH /description (Terraform's aws_api_gateway_deployment updates it in
// place); what a deployment serves is frozen, so nothing else changes.
awaitable<http::Response> update_deployment(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  auto ops = patch_ops(*in);
  if (!ops) co_return call.fail(ops.error());
  std::string api = call.path_param("restapi_id"), id = call.path_param("deployment_id");
  Doc updated;
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    auto dep = find_in(current, api, kDeployment, id, "Deployment");
    if (!dep) return base::Status(dep.error());
    updated = **dep;
    for (const auto& op : *ops) {
      if (op.path != "/description" || op.op == "add") return base::Status(unsupported_patch(op, "a deployment"));
      if (op.op == "remove") updated.erase("description");
      else updated["description"] = op.value;
    }
    changes.push_back(Change::put(api, kDeployment, id, updated));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(200, updated);
}

awaitable<http::Response> delete_deployment(Deps& d, Call& call) {
  std::string api = call.path_param("restapi_id"), id = call.path_param("deployment_id");
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto dep = find_in(current, api, kDeployment, id, "Deployment"); !dep) return base::Status(dep.error());
    for (const auto& [name, stage] : current.list(api, kStage))
      if (stage->at("deploymentId") == id.c_str())
        return base::Status(bad_request("Active stages pointing to this deployment must be moved or deleted"));
    changes.push_back(Change::erase(api, kDeployment, id));
    changes.push_back(Change::erase(api, kDeploymentContent, id));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(202, json::object{});
}

awaitable<http::Response> create_stage(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  json::object f;
  if (auto s = take_members(*in,
                            {{"stageName", JsonType::kString},
                             {"deploymentId", JsonType::kString},
                             {"description", JsonType::kString},
                             {"variables", JsonType::kStringMap},
                             {"tags", JsonType::kStringMap}},
                            f, "a stage");
      !s)
    co_return call.fail(s.error());
  if (auto s = require(f, "stageName"); !s) co_return call.fail(s.error());
  if (auto s = require(f, "deploymentId"); !s) co_return call.fail(s.error());
  json::object vars = f.contains("variables") ? f["variables"].as_object() : json::object{};
  if (auto s = check_variables(vars); !s) co_return call.fail(s.error());
  std::string api = call.path_param("restapi_id"), name = text_of(f, "stageName");
  Doc doc = new_stage(name, text_of(f, "deploymentId"), text_of(f, "description"), vars,
                      f.contains("tags") ? f["tags"].as_object() : json::object{});
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto a = find_rest_api(current, api); !a) return base::Status(a.error());
    if (!current.find(api, kDeployment, text_of(f, "deploymentId")))
      return base::Status(bad_request("Invalid deployment identifier specified"));
    if (current.find(api, kStage, name))
      return base::Status(base::make_error(base::ErrorCode::kConflict, "Stage already exists"));
    changes.push_back(Change::put(api, kStage, name, doc));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(201, doc);
}

awaitable<http::Response> get_stages(Deps& d, Call& call) {
  auto snap = d.docs.snapshot();
  std::string api = call.path_param("restapi_id"), dep = call.query_param("deploymentId");
  if (auto a = find_rest_api(*snap, api); !a) co_return call.fail(a.error());
  json::array items;
  for (const auto& [name, stage] : snap->list(api, kStage))
    if (dep.empty() || stage->at("deploymentId") == dep.c_str()) items.push_back(*stage);
  co_return call.reply(200, json::object{{"item", std::move(items)}});
}

awaitable<http::Response> get_stage(Deps& d, Call& call) {
  auto stage =
      find_in(*d.docs.snapshot(), call.path_param("restapi_id"), kStage, call.path_param("stage_name"), "Stage");
  if (!stage) co_return call.fail(not_found("Invalid stage identifier specified"));
  co_return call.reply(200, **stage);
}

awaitable<http::Response> update_stage(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  auto ops = patch_ops(*in);
  if (!ops) co_return call.fail(ops.error());
  std::string api = call.path_param("restapi_id"), name = call.path_param("stage_name");
  Doc updated;
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    auto stage = find_in(current, api, kStage, name, "Stage");
    if (!stage) return base::Status(not_found("Invalid stage identifier specified"));
    updated = **stage;
    for (const auto& op : *ops)
      if (auto s = apply_stage_patch(current, api, updated, op); !s) return s;
    updated["lastUpdatedDate"] = base::now_ms() / 1000;
    changes.push_back(Change::put(api, kStage, name, updated));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(200, updated);
}

awaitable<http::Response> delete_stage(Deps& d, Call& call) {
  std::string api = call.path_param("restapi_id"), name = call.path_param("stage_name");
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto s = find_in(current, api, kStage, name, "Stage"); !s)
      return base::Status(not_found("Invalid stage identifier specified"));
    changes.push_back(Change::erase(api, kStage, name));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(202, json::object{});
}

}  // namespace nimbus::apigateway_api::v1
