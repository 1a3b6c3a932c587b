// Reserved concurrency (Put/Get/DeleteFunctionConcurrency) and provisioned
// concurrency (Put/Get/DeleteProvisionedConcurrencyConfig).
#include <boost/json.hpp>

#include "lambda_api/call.h"

namespace nimbus::lambda_api {

namespace json = boost::json;
using boost::asio::awaitable;

base::Result<int> Deps::within_instances(base::Result<int> n, const char* field) const {
  int most = invocations.max_instances();
  if (n && *n > most)
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            std::string(field) + " " + std::to_string(*n) + " exceeds the " + std::to_string(most) +
                                " instances this nimbus runs at most (--max-instances)");
  return n;
}

awaitable<http::Response> put_function_concurrency(Deps& d, Call& call) {
  auto ref = call.function();
  if (!ref) co_return call.fail(ref.error());
  auto in = call.json();
  if (!in) co_return call.fail(in.error());
  auto n = d.within_instances(reserved_concurrency(*in), "ReservedConcurrentExecutions");
  if (!n) co_return call.fail(n.error());
  auto c = co_await d.on_pool([&] { return d.registry.set_reserved_concurrency(ref->name, *n); });
  if (!c) co_return call.fail(c.error());
  co_return call.reply(200, json::object{{"ReservedConcurrentExecutions", *c->reserved_concurrency}});
}

awaitable<http::Response> get_function_concurrency(Deps& d, Call& call) {
  auto ref = call.function();
  if (!ref) co_return call.fail(ref.error());
  auto c = d.registry.get(ref->name);
  if (!c) co_return call.fail(c.error());
  json::object out;
  if (c->reserved_concurrency) out["ReservedConcurrentExecutions"] = *c->reserved_concurrency;
  co_return call.reply(200, out);
}

awaitable<http::Response> delete_function_concurrency(Deps& d, Call& call) {
  auto ref = call.function();
  if (!ref) co_return call.fail(ref.error());
  auto c = co_await d.on_pool([&] { return d.registry.set_reserved_concurrency(ref->name, std::nullopt); });
  if (!c) co_return call.fail(c.error());
  co_return call.reply(204, json::object{});
}

// Provisioned concurrency belongs to a version or alias: ?Qualifier=.
awaitable<http::Response> put_provisioned_concurrency_config(Deps& d, Call& call) {
  auto ref = call.function();
  if (!ref) co_return call.fail(ref.error());
  std::string qualifier = call.query_param("Qualifier");
  auto in = call.json();
  if (!in) co_return call.fail(in.error());
  auto n = d.within_instances(provisioned_concurrency(*in), "ProvisionedConcurrentExecutions");
  if (!n) co_return call.fail(n.error());
  auto p = co_await d.on_pool([&] { return d.registry.set_provisioned(ref->name, qualifier, *n); });
  if (!p) co_return call.fail(p.error());
  d.invocations.provision(ref->name, qualifier, p->count);
  co_return call.reply(202, provisioned_json(*p));
}

awaitable<http::Response> get_provisioned_concurrency_config(Deps& d, Call& call) {
  auto ref = call.function();
  if (!ref) co_return call.fail(ref.error());
  auto p = d.registry.get_provisioned(ref->name, call.query_param("Qualifier"));
  if (!p) {
    if (p.error().code != base::ErrorCode::kNotFound) co_return call.fail(p.error());
    co_return call.fail(ErrorType::kProvisionedConcurrencyConfigNotFound, p.error().message);
  }
  co_return call.reply(200, provisioned_json(*p));
}

awaitable<http::Response> delete_provisioned_concurrency_config(Deps& d, Call& call) {
  auto ref = call.function();
  if (!ref) co_return call.fail(ref.error());
  std::string qualifier = call.query_param("Qualifier");
  auto s = co_await d.on_pool([&] { return d.registry.delete_provisioned(ref->name, qualifier); });
  if (!s) co_return call.fail(s.error());
  d.invocations.provision(ref->name, qualifier, 0);
  co_return call.reply(204, json::object{});
}

}  // namespace nimbus::lambda_api
