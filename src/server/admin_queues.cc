#include "server/admin_queues.h"

#include <boost/json.hpp>

#include "aws/protocol.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "base/time.h"
#include "http/offload.h"
#include "sqs/names.h"
#include "sqs/queues.h"

namespace nimbus::server {

namespace json = boost::json;

namespace {

http::Response reply(int status, const json::value& v) {
  http::Response r;
  r.status = status;
  r.set("Content-Type", "application/json");
  r.body = json::serialize(v);
  return r;
}

http::Response error(const base::Error& e) {
  int status = e.code == base::ErrorCode::kNotFound ? 404 : e.code == base::ErrorCode::kInvalidArgument ? 400 : 500;
  return aws::error_response(aws::Protocol::kRestJson,
                             aws::ServiceError{status, e.reason.empty() ? "ServiceException" : e.reason, e.message},
                             base::uuid4());
}

json::value list(sqs::Queues& queues) {
  json::array out;
  for (const auto& name : queues.list_queues("")) {
    auto stats = queues.stats(name);
    auto settings = queues.settings(name);
    auto sources = queues.dead_letter_sources(name);
    if (!stats || !settings || !sources) continue;  // deleted meanwhile
    json::object q{{"name", name},
                   {"fifo", settings->fifo()},
                   {"visible", stats->visible},
                   {"in_flight", stats->in_flight},
                   {"delayed", stats->delayed},
                   {"oldest_sent", stats->oldest_sent_ms ? base::iso8601(stats->oldest_sent_ms) : ""},
                   {"dead_letter_sources", json::value_from(*sources)}};
    auto policy = settings->attributes.find("RedrivePolicy");
    if (policy != settings->attributes.end()) {
      boost::system::error_code ec;
      auto v = json::parse(policy->second, ec);
      if (!ec && v.is_object())
        if (auto* arn = v.as_object().if_contains("deadLetterTargetArn"); arn && arn->is_string())
          if (auto dlq = sqs::name_from_arn(arn->as_string())) q["dead_letter_queue"] = *dlq;
    }
    out.push_back(std::move(q));
  }
  return json::object{{"queues", out}};
}

base::Result<json::value> peek(sqs::Queues& queues, const std::string& name, int limit) {
  auto messages = queues.peek(name, limit);
  if (!messages) return messages.error();
  json::array out;
  for (const auto& m : *messages) {
    json::object o{{"id", m.id},
                   {"state", queue::state_name(m.state)},
                   {"receive_count", m.receive_count},
                   {"sent", base::iso8601(m.sent_ms)},
                   {"visible_at", base::iso8601(m.visible_at_ms)},
                   {"group", m.key},
                   {"body", base::is_valid_utf8(m.payload) ? m.payload : "(base64) " + base::base64_encode(m.payload)}};
    out.push_back(std::move(o));
  }
  return json::value(json::object{{"queue", name}, {"messages", out}});
}

base::Result<json::value> redrive(sqs::Queues& queues, const std::string& name) {
  auto sources = queues.dead_letter_sources(name);
  if (!sources) return sources.error();
  if (sources->empty())
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            name + " is not a dead-letter queue: no queue's RedrivePolicy names it", "InvalidParameterValue");
  int total = 0;
  for (;;) {
    auto n = queues.move_messages(name, "", 1000);
    if (!n) return n.error();
    total += *n;
    if (*n < 1000) break;
  }
  return json::value(json::object{{"queue", name}, {"redriven", total}});
}

}  // namespace

boost::asio::awaitable<std::optional<http::Response>> handle_queue_admin(sqs::Queues& queues,
                                                                        boost::asio::thread_pool& blocking,
                                                                        const http::Request& req) {
  std::string path = req.target.substr(0, req.target.find('?'));
  std::string query = req.target.find('?') == std::string::npos ? "" : req.target.substr(req.target.find('?') + 1);
  if (path == "/_nimbus/queues" && req.method == "GET") {
    auto task = [&queues] { return list(queues); };
    co_return reply(200, co_await http::offload(blocking, std::move(task)));
  }
  constexpr std::string_view kPrefix = "/_nimbus/queues/";
  if (path.rfind(kPrefix, 0) != 0) co_return std::nullopt;
  std::string rest = path.substr(kPrefix.size());
  size_t slash = rest.find('/');
  if (slash == std::string::npos) co_return std::nullopt;
  std::string name = base::uri_decode(rest.substr(0, slash));
  std::string action = rest.substr(slash + 1);
  base::Result<json::value> out = json::value();
  if (action == "messages" && req.method == "GET") {
    int limit = 10;
    for (const auto& p : base::parse_query(query))
      if (p.key == "limit") limit = std::max(1, std::min(1000, std::atoi(p.value.c_str())));
    auto task = [&queues, name, limit] { return peek(queues, name, limit); };
    out = co_await http::offload(blocking, std::move(task));
  } else if (action == "redrive" && req.method == "POST") {
    auto task = [&queues, name] { return redrive(queues, name); };
    out = co_await http::offload(blocking, std::move(task));
  } else {
    co_return std::nullopt;
  }
  if (!out) co_return error(out.error());
  co_return reply(200, *out);
}

}  // namespace nimbus::server
