#include "lambda_api/service.h"

#include <spdlog/spdlog.h>

#include <boost/asio/thread_pool.hpp>

#include "auth/sigv4.h"
#include "aws/authenticate.h"
#include "base/arn.h"
#include "base/ids.h"
#include "functions/async_queue.h"
#include "functions/invoker.h"
#include "lambda_api/call.h"
#include "lambda_api/routes.h"

namespace nimbus::lambda_api {

using boost::asio::awaitable;

namespace {

constexpr size_t kMaxRequestBytes = 70ull << 20;  // a 50 MB zip, base64-encoded, in JSON

// The invoker and the async queue, as the API sees them.
class NimbusInvocations final : public Invocations {
 public:
  NimbusInvocations(functions::Invoker& invoker, functions::AsyncQueue& queue) : invoker_(invoker), queue_(queue) {}
  void invoke(functions::InvokeRequest request,
              std::function<void(base::Result<functions::InvokeResult>)> done) override {
    invoker_.invoke(std::move(request), std::move(done));
  }
  base::Result<std::string> enqueue(const std::string& target, std::string payload,
                                    const std::string& trace_id) override {
    return queue_.enqueue(target, std::move(payload), trace_id);
  }
  void prepare(const functions::FunctionConfig& config) override { invoker_.prepare(config); }
  void retire(const std::string& function) override { invoker_.retire(function); }
  void provision(const std::string& function, const std::string& qualifier, int count) override {
    invoker_.provision(function, qualifier, count);
  }
  int max_instances() const override { return invoker_.max_concurrency(); }

 private:
  functions::Invoker& invoker_;
  functions::AsyncQueue& queue_;
};

}  // namespace

struct Service::Impl {
  std::unique_ptr<Invocations> owned;  // the adapter over the real invoker, when the service made one
  Options options;
  Deps deps;
  auth::SigningKeyCache keys;
  aws::Authenticator authenticator;
  aws::ServiceDescriptor descriptor;

  Impl(std::unique_ptr<Invocations> own, Invocations& invocations, functions::Registry& registry,
       const auth::CredentialStore& credentials, boost::asio::thread_pool& blocking, Options opts)
      : owned(std::move(own)),
        options(std::move(opts)),
        deps{registry, invocations, blocking, options},
        authenticator{credentials, keys, std::string(base::kAccountId), nullptr} {
    descriptor.name = "lambda";
    descriptor.title = "Lambda";
    descriptor.protocol = aws::Protocol::kRestJson;
    descriptor.signing_names = {"lambda"};
    descriptor.path_prefixes = {"/2015-03-31/"};  // unsigned requests too: they get Lambda's 403
    descriptor.errors = &to_lambda_error;
    descriptor.max_body = kMaxRequestBytes;
  }
};

Service::Service(functions::Registry& registry, functions::Invoker& invoker, functions::AsyncQueue& async_queue,
                 const auth::CredentialStore& credentials, boost::asio::thread_pool& blocking, Options options) {
  auto adapter = std::make_unique<NimbusInvocations>(invoker, async_queue);
  Invocations& invocations = *adapter;
  impl_ = std::make_unique<Impl>(std::move(adapter), invocations, registry, credentials, blocking, std::move(options));
}

Service::Service(functions::Registry& registry, Invocations& invocations, const auth::CredentialStore& credentials,
                 boost::asio::thread_pool& blocking, Options options)
    : impl_(std::make_unique<Impl>(nullptr, invocations, registry, credentials, blocking, std::move(options))) {}

Service::~Service() = default;

aws::ServiceDescriptor Service::descriptor() {
  aws::ServiceDescriptor d = impl_->descriptor;
  d.handler = [this](aws::Call& call) { return handle(call); };
  return d;
}

awaitable<http::Response> Service::handle(http::Request& req) {
  aws::Call call(req, impl_->descriptor, base::uuid4());
  auto authenticated = co_await aws::authenticate(req, impl_->authenticator, impl_->descriptor.max_body,
                                                  impl_->descriptor.signing_names);
  if (!authenticated)
    co_return call.fail(aws::auth_error(aws::Protocol::kRestJson, authenticated.failure, authenticated.message));
  call.body = std::move(authenticated.value.body);
  call.auth = std::move(authenticated.value.auth);
  call.caller = std::move(authenticated.value.caller);
  co_return co_await handle(call);
}

awaitable<http::Response> Service::handle(aws::Call& aws_call) {
  auto found = routes().match(aws_call.request.method, aws_call.path());
  // A known path with another method is Lambda's 404 too.
  if (!found)
    co_return aws_call.fail(
        lambda_error(ErrorType::kUnknownOperation, "Unknown operation " + aws_call.request.method + " " + aws_call.path()));
  aws_call.operation = std::string(found->operation);
  Call call(aws_call, std::move(found->params));
  try {
    co_return co_await (*found->handler)(impl_->deps, call);
  } catch (const std::exception& e) {
    spdlog::error("lambda: {} {} failed: {}", aws_call.request.method, aws_call.request.target, e.what());
    co_return call.fail(ErrorType::kService, e.what());
  }
}

}  // namespace nimbus::lambda_api
