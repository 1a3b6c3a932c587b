// Private to lambda_api/: what operations need to serve a request (Deps), one
// request in flight (Call), and the operations themselves, one function each,
// by family (one .cc per family).
// THREADING RULE: operations run on io threads; every registry write and
// listing goes to the blocking pool (co_await on_pool(...)), reads of one
// definition do not (the registry answers them from memory).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/service.h"
#include "base/encoding.h"
#include "base/result.h"
#include "functions/registry.h"
#include "http/message.h"
#include "http/offload.h"
#include "lambda_api/errors.h"
#include "lambda_api/invocations.h"
#include "lambda_api/render.h"
#include "lambda_api/requests.h"
#include "lambda_api/service.h"

namespace nimbus::lambda_api {

struct Deps {
  functions::Registry& registry;
  Invocations& invocations;
  boost::asio::thread_pool& blocking;
  const Options& options;

  // Runs fn (a registry write or listing: SQLite, fsync) on the blocking pool.
  template <typename F>
  auto on_pool(F fn) {
    return http::offload(blocking, std::move(fn));
  }
  // A concurrency no larger than the instances nimbus runs at all: each is a process.
  base::Result<int> within_instances(base::Result<int> n, const char* field) const;
};

// One Lambda request: the protocol layer's Call (the authenticated request,
// its body and request id; replies and errors in rest-json) plus what the
// route table captured from the path and the URL's query.
struct Call {
  aws::Call& aws;
  http::Request& req;
  std::string& body;
  std::map<std::string, std::string> path;  // {FunctionName}, {Name}
  std::vector<base::QueryParam> query;

  Call(aws::Call& call, std::map<std::string, std::string> path_params)
      : aws(call), req(call.request), body(call.body), path(std::move(path_params)),
        query(base::parse_query(call.url_query())) {}

  std::string path_param(const std::string& name) const {
    auto it = path.find(name);
    return it == path.end() ? std::string() : it->second;
  }
  std::string query_param(std::string_view key) const {
    for (const auto& p : query)
      if (p.key == key) return p.value;
    return {};
  }
  base::Result<boost::json::object> json() const { return parse_body(body); }
  // {FunctionName} as a reference.
  base::Result<FunctionRef> function() const { return parse_ref(path_param("FunctionName")); }
  // The same, its qualifier taken from ?Qualifier= when the name carries none.
  base::Result<FunctionRef> qualified_function() const {
    auto ref = function();
    if (ref && ref->qualifier.empty()) ref->qualifier = query_param("Qualifier");
    return ref;
  }

  http::Response fail(const base::Error& e) const { return aws.fail(e); }  // through errors.cc's table
  http::Response fail(ErrorType type, std::string message) const { return aws.fail(lambda_error(type, std::move(message))); }
  // A JSON reply with the request id; 204 carries no body.
  http::Response reply(int status, const boost::json::value& v) const {
    if (status != 204) return aws.reply(v, status);
    http::Response r;
    r.status = 204;
    r.set("Content-Type", "application/json");
    r.set("x-amzn-RequestId", aws.request_id);
    return r;
  }
};

using Handler = boost::asio::awaitable<http::Response> (*)(Deps&, Call&);

// Options::check_target for a destination or dead-letter target that is set
// (empty and S3 buckets pass): InvalidParameterValueException naming the ARN
// when it cannot take nimbus's messages. Blocks: on the pool.
base::Status check_target(const Options& options, const std::string& arn);

// Functions: CRUD and code (function_ops.cc)
boost::asio::awaitable<http::Response> create_function(Deps&, Call&);
boost::asio::awaitable<http::Response> list_functions(Deps&, Call&);
boost::asio::awaitable<http::Response> get_function(Deps&, Call&);
boost::asio::awaitable<http::Response> get_function_configuration(Deps&, Call&);
boost::asio::awaitable<http::Response> update_function_configuration(Deps&, Call&);
boost::asio::awaitable<http::Response> update_function_code(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_function(Deps&, Call&);
// Invoke (invoke_ops.cc)
boost::asio::awaitable<http::Response> invoke(Deps&, Call&);
// InvokeWithResponseStream (stream_invoke_ops.cc)
boost::asio::awaitable<http::Response> invoke_with_response_stream(Deps&, Call&);
// Versions (version_ops.cc)
boost::asio::awaitable<http::Response> publish_version(Deps&, Call&);
boost::asio::awaitable<http::Response> list_versions(Deps&, Call&);
// Aliases (alias_ops.cc)
boost::asio::awaitable<http::Response> create_alias(Deps&, Call&);
boost::asio::awaitable<http::Response> list_aliases(Deps&, Call&);
boost::asio::awaitable<http::Response> get_alias(Deps&, Call&);
boost::asio::awaitable<http::Response> update_alias(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_alias(Deps&, Call&);
// Reserved and provisioned concurrency (concurrency_ops.cc)
boost::asio::awaitable<http::Response> put_function_concurrency(Deps&, Call&);
boost::asio::awaitable<http::Response> get_function_concurrency(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_function_concurrency(Deps&, Call&);
boost::asio::awaitable<http::Response> put_provisioned_concurrency_config(Deps&, Call&);
boost::asio::awaitable<http::Response> get_provisioned_concurrency_config(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_provisioned_concurrency_config(Deps&, Call&);
// Event invoke config (event_invoke_config_ops.cc)
boost::asio::awaitable<http::Response> put_function_event_invoke_config(Deps&, Call&);
boost::asio::awaitable<http::Response> update_function_event_invoke_config(Deps&, Call&);
boost::asio::awaitable<http::Response> get_function_event_invoke_config(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_function_event_invoke_config(Deps&, Call&);
boost::asio::awaitable<http::Response> list_function_event_invoke_configs(Deps&, Call&);
// Resource-based policy (policy_ops.cc)
boost::asio::awaitable<http::Response> add_permission(Deps&, Call&);
boost::asio::awaitable<http::Response> remove_permission(Deps&, Call&);
boost::asio::awaitable<http::Response> get_policy(Deps&, Call&);
// Tags (tag_ops.cc); parse_tags reads CreateFunction's and TagResource's Tags.
boost::asio::awaitable<http::Response> list_tags(Deps&, Call&);
boost::asio::awaitable<http::Response> tag_resource(Deps&, Call&);
boost::asio::awaitable<http::Response> untag_resource(Deps&, Call&);
base::Result<functions::Registry::Tags> parse_tags(const boost::json::object& in);
// Account settings, code signing and runtime management (settings_ops.cc)
boost::asio::awaitable<http::Response> get_account_settings(Deps&, Call&);
boost::asio::awaitable<http::Response> get_function_code_signing_config(Deps&, Call&);
boost::asio::awaitable<http::Response> put_function_code_signing_config(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_function_code_signing_config(Deps&, Call&);
boost::asio::awaitable<http::Response> get_runtime_management_config(Deps&, Call&);
boost::asio::awaitable<http::Response> put_runtime_management_config(Deps&, Call&);
// Event source mappings (event_source_mapping_ops.cc); tag_ops hands an
// event source mapping's ARN to the *_mapping_tags operations.
boost::asio::awaitable<http::Response> create_event_source_mapping(Deps&, Call&);
boost::asio::awaitable<http::Response> get_event_source_mapping(Deps&, Call&);
boost::asio::awaitable<http::Response> update_event_source_mapping(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_event_source_mapping(Deps&, Call&);
boost::asio::awaitable<http::Response> list_event_source_mappings(Deps&, Call&);
bool is_mapping_arn(const std::string& arn);
boost::asio::awaitable<http::Response> list_mapping_tags(Deps&, Call&);
boost::asio::awaitable<http::Response> tag_mapping(Deps&, Call&);
boost::asio::awaitable<http::Response> untag_mapping(Deps&, Call&);
// Function URLs (url_ops.cc)
boost::asio::awaitable<http::Response> create_function_url_config(Deps&, Call&);
boost::asio::awaitable<http::Response> get_function_url_config(Deps&, Call&);
boost::asio::awaitable<http::Response> update_function_url_config(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_function_url_config(Deps&, Call&);
boost::asio::awaitable<http::Response> list_function_url_configs(Deps&, Call&);

}  // namespace nimbus::lambda_api
