#include "lambda_api/service.h"

#include <spdlog/spdlog.h>

#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>

#include "auth/sigv4.h"
#include "base/arn.h"
#include "base/crypto.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "base/time.h"
#include "functions/async_queue.h"
#include "base/trace_context.h"
#include "functions/invoker.h"
#include "functions/registry.h"
#include "functions/runtimes.h"
#include "http/offload.h"
#include "lambda_api/requests.h"

namespace nimbus::lambda_api {

namespace json = boost::json;
using boost::asio::awaitable;
using functions::FunctionConfig;

namespace {

constexpr size_t kMaxRequestBytes = 70ull << 20;   // a 50 MB zip, base64-encoded, in JSON
constexpr size_t kMaxSyncPayload = 6 * 1024 * 1024;
constexpr size_t kMaxAsyncPayload = 1024 * 1024;

// Lambda's wire errors, from domain errors: the one table.
http::Response error(int status, const std::string& type, const std::string& message,
                     const std::string& reason = "") {
  http::Response r;
  r.status = status;
  r.set("Content-Type", "application/json");
  r.set("x-amzn-ErrorType", type);
  r.set("x-amzn-RequestId", base::random_hex(16));
  json::object body{{"Type", "User"}, {"message", message}};
  if (!reason.empty()) body["Reason"] = reason;
  r.body = json::serialize(body);
  return r;
}

http::Response error_from(const base::Error& e) {
  using base::ErrorCode;
  switch (e.code) {
    case ErrorCode::kNotFound: return error(404, "ResourceNotFoundException", e.message);
    case ErrorCode::kAlreadyExists: return error(409, "ResourceConflictException", e.message);
    case ErrorCode::kConflict: return error(409, "ResourceConflictException", e.message);
    case ErrorCode::kInvalidArgument: return error(400, "InvalidParameterValueException", e.message);
    case ErrorCode::kMalformed:
      if (e.reason == base::reason::kAuthorizationMalformed) return error(400, "IncompleteSignatureException", e.message);
      return error(400, "InvalidRequestContentException", e.message);
    case ErrorCode::kTooLarge: return error(413, "RequestTooLargeException", e.message);
    case ErrorCode::kThrottled: return error(429, "TooManyRequestsException", "Rate Exceeded.", e.message);
    case ErrorCode::kAccessDenied: return error(403, "AccessDeniedException", e.message);
    case ErrorCode::kUnauthenticated:
      if (e.reason == base::reason::kInvalidAccessKeyId)
        return error(403, "UnrecognizedClientException", "The security token included in the request is invalid.");
      if (e.reason == base::reason::kRequestTimeTooSkewed)
        return error(403, "InvalidSignatureException", "Signature expired: " + e.message);
      return error(403, "InvalidSignatureException", e.message);
    default: return error(500, "ServiceException", e.message);
  }
}

// The caller's trace (X-Amzn-Trace-Id, as AWS SDKs send it from inside a
// function, or W3C traceparent) as an X-Amzn-Trace-Id; empty: a new one starts.
std::string incoming_trace(const http::Request& req) {
  auto t = base::parse_trace_context(req.header("x-amzn-trace-id"), req.header("traceparent"));
  return t.valid() ? t.header() : std::string();
}

base::Error invalid(std::string message) { return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message)); }

std::string lambda_time(int64_t ms) {
  std::string iso = base::iso8601(ms);  // 2024-01-01T00:00:00.000Z
  return iso.substr(0, iso.size() - 1) + "+0000";
}

json::object alias_json(const functions::Alias& a, const std::string& region) {
  return json::object{{"AliasArn", functions::function_arn(region, a.function, a.name)},
                      {"Name", a.name},
                      {"FunctionVersion", a.version},
                      {"Description", a.description},
                      {"RevisionId", a.revision_id}};
}

json::object configuration_json(const FunctionConfig& c, const std::string& region) {
  json::object o;
  o["FunctionName"] = c.name;
  o["FunctionArn"] = functions::function_arn(region, c.name, c.version == "$LATEST" ? "" : c.version);
  o["Runtime"] = c.runtime;
  o["Role"] = c.role;
  o["Handler"] = c.handler;
  o["CodeSize"] = c.code_size;
  o["Description"] = c.description;
  o["Timeout"] = c.timeout_s;
  o["MemorySize"] = c.memory_mb;
  o["LastModified"] = lambda_time(c.last_modified_ms);
  o["CodeSha256"] = c.code_sha256;
  o["Version"] = c.version;
  json::object vars;
  for (const auto& [k, v] : c.environment) vars[k] = v;
  o["Environment"] = json::object{{"Variables", vars}};
  o["TracingConfig"] = json::object{{"Mode", "PassThrough"}};
  o["RevisionId"] = c.revision_id;
  o["State"] = "Active";
  o["LastUpdateStatus"] = "Successful";
  o["PackageType"] = "Zip";
  o["Architectures"] = json::array{"x86_64"};
  o["EphemeralStorage"] = json::object{{"Size", c.ephemeral_mb}};
  return o;
}

http::Response json_reply(int status, const json::value& v) {
  http::Response r;
  r.status = status;
  r.set("Content-Type", "application/json");
  r.set("x-amzn-RequestId", base::random_hex(16));
  if (status != 204) r.body = json::serialize(v);  // 204 carries no body
  return r;
}

}  // namespace

struct Service::Impl {
  functions::Registry& registry;
  functions::Invoker& invoker;
  functions::AsyncQueue& async_queue;
  const auth::CredentialStore& credentials;
  boost::asio::thread_pool& blocking;
  Options options;
  auth::SigningKeyCache keys;

  // A concurrency no larger than the instances nimbus runs at all: each is a process.
  base::Result<int> within_instances(base::Result<int> n, const char* field) {
    if (n && *n > invoker.max_concurrency())
      return invalid(std::string(field) + " " + std::to_string(*n) + " exceeds the " +
                     std::to_string(invoker.max_concurrency()) + " instances this nimbus runs at most (--max-instances)");
    return n;
  }

  // The code package from a body's ZipFile (base64) or S3Bucket/S3Key.
  base::Result<std::string> code_from(const json::object& code) {
    if (auto* z = code.if_contains("ZipFile"); z && z->is_string()) {
      auto bytes = base::base64_decode(std::string(z->as_string()));
      if (!bytes) return invalid("Could not unzip uploaded file. Please check your file, then try to upload again.");
      return *bytes;
    }
    auto* b = code.if_contains("S3Bucket");
    auto* k = code.if_contains("S3Key");
    if (b && k && b->is_string() && k->is_string()) {
      if (!options.read_object) return invalid("S3 code locations are not available");
      auto data = options.read_object(std::string(b->as_string()), std::string(k->as_string()));
      if (!data)
        return invalid("Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: " +
                       data.error().message);
      return *data;
    }
    return invalid("Please provide a source for function code (ZipFile, or S3Bucket and S3Key).");
  }

  awaitable<http::Response> create(const json::object& in) {
    FunctionConfig c;
    if (auto* n = in.if_contains("FunctionName"); n && n->is_string()) c.name = std::string(n->as_string());
    auto ref = parse_ref(c.name);
    if (!ref) co_return error_from(ref.error());
    c.name = ref->name;
    if (auto s = apply_config(in, c); !s) co_return error_from(s.error());
    auto* code = in.if_contains("Code");
    if (!code || !code->is_object()) co_return error_from(invalid("Code is required"));
    auto zip = code_from(code->as_object());
    if (!zip) co_return error_from(zip.error());
    auto created = co_await http::offload(blocking, [&] { return registry.create(c, *zip); });
    if (!created) co_return error_from(created.error());
    invoker.prepare(*created);
    co_return json_reply(201, configuration_json(*created, options.region));
  }

  awaitable<http::Response> invoke(const FunctionRef& ref, http::Request& req, std::string payload) {
    std::string type = req.header("x-amz-invocation-type");
    if (type.empty()) type = "RequestResponse";
    // RequestResponse resolves the qualifier in the invoker; the others check it here.
    if (type != "RequestResponse")
      if (auto resolved = registry.resolve(ref.name, ref.qualifier); !resolved) co_return error_from(resolved.error());
    if (type == "DryRun") {
      http::Response r;
      r.status = 204;
      co_return r;
    }
    if (type == "Event") {
      if (payload.size() > kMaxAsyncPayload)
        co_return error(413, "RequestTooLargeException",
                        "Request must be smaller than 1048576 bytes for the InvokeAsync operation");
      std::string trace = incoming_trace(req);
      std::string target = ref.qualifier.empty() ? ref.name : ref.name + ":" + ref.qualifier;
      auto id = co_await http::offload(blocking, [&] {
        return async_queue.enqueue(target, payload.empty() ? "{}" : std::move(payload), trace);
      });
      if (!id) co_return error_from(id.error());
      http::Response r;
      r.status = 202;
      r.set("x-amzn-RequestId", *id);
      co_return r;
    }
    if (type != "RequestResponse")
      co_return error(400, "InvalidParameterValueException", "Unsupported invocation type: " + type);
    if (payload.size() > kMaxSyncPayload)
      co_return error(413, "RequestTooLargeException",
                      "Request must be smaller than 6291456 bytes for the InvokeFunction operation");
    functions::InvokeRequest ir;
    ir.function = ref.name;
    ir.qualifier = ref.qualifier;
    ir.payload = payload.empty() ? "{}" : std::move(payload);
    ir.tail_log = req.header("x-amz-log-type") == "Tail";
    ir.client_context = req.header("x-amz-client-context");
    ir.trace_id = incoming_trace(req);
    // The response's request id is the invocation's, as on Lambda (context.aws_request_id).
    ir.request_id = base::uuid4();
    std::string request_id = ir.request_id;
    // A named callable, not a temporary inside the co_await: GCC 12 mishandles
    // move-captured temporaries in co_await operands.
    auto start = [this, ir = std::make_shared<functions::InvokeRequest>(std::move(ir))](auto done) {
      invoker.invoke(std::move(*ir), std::move(done));
    };
    auto result = co_await http::await_callback<base::Result<functions::InvokeResult>>(std::move(start));
    if (!result) co_return error_from(result.error());
    http::Response r;
    r.status = 200;
    r.set("Content-Type", "application/json");
    r.set("X-Amz-Executed-Version", result->executed_version);
    r.set("x-amzn-RequestId", request_id);
    if (result->function_error) r.set("X-Amz-Function-Error", "Unhandled");
    if (req.header("x-amz-log-type") == "Tail") r.set("X-Amz-Log-Result", base::base64_encode(result->log_tail));
    r.body = std::move(result->payload);
    co_return r;
  }

  awaitable<http::Response> route(http::Request& req, std::string body) {
    std::string path = req.target.substr(0, req.target.find('?'));
    auto params = base::parse_query(req.target.find('?') == std::string::npos ? "" : req.target.substr(req.target.find('?') + 1));
    auto param = [&](std::string_view k) -> std::string {
      for (const auto& p : params)
        if (p.key == k) return p.value;
      return {};
    };
    std::vector<std::string> seg;
    for (size_t i = 1; i <= path.size();) {
      size_t j = path.find('/', i);
      if (j == std::string::npos) j = path.size();
      seg.push_back(base::uri_decode(path.substr(i, j - i)));
      i = j + 1;
    }
    while (!seg.empty() && seg.back().empty()) seg.pop_back();
    const std::string& m = req.method;
    auto parse_body = [&] { return lambda_api::parse_body(body); };

    if (seg.size() >= 2 && seg[0] == "2015-03-31" && seg[1] == "functions") {
      if (seg.size() == 2) {
        if (m == "POST") {
          auto in = parse_body();
          if (!in) co_return error_from(in.error());
          co_return co_await create(*in);
        }
        if (m == "GET") {
          auto all = registry.list();
          std::string marker = param("Marker");
          int max = param("MaxItems").empty()
                        ? 50
                        : static_cast<int>(std::clamp<int64_t>(std::strtoll(param("MaxItems").c_str(), nullptr, 10), 1, 10000));
          json::array fns;
          std::string next;
          for (const auto& c : all) {
            if (!marker.empty() && c.name <= marker) continue;
            if (static_cast<int>(fns.size()) == max) {
              next = fns.back().as_object().at("FunctionName").as_string().c_str();
              break;
            }
            fns.push_back(configuration_json(c, options.region));
          }
          json::object out{{"Functions", fns}};
          if (!next.empty()) out["NextMarker"] = next;
          co_return json_reply(200, out);
        }
      } else {
        auto ref = parse_ref(seg[2]);
        if (!ref) co_return error_from(ref.error());
        if (ref->qualifier.empty()) ref->qualifier = param("Qualifier");
        std::string sub = seg.size() > 3 ? seg[3] : "";
        if (sub == "invocations" && m == "POST") co_return co_await invoke(*ref, req, std::move(body));
        if (sub == "versions" && m == "POST") {
          auto in = parse_body();
          if (!in) co_return error_from(in.error());
          std::string description;
          if (auto* d = in->if_contains("Description"); d && d->is_string()) description = std::string(d->as_string());
          auto v = registry.publish_version(ref->name, description);
          if (!v) co_return error_from(v.error());
          co_return json_reply(201, configuration_json(*v, options.region));
        }
        if (sub == "versions" && m == "GET") {
          auto vs = registry.list_versions(ref->name);
          if (!vs) co_return error_from(vs.error());
          json::array arr;
          for (const auto& v : *vs) arr.push_back(configuration_json(v, options.region));
          co_return json_reply(200, json::object{{"Versions", arr}});
        }
        if (sub == "aliases") {
          std::string alias = seg.size() > 4 ? seg[4] : "";
          auto text = [](const json::object& o, const char* k) -> std::optional<std::string> {
            if (auto* v = o.if_contains(k); v && v->is_string()) return std::string(v->as_string());
            return std::nullopt;
          };
          if (alias.empty() && m == "POST") {
            auto in = parse_body();
            if (!in) co_return error_from(in.error());
            auto a = registry.create_alias(ref->name, text(*in, "Name").value_or(""),
                                           text(*in, "FunctionVersion").value_or(""),
                                           text(*in, "Description").value_or(""));
            if (!a) co_return error_from(a.error());
            co_return json_reply(201, alias_json(*a, options.region));
          }
          if (alias.empty() && m == "GET") {
            auto as = registry.list_aliases(ref->name);
            if (!as) co_return error_from(as.error());
            json::array arr;
            for (const auto& a : *as) arr.push_back(alias_json(a, options.region));
            co_return json_reply(200, json::object{{"Aliases", arr}});
          }
          if (!alias.empty() && m == "GET") {
            auto a = registry.get_alias(ref->name, alias);
            if (!a) co_return error_from(a.error());
            co_return json_reply(200, alias_json(*a, options.region));
          }
          if (!alias.empty() && m == "PUT") {
            auto in = parse_body();
            if (!in) co_return error_from(in.error());
            auto a = registry.update_alias(ref->name, alias, text(*in, "FunctionVersion"), text(*in, "Description"));
            if (!a) co_return error_from(a.error());
            co_return json_reply(200, alias_json(*a, options.region));
          }
          if (!alias.empty() && m == "DELETE") {
            auto s = registry.delete_alias(ref->name, alias);
            if (!s) co_return error_from(s.error());
            co_return json_reply(204, json::object{});
          }
        }
        if (sub.empty() && m == "GET") {
          auto c = registry.resolve(ref->name, ref->qualifier);
          if (!c) co_return error_from(c.error());
          json::object out{{"Configuration", configuration_json(*c, options.region)},
                           {"Code", json::object{{"RepositoryType", "S3"}, {"Location", ""}}}};
          if (c->reserved_concurrency)
            out["Concurrency"] = json::object{{"ReservedConcurrentExecutions", *c->reserved_concurrency}};
          co_return json_reply(200, out);
        }
        if (sub.empty() && m == "DELETE") {
          auto s = co_await http::offload(blocking, [&] { return registry.remove(ref->name); });
          if (!s) co_return error_from(s.error());
          invoker.retire(ref->name);
          co_return json_reply(204, json::object{});
        }
        if (sub == "configuration" && m == "GET") {
          auto c = registry.resolve(ref->name, ref->qualifier);
          if (!c) co_return error_from(c.error());
          co_return json_reply(200, configuration_json(*c, options.region));
        }
        if (sub == "configuration" && m == "PUT") {
          auto in = parse_body();
          if (!in) co_return error_from(in.error());
          auto c = registry.get(ref->name);
          if (!c) co_return error_from(c.error());
          if (auto s = apply_config(*in, *c); !s) co_return error_from(s.error());
          auto updated = registry.update_config(*c);
          if (!updated) co_return error_from(updated.error());
          invoker.retire(ref->name);
          invoker.prepare(*updated);
          co_return json_reply(200, configuration_json(*updated, options.region));
        }
        if (sub == "code" && m == "PUT") {
          auto in = parse_body();
          if (!in) co_return error_from(in.error());
          auto zip = code_from(*in);
          if (!zip) co_return error_from(zip.error());
          auto updated = co_await http::offload(blocking, [&] { return registry.update_code(ref->name, *zip); });
          if (!updated) co_return error_from(updated.error());
          invoker.retire(ref->name);
          co_return json_reply(200, configuration_json(*updated, options.region));
        }
      }
    }
    if (seg.size() == 4 && (seg[0] == "2017-10-31" || seg[0] == "2019-09-30") && seg[1] == "functions" &&
        seg[3] == "concurrency") {
      auto ref = parse_ref(seg[2]);
      if (!ref) co_return error_from(ref.error());
      if (m == "PUT") {
        auto in = parse_body();
        if (!in) co_return error_from(in.error());
        auto n = within_instances(reserved_concurrency(*in), "ReservedConcurrentExecutions");
        if (!n) co_return error_from(n.error());
        auto c = registry.set_reserved_concurrency(ref->name, *n);
        if (!c) co_return error_from(c.error());
        co_return json_reply(200, json::object{{"ReservedConcurrentExecutions", *c->reserved_concurrency}});
      }
      if (m == "GET") {
        auto c = registry.get(ref->name);
        if (!c) co_return error_from(c.error());
        json::object out;
        if (c->reserved_concurrency) out["ReservedConcurrentExecutions"] = *c->reserved_concurrency;
        co_return json_reply(200, out);
      }
      if (m == "DELETE") {
        auto c = registry.set_reserved_concurrency(ref->name, std::nullopt);
        if (!c) co_return error_from(c.error());
        co_return json_reply(204, json::object{});
      }
    }
    if (seg.size() == 4 && seg[0] == "2019-09-25" && seg[1] == "functions" && seg[3] == "event-invoke-config") {
      auto ref = parse_ref(seg[2]);
      if (!ref) co_return error_from(ref.error());
      auto reply = [&](const functions::EventInvokeConfig& c) {
        json::object out{{"FunctionArn", functions::function_arn(options.region, ref->name)},
                         {"LastModified", static_cast<double>(c.last_modified_ms) / 1000.0}};
        if (c.max_retry_attempts) out["MaximumRetryAttempts"] = *c.max_retry_attempts;
        if (c.max_event_age_s) out["MaximumEventAgeInSeconds"] = *c.max_event_age_s;
        json::object on_failure;
        if (!c.on_failure.empty()) on_failure["Destination"] = c.on_failure;
        out["DestinationConfig"] = json::object{{"OnSuccess", json::object{}}, {"OnFailure", on_failure}};
        return json_reply(200, out);
      };
      if (m == "PUT" || m == "POST") {  // Put replaces, Update merges
        auto in = parse_body();
        if (!in) co_return error_from(in.error());
        functions::EventInvokeConfig c;
        if (m == "POST")
          if (auto old = registry.get_event_invoke_config(ref->name)) c = *old;
        if (auto s = apply_event_invoke_config(*in, c); !s) co_return error_from(s.error());
        auto saved = registry.set_event_invoke_config(ref->name, c);
        if (!saved) co_return error_from(saved.error());
        co_return reply(*saved);
      }
      if (m == "GET") {
        auto c = registry.get_event_invoke_config(ref->name);
        if (!c) co_return error_from(c.error());
        co_return reply(*c);
      }
      if (m == "DELETE") {
        auto s = registry.delete_event_invoke_config(ref->name);
        if (!s) co_return error_from(s.error());
        co_return json_reply(204, json::object{});
      }
    }
    if (seg.size() == 4 && seg[0] == "2019-09-30" && seg[1] == "functions" && seg[3] == "provisioned-concurrency") {
      auto ref = parse_ref(seg[2]);
      if (!ref) co_return error_from(ref.error());
      std::string qualifier = param("Qualifier");
      auto reply = [&](const functions::Registry::Provisioned& p, int status) {
        return json_reply(status, json::object{{"RequestedProvisionedConcurrentExecutions", p.count},
                                               {"AvailableProvisionedConcurrentExecutions", p.count},
                                               {"AllocatedProvisionedConcurrentExecutions", p.count},
                                               {"Status", "READY"},
                                               {"LastModified", lambda_time(p.last_modified_ms)}});
      };
      if (m == "PUT") {
        auto in = parse_body();
        if (!in) co_return error_from(in.error());
        auto n = within_instances(provisioned_concurrency(*in), "ProvisionedConcurrentExecutions");
        if (!n) co_return error_from(n.error());
        auto p = registry.set_provisioned(ref->name, qualifier, *n);
        if (!p) co_return error_from(p.error());
        invoker.provision(ref->name, qualifier, p->count);
        co_return reply(*p, 202);
      }
      if (m == "GET") {
        auto p = registry.get_provisioned(ref->name, qualifier);
        if (!p) co_return error(404, "ProvisionedConcurrencyConfigNotFoundException", p.error().message);
        co_return reply(*p, 200);
      }
      if (m == "DELETE") {
        auto s = registry.delete_provisioned(ref->name, qualifier);
        if (!s) co_return error_from(s.error());
        invoker.provision(ref->name, qualifier, 0);
        co_return json_reply(204, json::object{});
      }
    }
    co_return error(404, "UnknownOperationException", "Unknown operation " + m + " " + path);
  }
};

Service::Service(functions::Registry& registry, functions::Invoker& invoker, functions::AsyncQueue& async_queue,
                 const auth::CredentialStore& credentials, boost::asio::thread_pool& blocking, Options options)
    : impl_(new Impl{registry, invoker, async_queue, credentials, blocking, std::move(options), {}}) {}

Service::~Service() = default;

awaitable<http::Response> Service::handle(http::Request& req) {
  auto body = co_await http::read_body(req, kMaxRequestBytes);
  if (!body) {
    if (body.error().code == base::ErrorCode::kTooLarge)
      co_return error(413, "RequestEntityTooLargeException", "Request must be smaller than 70167211 bytes");
    co_return error(400, "InvalidRequestContentException", body.error().message);
  }
  std::string body_hash = base::sha256_hex(*body);
  auth::RequestView view{req.method, req.target, &req.headers, body_hash};
  if (!auth::is_sigv4(view))
    co_return error(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
  auth::VerifyOptions opts;
  opts.double_encode_path = true;
  opts.key_cache = &impl_->keys;
  auto verified = auth::verify(view, impl_->credentials, base::now_ms(), opts);
  if (!verified) co_return error_from(verified.error());
  try {
    co_return co_await impl_->route(req, std::move(*body));
  } catch (const std::exception& e) {
    spdlog::error("lambda: {} {} failed: {}", req.method, req.target, e.what());
    co_return error(500, "ServiceException", e.what());
  }
}

}  // namespace nimbus::lambda_api
