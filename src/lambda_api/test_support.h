// Private to lambda_api's unit tests: a registry on a temporary directory, a
// fake Invocations that records what the API asked of it, a zip to upload, and
// a way to drive one request through the service and read its JSON reply.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "base/checksum.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "base/time.h"
#include "aws/service.h"
#include "aws/test_request.h"
#include "functions/registry.h"
#include "lambda_api/invocations.h"
#include "lambda_api/service.h"

namespace nimbus::lambda_api::testing {

// A zip (stored, uncompressed) holding one executable file.
inline std::string zip_with(const std::string& name, const std::string& data) {
  auto le = [](std::string& out, uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  uint32_t crc = base::crc32(data);
  std::string zip;
  le(zip, 0x04034b50, 4);
  le(zip, 20, 2), le(zip, 0, 2), le(zip, 0, 2), le(zip, 0, 2), le(zip, 0x21, 2);
  le(zip, crc, 4), le(zip, data.size(), 4), le(zip, data.size(), 4);
  le(zip, name.size(), 2), le(zip, 0, 2);
  zip += name + data;
  uint32_t cd_offset = zip.size();
  std::string cd;
  le(cd, 0x02014b50, 4);
  le(cd, 0x031e, 2), le(cd, 20, 2), le(cd, 0, 2), le(cd, 0, 2), le(cd, 0, 2), le(cd, 0x21, 2);
  le(cd, crc, 4), le(cd, data.size(), 4), le(cd, data.size(), 4);
  le(cd, name.size(), 2), le(cd, 0, 2), le(cd, 0, 2), le(cd, 0, 2), le(cd, 0, 2);
  le(cd, 0100755u << 16, 4), le(cd, 0, 4);
  cd += name;
  zip += cd;
  le(zip, 0x06054b50, 4);
  le(zip, 0, 2), le(zip, 0, 2), le(zip, 1, 2), le(zip, 1, 2);
  le(zip, cd.size(), 4), le(zip, cd_offset, 4), le(zip, 0, 2);
  return zip;
}

// Records every call; invoke answers with `reply`, enqueue with an id.
class FakeInvocations : public Invocations {
 public:
  void invoke(functions::InvokeRequest request,
              std::function<void(base::Result<functions::InvokeResult>)> done) override {
    {
      std::lock_guard lock(mu);
      invoked.push_back(request);
    }
    done(reply);
  }
  base::Result<std::string> enqueue(const std::string& target, std::string payload,
                                    const std::string& trace_id) override {
    std::lock_guard lock(mu);
    enqueued.push_back({target, std::move(payload), trace_id});
    enqueue_thread = std::this_thread::get_id();
    return std::string("async-" + std::to_string(enqueued.size()));
  }
  void prepare(const functions::FunctionConfig& config) override { prepared.push_back(config.name); }
  void retire(const std::string& function) override { retired.push_back(function); }
  void provision(const std::string& function, const std::string& qualifier, int count) override {
    provisioned.push_back(function + ":" + qualifier + "=" + std::to_string(count));
  }
  int max_instances() const override { return 64; }

  struct Queued {
    std::string target, payload, trace_id;
  };
  std::mutex mu;
  base::Result<functions::InvokeResult> reply = functions::InvokeResult{false, "{\"ok\":true}", "log", "$LATEST"};
  std::vector<functions::InvokeRequest> invoked;
  std::vector<Queued> enqueued;
  std::thread::id enqueue_thread;
  std::vector<std::string> prepared, retired, provisioned;
};

struct Reply {
  http::Response raw;
  boost::json::value body;  // null when the body is empty or not JSON
  int status() const { return raw.status; }
  std::string header(std::string_view name) const {
    for (const auto& [k, v] : raw.headers)
      if (base::to_lower(k) == base::to_lower(name)) return v;
    return {};
  }
  std::string error_type() const { return header("x-amzn-ErrorType"); }
  std::string text(std::string_view key) const {
    const auto* v = body.is_object() ? body.as_object().if_contains(key) : nullptr;
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  }
  const boost::json::object& object() const { return body.as_object(); }
};

// A body given whole, as the connection would stream it: the aws/ layer's test body.
using aws::testing::StringBody;

class LambdaApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("nimbus-lambda-api-" + base::random_hex(6));
    std::filesystem::create_directories(dir_);
    auto r = functions::Registry::open(dir_.string());
    ASSERT_TRUE(r.ok()) << r.error().message;
    registry_ = std::move(*r);
    Options options;
    options.read_object = [this](const std::string& bucket, const std::string& key) -> base::Result<std::string> {
      if (bucket == "code" && key == "fn.zip") return zip();
      return base::make_error(base::ErrorCode::kNotFound, "The specified key does not exist.");
    };
    // Destinations that exist: the queue "q" and the topic "t".
    options.check_target = [](const std::string& arn) -> base::Status {
      if (arn == "arn:aws:sqs:us-east-1:000000000000:q" || arn == "arn:aws:sns:us-east-1:000000000000:t") return {};
      return base::make_error(base::ErrorCode::kNotFound, arn + " does not exist");
    };
    service_ = std::make_unique<Service>(*registry_, fake_, credentials_, pool_, options);
    descriptor_ = service_->descriptor();
  }
  void TearDown() override {
    pool_.join();
    service_.reset();
    registry_.reset();
    std::filesystem::remove_all(dir_);
  }

  static std::string zip() { return zip_with("bootstrap", "#!/bin/sh\necho hi\n"); }

  // One request as the edge hands it over authenticated (handle(aws::Call&))
  // or, with through_handle, as it arrives (handle(http::Request&), body streamed).
  Reply send(const std::string& method, const std::string& target, const std::string& body = "",
             base::HeaderList headers = {}, bool through_handle = false) {
    boost::asio::io_context io;
    StringBody reader(body);
    http::Request req{method, target, std::move(headers)};
    req.content_length = body.size();
    req.body = &reader;
    std::optional<http::Response> out;
    aws::Call call(req, descriptor_, "request-id");
    call.body = body;
    boost::asio::co_spawn(io, run(*service_, req, call, through_handle, out), boost::asio::detached);
    io.run();
    EXPECT_TRUE(out.has_value());
    Reply reply{out ? std::move(*out) : http::Response{}, nullptr};
    boost::system::error_code ec;
    if (!reply.raw.body.empty()) {
      auto v = boost::json::parse(reply.raw.body, ec);
      if (!ec) reply.body = v;
    }
    return reply;
  }

  Reply create(const std::string& name, const std::string& extra = "") {
    return send("POST", "/2015-03-31/functions",
                R"({"FunctionName":")" + name + R"(","Runtime":"provided.al2023","Handler":"h","Role":"r",)" +
                    extra + R"("Code":{"ZipFile":")" + base::base64_encode(zip()) + R"("}})");
  }

  static boost::asio::awaitable<void> run(Service& service, http::Request& req, aws::Call& call, bool through_handle,
                                          std::optional<http::Response>& out) {
    if (through_handle)
      out = co_await service.handle(req);
    else
      out = co_await service.handle(call);
  }

  std::filesystem::path dir_;
  std::unique_ptr<functions::Registry> registry_;
  FakeInvocations fake_;
  auth::CredentialStore credentials_ = auth::CredentialStore::with_defaults();
  boost::asio::thread_pool pool_{1};
  std::unique_ptr<Service> service_;
  aws::ServiceDescriptor descriptor_;
};

}  // namespace nimbus::lambda_api::testing
