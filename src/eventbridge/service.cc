#include "eventbridge/service.h"

#include <boost/json/parse.hpp>
#include <map>

#include "buses/router.h"
#include "buses/store.h"
#include "eventbridge/ops.h"
#include "http/offload.h"

namespace nimbus::eventbridge {

using boost::asio::awaitable;

namespace {

using OpFn = Reply (*)(Context&, const json::object&);

const std::map<std::string, OpFn, std::less<>>& operations() {
  static const std::map<std::string, OpFn, std::less<>> ops = {
      {"CreateEventBus", &create_event_bus},
      {"DescribeEventBus", &describe_event_bus},
      {"ListEventBuses", &list_event_buses},
      {"DeleteEventBus", &delete_event_bus},
      {"PutRule", &put_rule},
      {"DescribeRule", &describe_rule},
      {"ListRules", &list_rules},
      {"EnableRule", &enable_rule},
      {"DisableRule", &disable_rule},
      {"DeleteRule", &delete_rule},
      {"TestEventPattern", &test_event_pattern},
      {"PutTargets", &put_targets},
      {"RemoveTargets", &remove_targets},
      {"ListTargetsByRule", &list_targets_by_rule},
      {"ListRuleNamesByTarget", &list_rule_names_by_target},
      {"PutEvents", &put_events},
      {"TagResource", &tag_resource},
      {"UntagResource", &untag_resource},
      {"ListTagsForResource", &list_tags_for_resource},
  };
  return ops;
}

base::Result<json::object> parse_body(std::string_view body) {
  boost::system::error_code ec;
  json::value in = json::parse(body.empty() ? std::string_view("{}") : body, ec);
  if (ec || !in.is_object())
    return base::make_error(base::ErrorCode::kMalformed, "Could not parse the request body as JSON");
  return in.as_object();
}

}  // namespace

struct Service::Impl {
  Context context;
  boost::asio::thread_pool& blocking;
};

Service::Service(buses::Store& store, buses::Router& router, boost::asio::thread_pool& blocking,
                 const base::Clock& clock)
    : impl_(new Impl{{store, router, clock}, blocking}) {}

Service::~Service() = default;

aws::ServiceDescriptor Service::descriptor() {
  aws::ServiceDescriptor d;
  d.name = "events";
  d.title = "EventBridge";
  d.protocol = aws::Protocol::kJson11;
  d.signing_names = {"events"};
  d.target_prefixes = {"AWSEvents."};
  for (const auto& [name, _] : operations()) d.operations.push_back(name);
  d.errors = &error_of;
  d.max_body = 1024 * 1024;  // PutEvents' 256 KB of entries in JSON, with room for escaping
  d.handler = [this](aws::Call& c) { return handle(c); };
  return d;
}

base::Result<json::object> Service::call(const std::string& operation, const json::object& in) {
  auto it = operations().find(operation);
  if (it == operations().end()) return base::make_error(base::ErrorCode::kInternal, "unknown operation");
  return it->second(impl_->context, in);
}

awaitable<http::Response> Service::handle(aws::Call& call) {
  auto in = parse_body(call.body);
  if (!in) co_return call.fail(in.error());
  auto out = co_await http::offload(impl_->blocking, [&] { return this->call(call.operation, *in); });
  if (!out) co_return call.fail(out.error());
  co_return call.reply(*out);
}

}  // namespace nimbus::eventbridge
