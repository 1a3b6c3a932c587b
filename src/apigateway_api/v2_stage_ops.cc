// HTTP APIs' stages and deployments. A stage serves one deployment (a frozen
// copy of the API, v2_deploy.cc); an autoDeploy stage is redeployed after
// every change, others when CreateDeployment names them.
#include <boost/json/array.hpp>
#include <regex>

#include "apigateway_api/call.h"

namespace nimbus::apigateway_api {

using boost::asio::awaitable;

namespace {

base::Error unsupported(std::string what) {
  return base::make_error(base::ErrorCode::kNotImplemented, "nimbus does not support " + what + " yet");
}

// Throttling is served (execute_api/token_bucket.h); logging settings are
// WebSocket APIs' and refused by name.
base::Status check_route_settings(const json::value& v) {
  json::object checked;
  if (auto s = take_members(v.as_object(),
                            {{"detailedMetricsEnabled", JsonType::kBool},
                             {"throttlingBurstLimit", JsonType::kInt},
                             {"throttlingRateLimit", JsonType::kNumber}},
                            checked, "route settings");
      !s)
    return s;
  if (const auto* b = checked.if_contains("throttlingBurstLimit"); b && b->to_number<int64_t>() < 0)
    return bad_request("throttlingBurstLimit must not be negative");
  if (const auto* r = checked.if_contains("throttlingRateLimit"); r && r->to_number<double>() < 0)
    return bad_request("throttlingRateLimit must not be negative");
  return {};
}

// accessLogSettings: a CloudWatch Logs group (Firehose streams are not
// served) and a format that names the request id, as AWS requires; the data
// plane writes one line per request (execute_api/access_log.h).
base::Status check_access_log_settings(const json::value& v) {
  json::object checked;
  if (auto s = take_members(v.as_object(), {{"destinationArn", JsonType::kString}, {"format", JsonType::kString}},
                            checked, "access log settings");
      !s)
    return s;
  if (checked.empty()) return {};  // no destination: access logging off
  const auto* arn = checked.if_contains("destinationArn");
  const auto* format = checked.if_contains("format");
  if (!arn || !format) return bad_request("Access log settings need both destinationArn and format");
  std::string a(arn->as_string());
  if (a.starts_with("arn:aws:firehose:")) return unsupported("access logs to Kinesis Data Firehose");
  static const std::regex kGroup("arn:aws:logs:[a-z0-9-]+:[0-9]{12}:log-group:[A-Za-z0-9_./#-]{1,512}(:\\*)?");
  if (!std::regex_match(a, kGroup)) return bad_request("Invalid destinationArn " + a + ": not a CloudWatch Logs log group ARN");
  if (std::string(format->as_string()).find("$context.requestId") == std::string::npos)
    return bad_request("Access log format must include at least $context.requestId");
  return {};
}

base::Status take_stage_members(const json::object& in, json::object& doc) {
  if (auto s = take_members(in,
                            {{"stageName", JsonType::kString},
                             {"autoDeploy", JsonType::kBool},
                             {"deploymentId", JsonType::kString},
                             {"accessLogSettings", JsonType::kObject},
                             {"description", JsonType::kString},
                             {"defaultRouteSettings", JsonType::kObject},
                             {"routeSettings", JsonType::kObject},
                             {"stageVariables", JsonType::kStringMap},
                             {"tags", JsonType::kStringMap}},
                            doc, "a stage of an HTTP API");
      !s)
    return s;
  if (const auto* r = doc.if_contains("defaultRouteSettings"))
    if (auto s = check_route_settings(*r); !s) return s;
  if (const auto* r = doc.if_contains("accessLogSettings"))
    if (auto s = check_access_log_settings(*r); !s) return s;
  if (const auto* r = doc.if_contains("routeSettings"))
    for (const auto& [key, settings] : r->as_object()) {
      if (!settings.is_object()) return bad_request("routeSettings." + std::string(key) + " must be an object");
      if (auto s = check_route_settings(settings); !s) return s;
    }
  if (const auto* v = doc.if_contains("stageVariables")) {
    static const std::regex kName("[A-Za-z0-9_]{1,64}");
    static const std::regex kValue("[A-Za-z0-9\\-._~:/?#&=,]{0,512}");
    for (const auto& [k, x] : v->as_object()) {
      if (!std::regex_match(std::string(k), kName))
        return bad_request("Invalid stage variable name " + std::string(k) + ": [A-Za-z0-9_]{1,64}");
      if (!std::regex_match(std::string(x.as_string()), kValue))
        return bad_request("Invalid stage variable value for " + std::string(k));
    }
  }
  return {};
}

base::Status check_stage(const Snapshot& s, const std::string& api, const Doc& stage) {
  if (auto st = require(stage, "stageName"); !st) return st;
  std::string name(stage.at("stageName").as_string());
  static const std::regex kName("[A-Za-z0-9\\-_]{1,128}");
  if (name != "$default" && !std::regex_match(name, kName))
    return bad_request("Invalid stage name " + name + ": $default or [A-Za-z0-9-_]{1,128}");
  if (const auto* dep = stage.if_contains("deploymentId"))
    if (!s.find(api, v2::kDeployment, std::string(dep->as_string())))
      return not_found("Invalid Deployment identifier specified " + std::string(dep->as_string()));
  return {};
}

base::Error no_stage(const std::string& name) { return not_found("Invalid stage identifier specified " + name); }

}  // namespace

awaitable<http::Response> create_stage(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  Doc doc;
  if (auto s = take_stage_members(*in, doc); !s) co_return call.fail(s.error());
  std::string api = call.path_param("apiId");
  std::string now = now_iso8601();
  doc["createdDate"] = now;
  doc["lastUpdatedDate"] = now;
  for (const char* m : {"defaultRouteSettings", "routeSettings", "stageVariables", "tags"})
    if (!doc.contains(m)) doc[m] = json::object{};
  if (!doc.contains("autoDeploy")) doc["autoDeploy"] = false;
  doc["apiGatewayManaged"] = false;
  Doc stored;
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto a = v2::find_api(current, api); !a) return base::Status(a.error());
    if (auto s = check_stage(current, api, doc); !s) return s;
    std::string name(doc.at("stageName").as_string());
    if (current.find(api, v2::kStage, name))
      return base::Status(base::make_error(base::ErrorCode::kConflict, "Stage " + name + " already exists"));
    changes.push_back(Change::put(api, v2::kStage, name, doc));
    v2::auto_deploy(current, changes, api);
    for (const auto& c : changes)
      if (c.kind == v2::kStage && c.id == name) stored = *c.doc;
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(201, stored);
}

awaitable<http::Response> get_stages(Deps& d, Call& call) {
  auto snap = d.docs.snapshot();
  std::string api = call.path_param("apiId");
  if (auto a = v2::find_api(*snap, api); !a) co_return call.fail(a.error());
  json::array items;
  for (const auto& [id, doc] : snap->list(api, v2::kStage)) items.push_back(*doc);
  auto page = page_of(call, std::move(items), Paging::kV2);
  if (!page) co_return call.fail(page.error());
  co_return call.reply(200, *page);
}

awaitable<http::Response> get_stage(Deps& d, Call& call) {
  auto snap = d.docs.snapshot();
  std::string api = call.path_param("apiId"), name = call.path_param("stageName");
  if (auto a = v2::find_api(*snap, api); !a) co_return call.fail(a.error());
  const Doc* doc = snap->find(api, v2::kStage, name);
  if (!doc) co_return call.fail(no_stage(name));
  co_return call.reply(200, *doc);
}

awaitable<http::Response> update_stage(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  std::string api = call.path_param("apiId"), name = call.path_param("stageName");
  if (in->contains("stageName") && in->at("stageName") != json::value(name))
    co_return call.fail(unsupported("renaming a stage"));
  Doc stored;
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto a = v2::find_api(current, api); !a) return base::Status(a.error());
    const Doc* existing = current.find(api, v2::kStage, name);
    if (!existing) return base::Status(no_stage(name));
    Doc doc = *existing;
    bool was_auto = doc.contains("autoDeploy") && doc.at("autoDeploy") == true;
    if (auto s = take_stage_members(*in, doc); !s) return s;
    if (auto s = check_stage(current, api, doc); !s) return s;
    doc["lastUpdatedDate"] = now_iso8601();
    changes.push_back(Change::put(api, v2::kStage, name, doc));
    // Turning autoDeploy on deploys at once, as AWS does.
    if (!was_auto && doc.at("autoDeploy") == true) v2::auto_deploy(current, changes, api);
    stored = doc;
    for (const auto& c : changes)
      if (c.kind == v2::kStage && c.id == name) stored = *c.doc;
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(200, stored);
}

awaitable<http::Response> delete_stage(Deps& d, Call& call) {
  std::string api = call.path_param("apiId"), name = call.path_param("stageName");
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto a = v2::find_api(current, api); !a) return base::Status(a.error());
    if (!current.find(api, v2::kStage, name)) return base::Status(no_stage(name));
    changes.push_back(Change::erase(api, v2::kStage, name));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(204, nullptr);
}

// Turns the stage's access logging off (AWS keeps no settings afterwards).
awaitable<http::Response> delete_access_log_settings(Deps& d, Call& call) {
  std::string api = call.path_param("apiId"), name = call.path_param("stageName");
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto a = v2::find_api(current, api); !a) return base::Status(a.error());
    const Doc* existing = current.find(api, v2::kStage, name);
    if (!existing) return base::Status(no_stage(name));
    Doc doc = *existing;
    doc.erase("accessLogSettings");
    doc["lastUpdatedDate"] = now_iso8601();
    changes.push_back(Change::put(api, v2::kStage, name, doc));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(204, nullptr);
}

awaitable<http::Response> create_deployment(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  json::object body;
  if (auto s = take_members(*in, {{"description", JsonType::kString}, {"stageName", JsonType::kString}}, body,
                            "a deployment");
      !s)
    co_return call.fail(s.error());
  std::string api = call.path_param("apiId");
  std::string stage = body.contains("stageName") ? std::string(body["stageName"].as_string()) : "";
  std::string description = body.contains("description") ? std::string(body["description"].as_string()) : "";
  Doc deployment;
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto a = v2::find_api(current, api); !a) return base::Status(a.error());
    const Doc* st = nullptr;
    if (!stage.empty()) {
      st = current.find(api, v2::kStage, stage);
      if (!st) return base::Status(no_stage(stage));
      if (st->contains("autoDeploy") && st->at("autoDeploy") == true)
        return base::Status(bad_request("Stage " + stage + " has autoDeploy enabled: it is deployed automatically"));
    }
    deployment = v2::deploy(current, changes, api, description, false, changes);
    if (st) {
      Doc updated = *st;
      updated["deploymentId"] = deployment["deploymentId"];
      updated["lastUpdatedDate"] = now_iso8601();
      changes.push_back(Change::put(api, v2::kStage, stage, updated));
    }
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(201, deployment);
}

awaitable<http::Response> get_deployments(Deps& d, Call& call) {
  auto snap = d.docs.snapshot();
  std::string api = call.path_param("apiId");
  if (auto a = v2::find_api(*snap, api); !a) co_return call.fail(a.error());
  json::array items;
  for (const auto& [id, doc] : snap->list(api, v2::kDeployment)) items.push_back(*doc);
  auto page = page_of(call, std::move(items), Paging::kV2);
  if (!page) co_return call.fail(page.error());
  co_return call.reply(200, *page);
}

awaitable<http::Response> get_deployment(Deps& d, Call& call) {
  auto snap = d.docs.snapshot();
  std::string api = call.path_param("apiId"), id = call.path_param("deploymentId");
  if (auto a = v2::find_api(*snap, api); !a) co_return call.fail(a.error());
  const Doc* doc = snap->find(api, v2::kDeployment, id);
  if (!doc) co_return call.fail(not_found("Invalid Deployment identifier specified " + id));
  co_return call.reply(200, *doc);
}

// UpdateDeployment: its description (what it serves is frozen).
awaitable<http::Response> update_deployment(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  json::object body;
  if (auto s = take_members(*in, {{"description", JsonType::kString}}, body, "a deployment update"); !s)
    co_return call.fail(s.error());
  std::string api = call.path_param("apiId"), id = call.path_param("deploymentId");
  Doc updated;
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto a = v2::find_api(current, api); !a) return base::Status(a.error());
    const Doc* doc = current.find(api, v2::kDeployment, id);
    if (!doc) return base::Status(not_found("Invalid Deployment identifier specified " + id));
    updated = *doc;
    if (const auto* text = body.if_contains("description")) updated["description"] = *text;
    changes.push_back(Change::put(api, v2::kDeployment, id, updated));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(200, updated);
}

awaitable<http::Response> delete_deployment(Deps& d, Call& call) {
  std::string api = call.path_param("apiId"), id = call.path_param("deploymentId");
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto a = v2::find_api(current, api); !a) return base::Status(a.error());
    if (!current.find(api, v2::kDeployment, id))
      return base::Status(not_found("Invalid Deployment identifier specified " + id));
    for (const auto& [name, stage] : current.list(api, v2::kStage))
      if (const auto* dep = stage->if_contains("deploymentId"); dep && *dep == json::value(id))
        return base::Status(bad_request("Deployment " + id + " is served by stage " + name +
                                        ": it cannot be deleted while a stage uses it"));
    changes.push_back(Change::erase(api, v2::kDeployment, id));
    changes.push_back(Change::erase(api, v2::kDeploymentContent, id));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(204, nullptr);
}

}  // namespace nimbus::apigateway_api
