// Deployments of HTTP APIs: what a stage serves is a frozen copy of the API's
// routes, integrations, authorizers and CORS configuration, taken when the
// deployment is made; autoDeploy stages get a new one after every change.
#include <boost/json/array.hpp>

#include "apigateway_api/call.h"
#include "base/arn.h"

namespace nimbus::apigateway_api::v2 {

namespace {

// The documents of a kind as they will be once `pending` commits.
std::map<std::string, Doc> after(const Snapshot& current, const std::vector<Change>& pending, const std::string& api,
                                 const std::string& kind) {
  std::map<std::string, Doc> out;
  for (const auto& [id, doc] : current.list(api, kind)) out[id] = *doc;
  for (const auto& c : pending) {
    if (c.scope != api) continue;
    if (c.kind.empty()) out.clear();
    if (c.kind != kind) continue;
    if (c.doc)
      out[c.id] = *c.doc;
    else
      out.erase(c.id);
  }
  return out;
}

json::array values(const std::map<std::string, Doc>& docs) {
  json::array out;
  for (const auto& [id, doc] : docs) out.push_back(doc);
  return out;
}

}  // namespace

base::Result<const Doc*> find_api(const Snapshot& s, const std::string& api_id) {
  const Doc* api = s.find(api_id, kApi, api_id);
  if (!api) return not_found("Invalid API identifier specified " + std::string(base::kAccountId) + ":" + api_id);
  return api;
}

Doc deploy(const Snapshot& current, const std::vector<Change>& pending, const std::string& api,
           const std::string& description, bool auto_deployed, std::vector<Change>& changes) {
  std::string id = gateway::new_id(6);
  Doc content;
  auto apis = after(current, pending, api, kApi);
  content["api"] = apis.count(api) ? apis[api] : Doc{};
  content["routes"] = values(after(current, pending, api, kRoute));
  content["integrations"] = values(after(current, pending, api, kIntegration));
  content["authorizers"] = values(after(current, pending, api, kAuthorizer));
  changes.push_back(Change::put(api, kDeploymentContent, id, std::move(content)));
  Doc doc{{"deploymentId", id},
          {"deploymentStatus", "DEPLOYED"},
          {"createdDate", now_iso8601()},
          {"autoDeployed", auto_deployed}};
  if (!description.empty()) doc["description"] = description;
  changes.push_back(Change::put(api, kDeployment, id, doc));
  return doc;
}

void auto_deploy(const Snapshot& current, std::vector<Change>& changes, const std::string& api) {
  auto stages = after(current, changes, api, kStage);
  std::map<std::string, int> uses;  // deployment -> stages pointing at it
  for (const auto& [name, stage] : stages)
    if (const auto* dep = stage.if_contains("deploymentId"); dep && dep->is_string()) ++uses[std::string(dep->as_string())];
  for (auto& [name, stage] : stages) {
    const auto* on = stage.if_contains("autoDeploy");
    if (!on || !on->is_bool() || !on->as_bool()) continue;
    Doc dep = deploy(current, changes, api, "Automatic deployment triggered by changes to the Api configuration",
                     true, changes);
    // The stage's previous automatic deployment goes when nothing else serves it.
    if (const auto* old = stage.if_contains("deploymentId"); old && old->is_string()) {
      std::string old_id(old->as_string());
      const Doc* old_doc = current.find(api, kDeployment, old_id);
      if (old_doc && old_doc->contains("autoDeployed") && old_doc->at("autoDeployed") == true && --uses[old_id] == 0) {
        changes.push_back(Change::erase(api, kDeployment, old_id));
        changes.push_back(Change::erase(api, kDeploymentContent, old_id));
      }
    }
    stage["deploymentId"] = dep["deploymentId"];
    stage["lastUpdatedDate"] = now_iso8601();
    stage["lastDeploymentStatusMessage"] =
        "Successfully deployed stage with deployment ID '" + std::string(dep["deploymentId"].as_string()) + "'";
    changes.push_back(Change::put(api, kStage, name, stage));
  }
}

}  // namespace nimbus::apigateway_api::v2
