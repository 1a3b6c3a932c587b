#include "apigateway_api/service.h"

#include <spdlog/spdlog.h>

#include <boost/asio/thread_pool.hpp>

#include "apigateway_api/call.h"
#include "apigateway_api/routes.h"

namespace nimbus::apigateway_api {

using boost::asio::awaitable;

struct Service::Impl {
  Options options;
  Deps deps;
  aws::ServiceDescriptor descriptor;

  Impl(gateway::Documents& docs, boost::asio::thread_pool& blocking, Options opts)
      : options(std::move(opts)), deps{docs, blocking, options} {
    descriptor.name = "apigateway";
    descriptor.title = "API Gateway";
    descriptor.protocol = aws::Protocol::kRestJson;
    descriptor.signing_names = {"apigateway"};
    descriptor.errors = &to_gateway_error;
    descriptor.max_body = 6 << 20;  // an imported OpenAPI document fits
  }
};

Service::Service(gateway::Documents& docs, boost::asio::thread_pool& blocking, Options options)
    : impl_(std::make_unique<Impl>(docs, blocking, std::move(options))) {}

Service::~Service() = default;

aws::ServiceDescriptor Service::descriptor() {
  aws::ServiceDescriptor d = impl_->descriptor;
  d.handler = [this](aws::Call& call) { return handle(call); };
  return d;
}

awaitable<http::Response> Service::handle(aws::Call& aws_call) {
  aws::RouteTable<Handler>::Miss miss{};
  auto found = routes().match(aws_call.request.method, aws_call.path(), &miss);
  if (!found)
    co_return aws_call.fail(gateway_error(
        ErrorType::kNotFound, "nimbus does not serve API Gateway operation " + aws_call.request.method + " " +
                                  aws_call.path() + (miss == aws::RouteTable<Handler>::Miss::kNoMethod
                                                         ? " (the path is known, the method is not)"
                                                         : "")));
  aws_call.operation = std::string(found->operation);
  Call call(aws_call, std::move(found->params));
  try {
    co_return co_await (*found->handler)(impl_->deps, call);
  } catch (const std::exception& e) {
    spdlog::error("apigateway: {} {} failed: {}", aws_call.request.method, aws_call.request.target, e.what());
    co_return call.fail(ErrorType::kService, e.what());
  }
}

}  // namespace nimbus::apigateway_api
