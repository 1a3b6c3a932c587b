#include "apigateway_api/routes.h"

namespace nimbus::apigateway_api {

namespace {

struct Row {
  const char* method;
  const char* path;
  const char* operation;
  Handler handler;
};

constexpr Row kRows[] = {
    // HTTP APIs (apigatewayv2)
    {"POST", "/v2/apis", "CreateApi", create_api},
    {"GET", "/v2/apis", "GetApis", get_apis},
    {"GET", "/v2/apis/{apiId}", "GetApi", get_api},
    {"PATCH", "/v2/apis/{apiId}", "UpdateApi", update_api},
    {"DELETE", "/v2/apis/{apiId}", "DeleteApi", delete_api},
    {"POST", "/v2/apis/{apiId}/routes", "CreateRoute", create_route},
    {"GET", "/v2/apis/{apiId}/routes", "GetRoutes", get_routes},
    {"GET", "/v2/apis/{apiId}/routes/{routeId}", "GetRoute", get_route},
    {"PATCH", "/v2/apis/{apiId}/routes/{routeId}", "UpdateRoute", update_route},
    {"DELETE", "/v2/apis/{apiId}/routes/{routeId}", "DeleteRoute", delete_route},
    {"POST", "/v2/apis/{apiId}/integrations", "CreateIntegration", create_integration},
    {"GET", "/v2/apis/{apiId}/integrations", "GetIntegrations", get_integrations},
    {"GET", "/v2/apis/{apiId}/integrations/{integrationId}", "GetIntegration", get_integration},
    {"PATCH", "/v2/apis/{apiId}/integrations/{integrationId}", "UpdateIntegration", update_integration},
    {"DELETE", "/v2/apis/{apiId}/integrations/{integrationId}", "DeleteIntegration", delete_integration},
    {"POST", "/v2/apis/{apiId}/stages", "CreateStage", create_stage},
    {"GET", "/v2/apis/{apiId}/stages", "GetStages", get_stages},
    {"GET", "/v2/apis/{apiId}/stages/{stageName}", "GetStage", get_stage},
    {"PATCH", "/v2/apis/{apiId}/stages/{stageName}", "UpdateStage", update_stage},
    {"DELETE", "/v2/apis/{apiId}/stages/{stageName}", "DeleteStage", delete_stage},
    {"DELETE", "/v2/apis/{apiId}/stages/{stageName}/accesslogsettings", "DeleteAccessLogSettings",
     delete_access_log_settings},
    {"POST", "/v2/apis/{apiId}/deployments", "CreateDeployment", create_deployment},
    {"GET", "/v2/apis/{apiId}/deployments", "GetDeployments", get_deployments},
    {"GET", "/v2/apis/{apiId}/deployments/{deploymentId}", "GetDeployment", get_deployment},
    {"DELETE", "/v2/apis/{apiId}/deployments/{deploymentId}", "DeleteDeployment", delete_deployment},
    {"POST", "/v2/apis/{apiId}/authorizers", "CreateAuthorizer", create_authorizer},
    {"GET", "/v2/apis/{apiId}/authorizers", "GetAuthorizers", get_authorizers},
    {"GET", "/v2/apis/{apiId}/authorizers/{authorizerId}", "GetAuthorizer", get_authorizer},
    {"PATCH", "/v2/apis/{apiId}/authorizers/{authorizerId}", "UpdateAuthorizer", update_authorizer},
    {"DELETE", "/v2/apis/{apiId}/authorizers/{authorizerId}", "DeleteAuthorizer", delete_authorizer},
    {"GET", "/v2/tags/{resource-arn+}", "GetTags", get_tags},
    {"POST", "/v2/tags/{resource-arn+}", "TagResource", tag_resource},
    {"DELETE", "/v2/tags/{resource-arn+}", "UntagResource", untag_resource},
};

}  // namespace

const aws::RouteTable<Handler>& routes() {
  static const aws::RouteTable<Handler> table = [] {
    aws::RouteTable<Handler> t;
    for (const auto& r : kRows) t.add(r.method, r.path, r.operation, r.handler);
    return t;
  }();
  return table;
}

}  // namespace nimbus::apigateway_api
