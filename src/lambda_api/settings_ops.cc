// Settings Terraform and deploy tools read back: GetAccountSettings, the code
// signing config of a function (nimbus has none: Get answers none, Delete is
// a no-op, Put is refused since no config ARN exists), and the runtime
// management config (nimbus runs the host's runtime: only "Auto" holds).
#include <boost/json.hpp>

#include "lambda_api/call.h"

namespace nimbus::lambda_api {

namespace json = boost::json;
using boost::asio::awaitable;

awaitable<http::Response> get_account_settings(Deps& d, Call& call) {
  auto all = co_await d.on_pool([&] { return d.registry.list(); });
  int64_t code = 0, reserved = 0;
  for (const auto& c : all) {
    code += static_cast<int64_t>(c.code_size);
    reserved += c.reserved_concurrency.value_or(0);
  }
  int64_t most = d.invocations.max_instances();
  functions::PackageLimits limits;
  json::object limit{{"TotalCodeSize", int64_t{75} << 30},
                     {"CodeSizeUnzipped", static_cast<int64_t>(limits.max_unzipped)},
                     {"CodeSizeZipped", int64_t{50} << 20},
                     {"ConcurrentExecutions", most},
                     {"UnreservedConcurrentExecutions", std::max<int64_t>(0, most - reserved)}};
  json::object usage{{"TotalCodeSize", code}, {"FunctionCount", static_cast<int64_t>(all.size())}};
  co_return call.reply(200, json::object{{"AccountLimit", limit}, {"AccountUsage", usage}});
}

awaitable<http::Response> get_function_code_signing_config(Deps& d, Call& call) {
  auto ref = call.function();
  if (!ref) co_return call.fail(ref.error());
  if (auto c = d.registry.get(ref->name); !c) co_return call.fail(c.error());
  co_return call.reply(200, json::object{{"FunctionName", ref->name}});
}

awaitable<http::Response> put_function_code_signing_config(Deps& d, Call& call) {
  auto ref = call.function();
  if (!ref) co_return call.fail(ref.error());
  if (auto c = d.registry.get(ref->name); !c) co_return call.fail(c.error());
  auto in = call.json();
  if (!in) co_return call.fail(in.error());
  std::string arn;
  if (auto* v = in->if_contains("CodeSigningConfigArn"); v && v->is_string()) arn = std::string(v->as_string());
  co_return call.fail(ErrorType::kCodeSigningConfigNotFound,
                      "Code signing config " + arn + " not found: nimbus does not support code signing yet");
}

awaitable<http::Response> delete_function_code_signing_config(Deps& d, Call& call) {
  auto ref = call.function();
  if (!ref) co_return call.fail(ref.error());
  if (auto c = d.registry.get(ref->name); !c) co_return call.fail(c.error());
  co_return call.reply(204, json::object{});
}

namespace {
json::object runtime_management(const Deps& d, const functions::FunctionConfig& c) {
  return json::object{{"UpdateRuntimeOn", "Auto"},
                      {"FunctionArn", functions::function_arn(d.options.region, c.name,
                                                              c.version == "$LATEST" ? "" : c.version)}};
}
}  // namespace

awaitable<http::Response> get_runtime_management_config(Deps& d, Call& call) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  auto c = d.registry.resolve(ref->name, ref->qualifier);
  if (!c) co_return call.fail(c.error());
  co_return call.reply(200, runtime_management(d, *c));
}

awaitable<http::Response> put_runtime_management_config(Deps& d, Call& call) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  auto c = d.registry.resolve(ref->name, ref->qualifier);
  if (!c) co_return call.fail(c.error());
  auto in = call.json();
  if (!in) co_return call.fail(in.error());
  std::string mode;
  if (auto* v = in->if_contains("UpdateRuntimeOn"); v && v->is_string()) mode = std::string(v->as_string());
  bool pinned = in->if_contains("RuntimeVersionArn") && !in->at("RuntimeVersionArn").is_null();
  if (mode != "Auto" || pinned)
    co_return call.fail(ErrorType::kInvalidParameterValue,
                        "UpdateRuntimeOn " + mode + " is not supported: nimbus runs functions on the host's "
                        "runtime, which it cannot pin or hold back (only Auto)");
  co_return call.reply(200, runtime_management(d, *c));
}

}  // namespace nimbus::lambda_api
