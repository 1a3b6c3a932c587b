#include "logs_api/service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>

#include "auth/sigv4.h"
#include "base/crypto.h"
#include "base/ids.h"
#include "base/time.h"
#include "http/offload.h"
#include "logs_api/requests.h"
#include "observability/log_store.h"

namespace nimbus::logs_api {

namespace json = boost::json;
using boost::asio::awaitable;
using observability::LogStore;

namespace {

constexpr size_t kMaxRequestBytes = 1 << 20;
constexpr std::string_view kTargetPrefix = "Logs_20140328.";

// CloudWatch Logs' wire errors, from domain errors: the one table.
http::Response error(int status, const std::string& type, const std::string& message) {
  http::Response r;
  r.status = status;
  r.set("Content-Type", "application/x-amz-json-1.1");
  r.set("x-amzn-RequestId", base::uuid4());
  r.body = json::serialize(json::object{{"__type", type}, {"message", message}});
  return r;
}

http::Response error_from(const base::Error& e) {
  using base::ErrorCode;
  switch (e.code) {
    case ErrorCode::kNotFound: return error(400, "ResourceNotFoundException", e.message);
    case ErrorCode::kAlreadyExists: return error(400, "ResourceAlreadyExistsException", e.message);
    case ErrorCode::kInvalidArgument: return error(400, "InvalidParameterException", e.message);
    case ErrorCode::kMalformed:
      if (e.reason == base::reason::kAuthorizationMalformed) return error(400, "InvalidSignatureException", e.message);
      return error(400, "SerializationException", e.message);
    case ErrorCode::kUnauthenticated:
      if (e.reason == base::reason::kInvalidAccessKeyId)
        return error(400, "UnrecognizedClientException", "The security token included in the request is invalid.");
      return error(400, "InvalidSignatureException", e.message);
    case ErrorCode::kAccessDenied: return error(400, "AccessDeniedException", e.message);
    default: return error(500, "ServiceUnavailableException", e.message);
  }
}

base::Error invalid(std::string message) { return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message)); }

http::Response reply(const json::object& body) {
  http::Response r;
  r.set("Content-Type", "application/x-amz-json-1.1");
  r.set("x-amzn-RequestId", base::uuid4());
  r.body = json::serialize(body);
  return r;
}

std::string event_id(int64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(id));
  return buf;
}

}  // namespace

struct Service::Impl {
  LogStore& store;
  const auth::CredentialStore& credentials;
  boost::asio::thread_pool& blocking;
  std::string region;
  auth::SigningKeyCache keys;

  std::string group_arn(const std::string& group) const {
    return "arn:aws:logs:" + region + ":000000000000:log-group:" + group;
  }

  base::Result<json::object> describe_groups(const json::object& in) {
    auto limit = limit_of(in, 50, 50);
    if (!limit) return limit.error();
    auto groups = store.groups(text(in, "logGroupNamePrefix"));
    if (!groups) return groups.error();
    std::string after = text(in, "nextToken");
    json::array out;
    json::object body;
    for (const auto& g : *groups) {
      if (!after.empty() && g.name <= after) continue;
      if (out.size() == *limit) {
        body["nextToken"] = out.back().as_object().at("logGroupName");
        break;
      }
      json::object o{{"logGroupName", g.name},
                     {"creationTime", g.created_ms},
                     {"metricFilterCount", 0},
                     {"arn", group_arn(g.name) + ":*"},
                     {"logGroupArn", group_arn(g.name)},
                     {"storedBytes", g.stored_bytes}};
      if (g.retention_days) o["retentionInDays"] = *g.retention_days;
      out.push_back(std::move(o));
    }
    body["logGroups"] = std::move(out);
    return body;
  }

  base::Result<json::object> describe_streams(const json::object& in) {
    auto group = group_of(in);
    if (!group) return group.error();
    auto limit = limit_of(in, 50, 50);
    if (!limit) return limit.error();
    std::string prefix = text(in, "logStreamNamePrefix");
    std::string order = text(in, "orderBy").empty() ? "LogStreamName" : text(in, "orderBy");
    if (order != "LogStreamName" && order != "LastEventTime")
      return invalid("orderBy must be LogStreamName or LastEventTime");
    if (order == "LastEventTime" && !prefix.empty())
      return invalid("Cannot order by LastEventTime with a logStreamNamePrefix.");
    auto streams = store.streams(*group, prefix);
    if (!streams) return streams.error();
    if (order == "LastEventTime")
      std::stable_sort(streams->begin(), streams->end(),
                       [](const auto& a, const auto& b) { return a.last_event_ms < b.last_event_ms; });
    if (flag(in, "descending")) std::reverse(streams->begin(), streams->end());
    size_t start = 0;
    if (std::string token = text(in, "nextToken"); !token.empty()) {
      if (token.find_first_not_of("0123456789") != std::string::npos || token.size() > 9)
        return invalid("The specified nextToken is invalid.");
      start = std::stoul(token);
    }
    json::array out;
    json::object body;
    for (size_t i = start; i < streams->size(); ++i) {
      if (out.size() == *limit) {
        body["nextToken"] = std::to_string(i);
        break;
      }
      const auto& s = (*streams)[i];
      out.push_back(json::object{{"logStreamName", s.name},
                                 {"creationTime", s.created_ms},
                                 {"firstEventTimestamp", s.first_event_ms},
                                 {"lastEventTimestamp", s.last_event_ms},
                                 {"lastIngestionTime", s.last_ingestion_ms},
                                 {"arn", group_arn(*group) + ":log-stream:" + s.name},
                                 {"storedBytes", 0}});
    }
    body["logStreams"] = std::move(out);
    return body;
  }

  base::Result<json::object> get_events(const json::object& in) {
    auto q = stream_query(in);
    if (!q) return q.error();
    auto page = store.read_stream(*q);
    if (!page) return page.error();
    json::array events;
    for (const auto& e : page->events)
      events.push_back(
          json::object{{"timestamp", e.timestamp_ms}, {"message", e.message}, {"ingestionTime", e.ingestion_ms}});
    return json::object{
        {"events", std::move(events)}, {"nextForwardToken", page->forward}, {"nextBackwardToken", page->backward}};
  }

  base::Result<json::object> filter_events(const json::object& in) {
    auto q = log_query(in);
    if (!q) return q.error();
    auto page = store.query(*q);
    if (!page) return page.error();
    json::array events;
    for (const auto& e : page->events)
      events.push_back(json::object{{"logStreamName", e.stream},
                                    {"timestamp", e.timestamp_ms},
                                    {"message", e.message},
                                    {"ingestionTime", e.ingestion_ms},
                                    {"eventId", event_id(e.id)}});
    json::object body{{"events", std::move(events)}, {"searchedLogStreams", json::array{}}};
    if (!page->next.empty()) body["nextToken"] = page->next;
    return body;
  }

  base::Result<json::object> dispatch(const std::string& op, const json::object& in) {
    if (auto s = check_types(in); !s) return s.error();
    if (op == "DescribeLogGroups") return describe_groups(in);
    if (op == "DescribeLogStreams") return describe_streams(in);
    if (op == "GetLogEvents") return get_events(in);
    if (op == "FilterLogEvents") return filter_events(in);
    if (op == "CreateLogGroup" || op == "DeleteLogGroup" || op == "DeleteRetentionPolicy" ||
        op == "PutRetentionPolicy") {
      auto group = group_of(in);
      if (!group) return group.error();
      base::Status s;
      if (op == "CreateLogGroup") s = store.create_group(*group);
      else if (op == "DeleteLogGroup") s = store.delete_group(*group);
      else if (op == "DeleteRetentionPolicy") s = store.set_retention(*group, std::nullopt);
      else {
        auto days = retention_days(in);
        if (!days) return days.error();
        s = store.set_retention(*group, *days);
      }
      if (!s) return s.error();
      return json::object{};
    }
    return base::make_error(base::ErrorCode::kInternal, "unknown operation");
  }
};

Service::Service(LogStore& store, const auth::CredentialStore& credentials, boost::asio::thread_pool& blocking,
                 std::string region)
    : impl_(new Impl{store, credentials, blocking, std::move(region), {}}) {}

Service::~Service() = default;

awaitable<http::Response> Service::handle(http::Request& req) {
  auto body = co_await http::read_body(req, kMaxRequestBytes);
  if (!body) co_return error(400, "SerializationException", body.error().message);
  std::string body_hash = base::sha256_hex(*body);
  auth::RequestView view{req.method, req.target, &req.headers, body_hash};
  if (!auth::is_sigv4(view)) co_return error(400, "MissingAuthenticationTokenException", "Missing Authentication Token");
  auth::VerifyOptions opts;
  opts.double_encode_path = true;
  opts.key_cache = &impl_->keys;
  auto verified = auth::verify(view, impl_->credentials, base::now_ms(), opts);
  if (!verified) co_return error_from(verified.error());

  std::string target = req.header("x-amz-target");
  if (req.method != "POST" || target.rfind(kTargetPrefix, 0) != 0)
    co_return error(400, "UnknownOperationException", "Operation is not supported: " + target);
  std::string op = target.substr(kTargetPrefix.size());
  static constexpr std::string_view kOps[] = {"DescribeLogGroups", "DescribeLogStreams",    "GetLogEvents",
                                              "FilterLogEvents",   "CreateLogGroup",        "DeleteLogGroup",
                                              "PutRetentionPolicy", "DeleteRetentionPolicy"};
  if (std::find(std::begin(kOps), std::end(kOps), op) == std::end(kOps))
    co_return error(400, "UnknownOperationException", "nimbus does not implement " + op + " yet");
  auto in = parse_body(*body);
  if (!in) co_return error_from(in.error());
  try {
    auto out = co_await http::offload(impl_->blocking, [&] { return impl_->dispatch(op, *in); });
    if (!out) co_return error_from(out.error());
    co_return reply(*out);
  } catch (const std::exception& e) {
    spdlog::error("logs: {} failed: {}", op, e.what());
    co_return error(500, "ServiceUnavailableException", e.what());
  }
}

}  // namespace nimbus::logs_api
