// Event invoke config (retries, maximum event age, OnSuccess and OnFailure
// destinations of asynchronous invocations), per qualifier as on Lambda: none
// or $LATEST, a version number, or an alias. Put replaces, Update merges, Get,
// Delete, List. A destination must exist when it is set (Options::check_target).
#include <boost/json.hpp>

#include "lambda_api/call.h"

namespace nimbus::lambda_api {

namespace json = boost::json;
using boost::asio::awaitable;

base::Status check_target(const Options& options, const std::string& arn) {
  if (arn.empty() || arn.rfind("arn:aws:s3:::", 0) == 0 || !options.check_target) return {};
  auto s = options.check_target(arn);
  if (!s) return base::make_error(base::ErrorCode::kInvalidArgument, "The destination " + arn + " cannot be used: " + s.error().message);
  return {};
}

namespace {

awaitable<http::Response> save(Deps& d, Call& call, bool merge) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  auto in = call.json();
  if (!in) co_return call.fail(in.error());
  auto saved = co_await d.on_pool([&]() -> base::Result<functions::EventInvokeConfig> {
    functions::EventInvokeConfig c;
    if (merge) {
      // UpdateFunctionEventInvokeConfig changes an existing config only (Lambda: 404 otherwise).
      auto old = d.registry.get_event_invoke_config(ref->name, ref->qualifier);
      if (!old) return old.error();
      c = *old;
    }
    if (auto s = apply_event_invoke_config(*in, c); !s) return s.error();
    for (const std::string* arn : {&c.on_success, &c.on_failure})
      if (auto s = check_target(d.options, *arn); !s) return s.error();
    return d.registry.set_event_invoke_config(ref->name, ref->qualifier, c);
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(200, event_invoke_config_json(ref->name, ref->qualifier, *saved, d.options.region));
}

}  // namespace

awaitable<http::Response> put_function_event_invoke_config(Deps& d, Call& call) {
  co_return co_await save(d, call, false);
}

awaitable<http::Response> update_function_event_invoke_config(Deps& d, Call& call) {
  co_return co_await save(d, call, true);
}

awaitable<http::Response> get_function_event_invoke_config(Deps& d, Call& call) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  auto c = d.registry.get_event_invoke_config(ref->name, ref->qualifier);
  if (!c) co_return call.fail(c.error());
  co_return call.reply(200, event_invoke_config_json(ref->name, ref->qualifier, *c, d.options.region));
}

awaitable<http::Response> delete_function_event_invoke_config(Deps& d, Call& call) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  auto s = co_await d.on_pool([&] { return d.registry.delete_event_invoke_config(ref->name, ref->qualifier); });
  if (!s) co_return call.fail(s.error());
  co_return call.reply(204, json::object{});
}

awaitable<http::Response> list_function_event_invoke_configs(Deps& d, Call& call) {
  auto ref = call.function();
  if (!ref) co_return call.fail(ref.error());
  auto all = d.registry.list_event_invoke_configs(ref->name);
  if (!all) co_return call.fail(all.error());
  json::array configs;
  for (const auto& [qualifier, c] : *all)
    configs.push_back(event_invoke_config_json(ref->name, qualifier, c, d.options.region));
  co_return call.reply(200, json::object{{"FunctionEventInvokeConfigs", configs}});
}

}  // namespace nimbus::lambda_api
