// Resource-based policies: AddPermission, RemovePermission, GetPolicy. Each
// statement is built here as Lambda writes it (Principal, Condition on the
// source ARN or account, ...) and stored whole by the registry, durably; the
// policy is answered as one JSON string with its RevisionId. nimbus does not
// evaluate these policies yet (no caller is refused by them): docs/functions.md.
#include <boost/json.hpp>
#include <regex>

#include "base/arn.h"
#include "lambda_api/call.h"

namespace nimbus::lambda_api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

base::Error invalid(std::string message) { return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message)); }

std::string text_of(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Lambda's Principal: a service, "*", an account (as its root ARN) or an ARN.
json::value principal_of(const std::string& p) {
  if (p == "*") return "*";
  if (p.size() == 12 && p.find_first_not_of("0123456789") == std::string::npos)
    return json::object{{"AWS", "arn:aws:iam::" + p + ":root"}};
  if (p.rfind("arn:", 0) == 0) return json::object{{"AWS", p}};
  return json::object{{"Service", p}};
}

base::Result<std::string> statement_of(const json::object& in, const std::string& resource) {
  std::string sid = text_of(in, "StatementId");
  std::string action = text_of(in, "Action");
  std::string principal = text_of(in, "Principal");
  static const std::regex kSid("[a-zA-Z0-9-_.]{1,100}");
  if (!std::regex_match(sid, kSid))
    return invalid("1 validation error detected: Value '" + sid +
                   "' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                   "([a-zA-Z0-9-_.]+)");
  if (action.empty() || (action.rfind("lambda:", 0) != 0 && action != "*"))
    return invalid("1 validation error detected: Value '" + action +
                   "' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                   "(lambda:[*]|lambda:[a-zA-Z]+|[*])");
  if (principal.empty()) return invalid("Principal is required");
  json::object statement{{"Sid", sid},
                         {"Effect", "Allow"},
                         {"Principal", principal_of(principal)},
                         {"Action", action},
                         {"Resource", resource}};
  json::object string_equals;
  if (auto v = text_of(in, "SourceAccount"); !v.empty()) string_equals["AWS:SourceAccount"] = v;
  if (auto v = text_of(in, "EventSourceToken"); !v.empty()) string_equals["lambda:EventSourceToken"] = v;
  if (auto v = text_of(in, "PrincipalOrgID"); !v.empty()) string_equals["aws:PrincipalOrgID"] = v;
  if (auto v = text_of(in, "FunctionUrlAuthType"); !v.empty()) string_equals["lambda:FunctionUrlAuthType"] = v;
  json::object condition;
  if (!string_equals.empty()) condition["StringEquals"] = std::move(string_equals);
  if (auto v = text_of(in, "SourceArn"); !v.empty()) condition["ArnLike"] = json::object{{"AWS:SourceArn", v}};
  if (!condition.empty()) statement["Condition"] = std::move(condition);
  return json::serialize(statement);
}

std::string policy_json(const functions::Registry::Policy& p) {
  json::array statements;
  for (const auto& [sid, text] : p.statements) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (!ec) statements.push_back(std::move(v));
  }
  return json::serialize(json::object{{"Version", "2012-10-17"}, {"Id", "default"}, {"Statement", statements}});
}

}  // namespace

awaitable<http::Response> add_permission(Deps& d, Call& call) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  auto in = call.json();
  if (!in) co_return call.fail(in.error());
  auto statement = statement_of(*in, functions::function_arn(d.options.region, ref->name, ref->qualifier));
  if (!statement) co_return call.fail(statement.error());
  auto p = co_await d.on_pool([&] {
    return d.registry.add_statement(ref->name, ref->qualifier, text_of(*in, "StatementId"), *statement,
                                    text_of(*in, "RevisionId"));
  });
  if (!p) co_return call.fail(p.error());
  co_return call.reply(201, json::object{{"Statement", *statement}});
}

awaitable<http::Response> remove_permission(Deps& d, Call& call) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  auto p = co_await d.on_pool([&] {
    return d.registry.remove_statement(ref->name, ref->qualifier, call.path_param("StatementId"),
                                       call.query_param("RevisionId"));
  });
  if (!p) co_return call.fail(p.error());
  co_return call.reply(204, json::object{});
}

awaitable<http::Response> get_policy(Deps& d, Call& call) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  auto p = d.registry.get_policy(ref->name, ref->qualifier);
  if (!p) co_return call.fail(p.error());
  co_return call.reply(200, json::object{{"Policy", policy_json(*p)}, {"RevisionId", p->revision_id}});
}

}  // namespace nimbus::lambda_api
