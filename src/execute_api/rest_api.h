// A REST API's deployment compiled for serving: the resource tree with each
// resource's methods (their Lambda proxy integration, authorizer, API key
// requirement, validator and models), the API's authorizers, validators,
// models and binaryMediaTypes, built once from the deployment's frozen
// documents (apigateway_api/v1_common.cc) and matched per request.
// Matching walks the tree segment by segment: a literal child beats
// "{param}", which beats "{proxy+}" (one or more segments); empty segments
// (a trailing slash, "//") are ignored; the method is the resource's own or
// its ANY.
// THREADING RULE: immutable once built; RestDeploymentCache is safe from any
// thread (a mutex around its map).
#pragma once

#include <boost/json/value.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "execute_api/lambda_target.h"
#include "gateway/documents.h"

namespace nimbus::execute_api {

struct RestMethod {
  std::string verb;
  std::string authorization_type = "NONE";  // NONE, CUSTOM or AWS_IAM
  std::string authorizer_id;
  bool api_key_required = false;
  std::string validator_id;
  std::map<std::string, std::string> request_models;  // content type -> model name
  std::vector<std::string> required_headers;          // lower case
  std::vector<std::string> required_query;
  std::optional<LambdaTarget> integration;  // none: the method has no (servable) integration
  bool integration_post = true;             // AWS_PROXY must call Lambda with POST
};

struct RestResource {
  std::string id, path, part;
  enum Kind { kRoot, kLiteral, kParam, kGreedy } kind = kLiteral;
  std::string param;  // the parameter's name for kParam/kGreedy
  std::vector<size_t> children;
  std::map<std::string, RestMethod> methods;  // by verb, "ANY" included
};

struct RestAuthorizer {
  std::string id, type;  // TOKEN or REQUEST
  LambdaTarget target;
  std::vector<std::string> identity_sources;  // as written: method.request.header.X, ...
  std::string validation_expression;
  int ttl_seconds = 300;
};

struct RestValidator {
  bool body = false, parameters = false;
};

struct CompiledRestApi {
  std::vector<RestResource> resources;  // [0] is the root
  std::vector<std::string> binary_media_types;
  std::string api_key_source = "HEADER";
  std::map<std::string, RestAuthorizer> authorizers;
  std::map<std::string, RestValidator> validators;
  std::map<std::string, boost::json::value> models;  // name -> parsed schema
};

struct RestMatch {
  const RestResource* resource = nullptr;
  const RestMethod* method = nullptr;  // null: the resource has no such method (and no ANY)
  std::map<std::string, std::string> path_parameters;  // raw, as AWS passes them
};

std::shared_ptr<const CompiledRestApi> compile_rest_api(const gateway::Doc& content);

// `path`: below the stage, raw. Nothing when no resource matches.
std::optional<RestMatch> match_rest(const CompiledRestApi& api, std::string_view verb, std::string_view path);

// Whether `content_type` (a Content-Type or one Accept entry) is one of the
// API's binary media types: exact, "type/*" or "*/*".
bool is_binary_type(const std::vector<std::string>& types, std::string_view content_type);
// Whether any media type of an Accept header is binary for the API.
bool accepts_binary(const std::vector<std::string>& types, std::string_view accept);

class RestDeploymentCache {
 public:
  std::shared_ptr<const CompiledRestApi> get(const gateway::Snapshot& snap, const std::string& api,
                                             const std::string& deployment_id);

 private:
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const CompiledRestApi>> compiled_;
};

}  // namespace nimbus::execute_api
