// Event invoke config (retries, maximum event age, on-failure destination of
// asynchronous invocations): Put replaces, Update merges, Get, Delete.
#include <boost/json.hpp>

#include "lambda_api/call.h"

namespace nimbus::lambda_api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// nimbus keeps one config per function, which asynchronous invocations of every
// version use: a Qualifier naming a version or alias is refused, never dropped.
base::Result<FunctionRef> unqualified(const Call& call) {
  auto ref = call.qualified_function();
  if (ref && !ref->qualifier.empty() && ref->qualifier != "$LATEST")
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "nimbus keeps one event invoke config per function (for all its versions); a Qualifier "
                            "(" + ref->qualifier + ") is not supported yet");
  return ref;
}

awaitable<http::Response> save(Deps& d, Call& call, bool merge) {
  auto ref = unqualified(call);
  if (!ref) co_return call.fail(ref.error());
  auto in = call.json();
  if (!in) co_return call.fail(in.error());
  auto saved = co_await d.on_pool([&]() -> base::Result<functions::EventInvokeConfig> {
    functions::EventInvokeConfig c;
    if (merge)
      if (auto old = d.registry.get_event_invoke_config(ref->name)) c = *old;
    if (auto s = apply_event_invoke_config(*in, c); !s) return s.error();
    return d.registry.set_event_invoke_config(ref->name, c);
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(200, event_invoke_config_json(ref->name, *saved, d.options.region));
}

}  // namespace

awaitable<http::Response> put_function_event_invoke_config(Deps& d, Call& call) {
  co_return co_await save(d, call, false);
}

awaitable<http::Response> update_function_event_invoke_config(Deps& d, Call& call) {
  co_return co_await save(d, call, true);
}

awaitable<http::Response> get_function_event_invoke_config(Deps& d, Call& call) {
  auto ref = unqualified(call);
  if (!ref) co_return call.fail(ref.error());
  auto c = d.registry.get_event_invoke_config(ref->name);
  if (!c) co_return call.fail(c.error());
  co_return call.reply(200, event_invoke_config_json(ref->name, *c, d.options.region));
}

awaitable<http::Response> delete_function_event_invoke_config(Deps& d, Call& call) {
  auto ref = unqualified(call);
  if (!ref) co_return call.fail(ref.error());
  auto s = co_await d.on_pool([&] { return d.registry.delete_event_invoke_config(ref->name); });
  if (!s) co_return call.fail(s.error());
  co_return call.reply(204, json::object{});
}

awaitable<http::Response> list_function_event_invoke_configs(Deps& d, Call& call) {
  auto ref = call.function();
  if (!ref) co_return call.fail(ref.error());
  if (auto c = d.registry.get(ref->name); !c) co_return call.fail(c.error());
  json::array configs;
  if (auto c = d.registry.get_event_invoke_config(ref->name))
    configs.push_back(event_invoke_config_json(ref->name, *c, d.options.region));
  co_return call.reply(200, json::object{{"FunctionEventInvokeConfigs", configs}});
}

}  // namespace nimbus::lambda_api
