#include "apigateway_api/routes.h"

#include "apigateway_api/v1.h"

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
    {"PATCH", "/v2/apis/{apiId}/deployments/{deploymentId}", "UpdateDeployment", update_deployment},
    {"DELETE", "/v2/apis/{apiId}/deployments/{deploymentId}", "DeleteDeployment", delete_deployment},
    {"POST", "/v2/apis/{apiId}/authorizers", "CreateAuthorizer", create_authorizer},
    {"GET", "/v2/apis/{apiId}/authorizers", "GetAuthorizers", get_authorizers},
    {"GET", "/v2/apis/{apiId}/authorizers/{authorizerId}", "GetAuthorizer", get_authorizer},
    {"PATCH", "/v2/apis/{apiId}/authorizers/{authorizerId}", "UpdateAuthorizer", update_authorizer},
    {"DELETE", "/v2/apis/{apiId}/authorizers/{authorizerId}", "DeleteAuthorizer", delete_authorizer},
    {"GET", "/v2/tags/{resource-arn+}", "GetTags", get_tags},
    {"POST", "/v2/tags/{resource-arn+}", "TagResource", tag_resource},
    {"DELETE", "/v2/tags/{resource-arn+}", "UntagResource", untag_resource},
    // REST APIs (apigateway v1, v1_*.cc)
    {"POST", "/restapis", "CreateRestApi", v1::create_rest_api},
    {"GET", "/restapis", "GetRestApis", v1::get_rest_apis},
    {"GET", "/restapis/{restapi_id}", "GetRestApi", v1::get_rest_api},
    {"PATCH", "/restapis/{restapi_id}", "UpdateRestApi", v1::update_rest_api},
    {"DELETE", "/restapis/{restapi_id}", "DeleteRestApi", v1::delete_rest_api},
    {"GET", "/restapis/{restapi_id}/resources", "GetResources", v1::get_resources},
    {"POST", "/restapis/{restapi_id}/resources/{parent_id}", "CreateResource", v1::create_resource},
    {"GET", "/restapis/{restapi_id}/resources/{resource_id}", "GetResource", v1::get_resource},
    {"PATCH", "/restapis/{restapi_id}/resources/{resource_id}", "UpdateResource", v1::update_resource},
    {"DELETE", "/restapis/{restapi_id}/resources/{resource_id}", "DeleteResource", v1::delete_resource},
    {"PUT", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}", "PutMethod", v1::put_method},
    {"GET", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}", "GetMethod", v1::get_method},
    {"PATCH", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}", "UpdateMethod", v1::update_method},
    {"DELETE", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}", "DeleteMethod", v1::delete_method},
    {"PUT", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration", "PutIntegration",
     v1::put_integration},
    {"GET", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration", "GetIntegration",
     v1::get_integration},
    {"PATCH", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration", "UpdateIntegration",
     v1::update_integration},
    {"DELETE", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration",
     "DeleteIntegration", v1::delete_integration},
    {"PUT", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}",
     "PutMethodResponse", v1::put_method_response},
    {"GET", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}",
     "GetMethodResponse", v1::get_method_response},
    {"PUT", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}",
     "PutIntegrationResponse", v1::put_integration_response},
    {"GET", "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}",
     "GetIntegrationResponse", v1::get_integration_response},
    {"POST", "/restapis/{restapi_id}/deployments", "CreateDeployment", v1::create_deployment},
    {"GET", "/restapis/{restapi_id}/deployments", "GetDeployments", v1::get_deployments},
    {"GET", "/restapis/{restapi_id}/deployments/{deployment_id}", "GetDeployment", v1::get_deployment},
    {"PATCH", "/restapis/{restapi_id}/deployments/{deployment_id}", "UpdateDeployment", v1::update_deployment},
    {"DELETE", "/restapis/{restapi_id}/deployments/{deployment_id}", "DeleteDeployment", v1::delete_deployment},
    {"POST", "/restapis/{restapi_id}/stages", "CreateStage", v1::create_stage},
    {"GET", "/restapis/{restapi_id}/stages", "GetStages", v1::get_stages},
    {"GET", "/restapis/{restapi_id}/stages/{stage_name}", "GetStage", v1::get_stage},
    {"PATCH", "/restapis/{restapi_id}/stages/{stage_name}", "UpdateStage", v1::update_stage},
    {"DELETE", "/restapis/{restapi_id}/stages/{stage_name}", "DeleteStage", v1::delete_stage},
    {"POST", "/restapis/{restapi_id}/authorizers", "CreateAuthorizer", v1::create_authorizer},
    {"GET", "/restapis/{restapi_id}/authorizers", "GetAuthorizers", v1::get_authorizers},
    {"GET", "/restapis/{restapi_id}/authorizers/{authorizer_id}", "GetAuthorizer", v1::get_authorizer},
    {"PATCH", "/restapis/{restapi_id}/authorizers/{authorizer_id}", "UpdateAuthorizer", v1::update_authorizer},
    {"DELETE", "/restapis/{restapi_id}/authorizers/{authorizer_id}", "DeleteAuthorizer", v1::delete_authorizer},
    {"POST", "/restapis/{restapi_id}/requestvalidators", "CreateRequestValidator", v1::create_request_validator},
    {"GET", "/restapis/{restapi_id}/requestvalidators", "GetRequestValidators", v1::get_request_validators},
    {"GET", "/restapis/{restapi_id}/requestvalidators/{requestvalidator_id}", "GetRequestValidator",
     v1::get_request_validator},
    {"DELETE", "/restapis/{restapi_id}/requestvalidators/{requestvalidator_id}", "DeleteRequestValidator",
     v1::delete_request_validator},
    {"POST", "/restapis/{restapi_id}/models", "CreateModel", v1::create_model},
    {"GET", "/restapis/{restapi_id}/models", "GetModels", v1::get_models},
    {"GET", "/restapis/{restapi_id}/models/{model_name}", "GetModel", v1::get_model},
    {"DELETE", "/restapis/{restapi_id}/models/{model_name}", "DeleteModel", v1::delete_model},
    {"POST", "/apikeys", "CreateApiKey", v1::create_api_key},
    {"GET", "/apikeys", "GetApiKeys", v1::get_api_keys},
    {"GET", "/apikeys/{api_Key}", "GetApiKey", v1::get_api_key},
    {"PATCH", "/apikeys/{api_Key}", "UpdateApiKey", v1::update_api_key},
    {"DELETE", "/apikeys/{api_Key}", "DeleteApiKey", v1::delete_api_key},
    {"POST", "/usageplans", "CreateUsagePlan", v1::create_usage_plan},
    {"GET", "/usageplans", "GetUsagePlans", v1::get_usage_plans},
    {"GET", "/usageplans/{usageplanId}", "GetUsagePlan", v1::get_usage_plan},
    {"PATCH", "/usageplans/{usageplanId}", "UpdateUsagePlan", v1::update_usage_plan},
    {"DELETE", "/usageplans/{usageplanId}", "DeleteUsagePlan", v1::delete_usage_plan},
    {"POST", "/usageplans/{usageplanId}/keys", "CreateUsagePlanKey", v1::create_usage_plan_key},
    {"GET", "/usageplans/{usageplanId}/keys", "GetUsagePlanKeys", v1::get_usage_plan_keys},
    {"GET", "/usageplans/{usageplanId}/keys/{keyId}", "GetUsagePlanKey", v1::get_usage_plan_key},
    {"DELETE", "/usageplans/{usageplanId}/keys/{keyId}", "DeleteUsagePlanKey", v1::delete_usage_plan_key},
    {"GET", "/usageplans/{usageplanId}/usage", "GetUsage", v1::get_usage},
    {"PATCH", "/usageplans/{usageplanId}/keys/{keyId}/usage", "UpdateUsage", v1::update_usage},
    {"GET", "/tags/{resource_arn+}", "GetTags", v1::get_tags},
    {"PUT", "/tags/{resource_arn+}", "TagResource", v1::tag_resource},
    {"DELETE", "/tags/{resource_arn+}", "UntagResource", v1::untag_resource},
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
