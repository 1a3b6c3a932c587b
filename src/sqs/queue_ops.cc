// CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, PurgeQueue,
// ListDeadLetterSourceQueues.
#include <boost/json/array.hpp>

#include "base/arn.h"
#include "base/encoding.h"
#include "sqs/names.h"
#include "sqs/operations.h"

namespace nimbus::sqs {

namespace json = boost::json;

namespace {

base::Error invalid(std::string m) {
  return base::make_error(base::ErrorCode::kInvalidArgument, std::move(m), "InvalidParameterValue");
}

// One page of names: MaxResults 1-1000 (all, up to 1000, without it), the
// token being the last name of the page before.
Output page_of(const std::vector<std::string>& names, Reader& in, const Request& r, const char* member) {
  auto max = in.integer("MaxResults");
  std::string token = in.string("NextToken");
  if (auto s = in.status(); !s) return s.error();
  if (max && (*max < 1 || *max > 1000))
    return invalid("Value " + std::to_string(*max) + " for parameter MaxResults is invalid. Reason: Must be between 1 and 1000.");
  if (!token.empty() && !max) return invalid("MaxResults is required when NextToken is given.");
  std::string after;
  if (!token.empty()) {
    auto t = base::base64_decode(token);
    if (!t) return invalid("Invalid NextToken value.");
    after = *t;
  }
  size_t limit = max ? static_cast<size_t>(*max) : 1000;
  json::array urls;
  std::string last;
  bool more = false;
  for (const auto& n : names) {
    if (!after.empty() && n <= after) continue;
    if (urls.size() == limit) {
      more = true;
      break;
    }
    urls.push_back(json::string(queue_url(r.host, n)));
    last = n;
  }
  json::object out;
  if (!urls.empty()) out[member] = std::move(urls);
  if (more && max) out["NextToken"] = base::base64_encode(last);
  return out;
}

}  // namespace

Output create_queue(Context& c, const Request& r) {
  Reader in(r.in);
  std::string name = in.string("QueueName", true);
  StringMap attributes = in.map("Attributes");
  StringMap tags = in.map("tags");
  if (auto s = in.status(); !s) return s.error();
  auto created = c.queues.create_queue(name, attributes, tags);
  if (!created) return created.error();
  return json::object{{"QueueUrl", queue_url(r.host, name)}};
}

Output get_queue_url(Context& c, const Request& r) {
  Reader in(r.in);
  std::string name = in.string("QueueName", true);
  std::string owner = in.string("QueueOwnerAWSAccountId");
  if (auto s = in.status(); !s) return s.error();
  if (!owner.empty() && owner != base::kAccountId)
    return base::make_error(base::ErrorCode::kNotFound, "The specified queue does not exist.", "QueueDoesNotExist");
  if (auto attrs = c.queues.get_attributes(name, {"QueueArn"}); !attrs) return attrs.error();
  return json::object{{"QueueUrl", queue_url(r.host, name)}};
}

Output list_queues(Context& c, const Request& r) {
  Reader in(r.in);
  std::string prefix = in.string("QueueNamePrefix");
  if (auto s = in.status(); !s) return s.error();
  return page_of(c.queues.list_queues(prefix), in, r, "QueueUrls");
}

Output delete_queue(Context& c, const Request& r) {
  Reader in(r.in);
  auto name = addressed_queue(c, r, in);
  if (!name) return name.error();
  if (auto s = c.queues.delete_queue(*name); !s) return s.error();
  return json::object{};
}

Output purge_queue(Context& c, const Request& r) {
  Reader in(r.in);
  auto name = addressed_queue(c, r, in);
  if (!name) return name.error();
  int64_t now = c.queues.clock().now_ms();
  {
    std::lock_guard lock(c.purge_mu);
    auto it = c.last_purge_ms.find(*name);
    if (it != c.last_purge_ms.end() && now - it->second < 60'000)
      return base::make_error(base::ErrorCode::kConflict,
                              "Only one PurgeQueue operation on " + *name + " is allowed every 60 seconds.",
                              "PurgeQueueInProgress");
  }
  if (auto s = c.queues.purge(*name); !s) return s.error();
  std::lock_guard lock(c.purge_mu);
  c.last_purge_ms[*name] = now;
  return json::object{};
}

Output list_dead_letter_source_queues(Context& c, const Request& r) {
  Reader in(r.in);
  auto name = addressed_queue(c, r, in);
  if (!name) return name.error();
  auto sources = c.queues.dead_letter_sources(*name);
  if (!sources) return sources.error();
  auto out = page_of(*sources, in, r, "queueUrls");
  if (out && !out->contains("queueUrls")) (*out)["queueUrls"] = json::array{};  // a required member
  return out;
}

}  // namespace nimbus::sqs
