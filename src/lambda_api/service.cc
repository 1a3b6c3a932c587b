#include "lambda_api/service.h"

#include <spdlog/spdlog.h>

#include <boost/asio/thread_pool.hpp>

#include "auth/sigv4.h"
#include "base/crypto.h"
#include "base/encoding.h"
#include "base/time.h"
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
  const auth::CredentialStore& credentials;
  Options options;
  Deps deps;
  auth::SigningKeyCache keys;

  Impl(std::unique_ptr<Invocations> own, Invocations& invocations, functions::Registry& registry,
       const auth::CredentialStore& creds, boost::asio::thread_pool& blocking, Options opts)
      : owned(std::move(own)),
        credentials(creds),
        options(std::move(opts)),
        deps{registry, invocations, blocking, options} {}
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

awaitable<http::Response> Service::handle(http::Request& req) {
  auto body = co_await http::read_body(req, kMaxRequestBytes);
  if (!body) {
    if (body.error().code == base::ErrorCode::kEntityTooLarge)
      co_return error_response(ErrorType::kRequestEntityTooLarge, "Request must be smaller than 70167211 bytes");
    co_return error_response(ErrorType::kInvalidRequestContent, body.error().message);
  }
  std::string body_hash = base::sha256_hex(*body);
  auth::RequestView view{req.method, req.target, &req.headers, body_hash};
  if (!auth::is_sigv4(view)) co_return error_response(ErrorType::kMissingAuthenticationToken, "Missing Authentication Token");
  auth::VerifyOptions opts;
  opts.double_encode_path = true;
  opts.key_cache = &impl_->keys;
  auto verified = auth::verify(view, impl_->credentials, base::now_ms(), opts);
  if (!verified) co_return error_response(verified.error());
  co_return co_await dispatch(req, std::move(*body));
}

awaitable<http::Response> Service::dispatch(http::Request& req, std::string body) {
  size_t q = req.target.find('?');
  std::string path = req.target.substr(0, q);
  auto found = match_route(req.method, path);
  if (!found.route)
    co_return error_response(ErrorType::kUnknownOperation, "Unknown operation " + req.method + " " + path);
  Call call{req, std::move(body), std::move(found.params),
            base::parse_query(q == std::string::npos ? "" : std::string_view(req.target).substr(q + 1))};
  try {
    co_return co_await found.route->handler(impl_->deps, call);
  } catch (const std::exception& e) {
    spdlog::error("lambda: {} {} failed: {}", req.method, req.target, e.what());
    co_return error_response(ErrorType::kService, e.what());
  }
}

}  // namespace nimbus::lambda_api
