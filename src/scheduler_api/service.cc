#include "scheduler_api/service.h"

#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>

#include "http/offload.h"
#include "scheduler_api/ops.h"
#include "scheduler_api/routes.h"
#include "timetable/store.h"

namespace nimbus::scheduler_api {

using boost::asio::awaitable;

namespace {

base::Result<json::object> parse_body(std::string_view body) {
  boost::system::error_code ec;
  json::value in = json::parse(body.empty() ? std::string_view("{}") : body, ec);
  if (ec || !in.is_object()) return validation("The request body is not a JSON object.");
  return in.as_object();
}

aws::ServiceError unknown_operation(const std::string& method, const std::string& path) {
  return {404, "UnknownOperationException", "nimbus does not serve EventBridge Scheduler operation " + method + " " + path};
}

}  // namespace

struct Service::Impl {
  Context context;
  boost::asio::thread_pool& blocking;

  Reply run(const Operation& op, const Request& r) {
    try {
      return op(context, r);
    } catch (const std::exception& e) {
      spdlog::error("scheduler: {} failed: {}", r.operation, e.what());
      return base::make_error(base::ErrorCode::kInternal, e.what());
    }
  }
};

Service::Service(timetable::Store& store, boost::asio::thread_pool& blocking, const base::Clock& clock)
    : impl_(new Impl{{store, clock}, blocking}) {}

Service::~Service() = default;

aws::ServiceDescriptor Service::descriptor() {
  aws::ServiceDescriptor d;
  d.name = "scheduler";
  d.title = "EventBridge Scheduler";
  d.protocol = aws::Protocol::kRestJson;
  d.signing_names = {"scheduler"};
  d.errors = &error_of;
  d.max_body = 1024 * 1024;  // a schedule's Input and its target's parameters
  d.handler = [this](aws::Call& c) { return handle(c); };
  return d;
}

base::Result<json::object> Service::call(const std::string& method, const std::string& target, const json::object& body) {
  std::string path = target.substr(0, target.find('?'));
  std::string query = target.size() > path.size() ? target.substr(path.size() + 1) : "";
  auto found = routes().match(method, path);
  if (!found) return base::make_error(base::ErrorCode::kNotFound, unknown_operation(method, path).message);
  Request r{std::string(found->operation), std::move(found->params), base::parse_query(query), body};
  return impl_->run(*found->handler, r);
}

awaitable<http::Response> Service::handle(aws::Call& call) {
  auto found = routes().match(call.request.method, call.path());
  if (!found) co_return call.fail(unknown_operation(call.request.method, call.path()));
  call.operation = std::string(found->operation);
  auto body = parse_body(call.body);
  if (!body) co_return call.fail(body.error());
  Request r{call.operation, std::move(found->params), base::parse_query(call.url_query()), std::move(*body)};
  const Operation* op = found->handler;
  auto out = co_await http::offload(impl_->blocking, [&] { return impl_->run(*op, r); });
  if (!out) co_return call.fail(out.error());
  co_return call.reply(*out);
}

}  // namespace nimbus::scheduler_api
