// Private to apigateway_api/: what operations need (Deps), one request in
// flight (Call), the members an operation accepts (take_members), and the
// operations themselves, one function each, by family (one .cc per family).
// THREADING RULE: operations run on io threads; every write to the
// documents (SQLite, fsync) goes to the blocking pool (co_await d.update(...));
// reads take the documents' snapshot and never wait.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "apigateway_api/errors.h"
#include "apigateway_api/service.h"
#include "aws/service.h"
#include "base/encoding.h"
#include "base/result.h"
#include "gateway/documents.h"
#include "http/message.h"
#include "http/offload.h"

namespace nimbus::apigateway_api {

namespace json = boost::json;
using gateway::Change;
using gateway::Doc;
using gateway::Snapshot;

struct Deps {
  gateway::Documents& docs;
  boost::asio::thread_pool& blocking;
  const Options& options;

  // A documents update on the blocking pool (it fsyncs).
  auto update(gateway::Documents::Plan plan) {
    return http::offload(blocking, [this, plan = std::move(plan)] { return docs.update(plan); });
  }
  std::string api_endpoint(const std::string& api_id) const;
};

// One request: the protocol layer's Call plus the route table's captures and the URL's query.
struct Call {
  aws::Call& aws;
  std::map<std::string, std::string> path;
  std::vector<base::QueryParam> query;

  Call(aws::Call& call, std::map<std::string, std::string> path_params)
      : aws(call), path(std::move(path_params)), query(base::parse_query(call.url_query())) {}

  std::string path_param(const std::string& name) const {
    auto it = path.find(name);
    return it == path.end() ? std::string() : it->second;
  }
  std::string query_param(std::string_view key) const {
    for (const auto& p : query)
      if (p.key == key) return p.value;
    return {};
  }
  // The body as a JSON object ("{}" when empty); BadRequestException otherwise.
  base::Result<json::object> json_body() const;
  http::Response fail(const base::Error& e) const { return aws.fail(e); }
  http::Response fail(ErrorType type, std::string message) const {
    return aws.fail(gateway_error(type, std::move(message)));
  }
  http::Response reply(int status, const json::value& v) const;  // 204: no body
};

using Handler = boost::asio::awaitable<http::Response> (*)(Deps&, Call&);

// What an operation's JSON body may hold, member by member.
enum class JsonType { kString, kBool, kInt, kObject, kArray, kStringMap, kNumber /* int or double */ };
struct Member {
  std::string_view name;
  JsonType type;
};
// Copies the members of `in` listed in `accepted` into `out`, each checked for
// its type. A member not listed is refused by name (BadRequestException):
// nimbus never accepts a field and ignores it. `what` names the resource.
base::Status take_members(const json::object& in, std::initializer_list<Member> accepted, json::object& out,
                          std::string_view what);
// kBadRequest when `name` is missing or empty.
base::Status require(const json::object& in, std::string_view name);
base::Error bad_request(std::string message);
base::Error not_found(std::string message);
std::string now_iso8601();
// One page of a listing: v2 reads maxResults/nextToken and answers
// {"items": [...], "nextToken"}; v1 reads limit/position, answers {"item", "position"}.
enum class Paging { kV2, kV1 };
base::Result<json::object> page_of(const Call& call, json::array items, Paging paging);
// A document as the API renders it: the stored members plus what is derived.
json::object with(const Doc& doc, std::initializer_list<std::pair<std::string_view, json::value>> extra);

// HTTP APIs (v2), one file per family:
// APIs, quick create, tags (v2_api_ops.cc)
boost::asio::awaitable<http::Response> create_api(Deps&, Call&);
boost::asio::awaitable<http::Response> get_apis(Deps&, Call&);
boost::asio::awaitable<http::Response> get_api(Deps&, Call&);
boost::asio::awaitable<http::Response> update_api(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_api(Deps&, Call&);
boost::asio::awaitable<http::Response> get_tags(Deps&, Call&);
boost::asio::awaitable<http::Response> tag_resource(Deps&, Call&);
boost::asio::awaitable<http::Response> untag_resource(Deps&, Call&);
// Routes and integrations (v2_route_ops.cc)
boost::asio::awaitable<http::Response> create_route(Deps&, Call&);
boost::asio::awaitable<http::Response> get_routes(Deps&, Call&);
boost::asio::awaitable<http::Response> get_route(Deps&, Call&);
boost::asio::awaitable<http::Response> update_route(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_route(Deps&, Call&);
boost::asio::awaitable<http::Response> create_integration(Deps&, Call&);
boost::asio::awaitable<http::Response> get_integrations(Deps&, Call&);
boost::asio::awaitable<http::Response> get_integration(Deps&, Call&);
boost::asio::awaitable<http::Response> update_integration(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_integration(Deps&, Call&);
// Stages and deployments (v2_stage_ops.cc)
boost::asio::awaitable<http::Response> create_stage(Deps&, Call&);
boost::asio::awaitable<http::Response> get_stages(Deps&, Call&);
boost::asio::awaitable<http::Response> get_stage(Deps&, Call&);
boost::asio::awaitable<http::Response> update_stage(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_stage(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_access_log_settings(Deps&, Call&);
boost::asio::awaitable<http::Response> create_deployment(Deps&, Call&);
boost::asio::awaitable<http::Response> get_deployments(Deps&, Call&);
boost::asio::awaitable<http::Response> get_deployment(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_deployment(Deps&, Call&);
boost::asio::awaitable<http::Response> update_deployment(Deps&, Call&);
// Authorizers (v2_authorizer_ops.cc)
boost::asio::awaitable<http::Response> create_authorizer(Deps&, Call&);
boost::asio::awaitable<http::Response> get_authorizers(Deps&, Call&);
boost::asio::awaitable<http::Response> get_authorizer(Deps&, Call&);
boost::asio::awaitable<http::Response> update_authorizer(Deps&, Call&);
boost::asio::awaitable<http::Response> delete_authorizer(Deps&, Call&);

// Deployments of HTTP APIs (v2_deploy.cc): the frozen copy of an API's routes,
// integrations and authorizers a stage serves, and autoDeploy.
namespace v2 {
constexpr const char* kApi = "api";
constexpr const char* kRoute = "route";
constexpr const char* kIntegration = "integration";
constexpr const char* kAuthorizer = "authorizer";
constexpr const char* kStage = "stage";
constexpr const char* kDeployment = "deployment";
constexpr const char* kDeploymentContent = "deployment-content";  // never rendered
// Adds a new deployment of `api` (as `current` plus `pending`) to `changes`; returns its document.
Doc deploy(const Snapshot& current, const std::vector<Change>& pending, const std::string& api,
           const std::string& description, bool auto_deployed, std::vector<Change>& changes);
// After a change to routes, integrations or authorizers: a new deployment for
// every autoDeploy stage of `api`, which then points at it.
void auto_deploy(const Snapshot& current, std::vector<Change>& changes, const std::string& api);
// The API's document or kNotFound with API Gateway's message.
base::Result<const Doc*> find_api(const Snapshot& s, const std::string& api_id);
}  // namespace v2

}  // namespace nimbus::apigateway_api
