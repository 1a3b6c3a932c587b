#include "logs_api/service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>

#include "base/arn.h"
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

base::Error invalid(std::string message) { return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message)); }

std::string event_id(int64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(id));
  return buf;
}

}  // namespace

aws::ServiceError error_of(const base::Error& e) {
  using base::ErrorCode;
  switch (e.code) {
    case ErrorCode::kNotFound: return {400, "ResourceNotFoundException", e.message};
    case ErrorCode::kAlreadyExists: return {400, "ResourceAlreadyExistsException", e.message};
    case ErrorCode::kInvalidArgument: return {400, "InvalidParameterException", e.message};
    case ErrorCode::kMalformed: return {400, "SerializationException", e.message};
    case ErrorCode::kAccessDenied: return {400, "AccessDeniedException", e.message};
    default: return {500, "ServiceUnavailableException", e.message, "", false};
  }
}

struct Service::Impl {
  LogStore& store;
  boost::asio::thread_pool& blocking;
  std::string region;

  std::string group_arn(const std::string& group) const {
    return base::make_arn("logs", region, "log-group:" + group);
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

Service::Service(LogStore& store, boost::asio::thread_pool& blocking, std::string region)
    : impl_(new Impl{store, blocking, std::move(region)}) {}

Service::~Service() = default;

aws::ServiceDescriptor Service::descriptor() {
  aws::ServiceDescriptor d;
  d.name = "logs";
  d.title = "CloudWatch Logs";
  d.protocol = aws::Protocol::kJson11;
  d.signing_names = {"logs"};
  d.target_prefixes = {"Logs_20140328."};
  d.operations = {"DescribeLogGroups", "DescribeLogStreams", "GetLogEvents",        "FilterLogEvents",
                  "CreateLogGroup",    "DeleteLogGroup",     "PutRetentionPolicy", "DeleteRetentionPolicy"};
  d.errors = &error_of;
  d.max_body = kMaxRequestBytes;
  d.handler = [this](aws::Call& c) { return handle(c); };
  return d;
}

base::Result<json::object> Service::call(const std::string& operation, const json::object& in) {
  return impl_->dispatch(operation, in);
}

awaitable<http::Response> Service::handle(aws::Call& call) {
  auto in = parse_body(call.body);
  if (!in) co_return call.fail(in.error());
  auto out = co_await http::offload(impl_->blocking, [&] { return impl_->dispatch(call.operation, *in); });
  if (!out) co_return call.fail(out.error());
  co_return call.reply(*out);
}

}  // namespace nimbus::logs_api
