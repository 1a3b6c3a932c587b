// Private to apigateway_api/: REST APIs (API Gateway v1, `aws apigateway`),
// one file per family of operations, and what they share: the document kinds
// (scope = the REST API's id; API keys and usage plans belong to the account,
// scope ""), v1's patchOperations, and the deployment freezer.
// THREADING RULE: as call.h — operations on io threads, writes through
// Deps::update on the blocking pool, reads from the snapshot.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <vector>

#include "apigateway_api/call.h"

namespace nimbus::apigateway_api::v1 {

constexpr const char* kRestApi = "restapi";
constexpr const char* kResource = "rest-resource";
constexpr const char* kStage = "rest-stage";
constexpr const char* kDeployment = "rest-deployment";
constexpr const char* kDeploymentContent = "rest-deployment-content";  // never rendered
constexpr const char* kAuthorizer = "rest-authorizer";
constexpr const char* kValidator = "rest-validator";
constexpr const char* kModel = "rest-model";
constexpr const char* kApiKey = "apikey";              // scope ""
constexpr const char* kUsagePlan = "usageplan";        // scope ""
constexpr const char* kUsagePlanKey = "usageplan-key"; // scope "", id "<plan>/<key>"

base::Result<const Doc*> find_rest_api(const Snapshot& s, const std::string& id);
base::Result<const Doc*> find_in(const Snapshot& s, const std::string& api, const char* kind, const std::string& id,
                                 const std::string& what);

// One of v1's patchOperations: {"op","path","value","from"}.
struct PatchOp {
  std::string op;    // add, remove, replace, move, copy
  std::string path;  // "/name", "/variables/env", "/*/*/throttling/rateLimit"
  std::string value;
  bool has_value = false;
};
base::Result<std::vector<PatchOp>> patch_ops(const json::object& body);
// Splits a patch path into its segments, "~1" read as '/' and "~0" as '~'.
std::vector<std::string> patch_segments(const std::string& path);
// kNotImplemented naming the op and path: nimbus refuses what it does not apply.
base::Error unsupported_patch(const PatchOp& op, std::string_view what);
// "true"/"false" or a number in a patch value.
base::Result<bool> patch_bool(const PatchOp& op);
base::Result<double> patch_number(const PatchOp& op);

// A new deployment of `api` (as `current`): the frozen copy of its resources,
// methods, authorizers, validators and models. Fails when there is nothing to serve.
base::Result<Doc> deploy(const Snapshot& current, const std::string& api, const std::string& description,
                         std::vector<Change>& changes);

// v1_rest_api_ops.cc
boost::asio::awaitable<http::Response> create_rest_api(Deps&, Call&);
boost::asio::awaitable<http::Response> get_rest_apis(Deps&, Call&);
boost::asio::awaitable<http::Response> get_rest_api(Deps&, Call&);
boost::asio::awaitable<http::Response> update_rest_api(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_rest_api(Deps&, Call&);
boost::asio::awaitable<http::Response> get_tags(Deps&, Call&);
boost::asio::awaitable<http::Response> tag_resource(Deps&, Call&);
boost::asio::awaitable<http::Response> untag_resource(Deps&, Call&);
// v1_resource_ops.cc: resources, methods, integrations and their responses
boost::asio::awaitable<http::Response> get_resources(Deps&, Call&);
boost::asio::awaitable<http::Response> get_resource(Deps&, Call&);
boost::asio::awaitable<http::Response> create_resource(Deps&, Call&);
boost::asio::awaitable<http::Response> update_resource(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_resource(Deps&, Call&);
boost::asio::awaitable<http::Response> put_method(Deps&, Call&);
boost::asio::awaitable<http::Response> get_method(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_method(Deps&, Call&);
boost::asio::awaitable<http::Response> update_method(Deps&, Call&);
boost::asio::awaitable<http::Response> put_integration(Deps&, Call&);
boost::asio::awaitable<http::Response> get_integration(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_integration(Deps&, Call&);
boost::asio::awaitable<http::Response> update_integration(Deps&, Call&);
boost::asio::awaitable<http::Response> put_method_response(Deps&, Call&);
boost::asio::awaitable<http::Response> get_method_response(Deps&, Call&);
boost::asio::awaitable<http::Response> put_integration_response(Deps&, Call&);
boost::asio::awaitable<http::Response> get_integration_response(Deps&, Call&);
// v1_stage_ops.cc: deployments and stages
boost::asio::awaitable<http::Response> create_deployment(Deps&, Call&);
boost::asio::awaitable<http::Response> get_deployments(Deps&, Call&);
boost::asio::awaitable<http::Response> get_deployment(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_deployment(Deps&, Call&);
boost::asio::awaitable<http::Response> update_deployment(Deps&, Call&);
boost::asio::awaitable<http::Response> create_stage(Deps&, Call&);
boost::asio::awaitable<http::Response> get_stages(Deps&, Call&);
boost::asio::awaitable<http::Response> get_stage(Deps&, Call&);
boost::asio::awaitable<http::Response> update_stage(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_stage(Deps&, Call&);
// v1_authorizer_ops.cc: authorizers, request validators, models
boost::asio::awaitable<http::Response> create_authorizer(Deps&, Call&);
boost::asio::awaitable<http::Response> get_authorizers(Deps&, Call&);
boost::asio::awaitable<http::Response> get_authorizer(Deps&, Call&);
boost::asio::awaitable<http::Response> update_authorizer(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_authorizer(Deps&, Call&);
boost::asio::awaitable<http::Response> create_request_validator(Deps&, Call&);
boost::asio::awaitable<http::Response> get_request_validators(Deps&, Call&);
boost::asio::awaitable<http::Response> get_request_validator(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_request_validator(Deps&, Call&);
boost::asio::awaitable<http::Response> create_model(Deps&, Call&);
boost::asio::awaitable<http::Response> get_models(Deps&, Call&);
boost::asio::awaitable<http::Response> get_model(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_model(Deps&, Call&);
// v1_key_ops.cc: API keys and usage plans (the account's)
boost::asio::awaitable<http::Response> create_api_key(Deps&, Call&);
boost::asio::awaitable<http::Response> get_api_keys(Deps&, Call&);
boost::asio::awaitable<http::Response> get_api_key(Deps&, Call&);
boost::asio::awaitable<http::Response> update_api_key(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_api_key(Deps&, Call&);
boost::asio::awaitable<http::Response> create_usage_plan(Deps&, Call&);
boost::asio::awaitable<http::Response> get_usage_plans(Deps&, Call&);
boost::asio::awaitable<http::Response> get_usage_plan(Deps&, Call&);
boost::asio::awaitable<http::Response> update_usage_plan(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_usage_plan(Deps&, Call&);
boost::asio::awaitable<http::Response> create_usage_plan_key(Deps&, Call&);
boost::asio::awaitable<http::Response> get_usage_plan_keys(Deps&, Call&);
boost::asio::awaitable<http::Response> get_usage_plan_key(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_usage_plan_key(Deps&, Call&);
// v1_usage_ops.cc: usage plans' counts (gateway/usage.h)
boost::asio::awaitable<http::Response> get_usage(Deps&, Call&);
boost::asio::awaitable<http::Response> update_usage(Deps&, Call&);

}  // namespace nimbus::apigateway_api::v1
