// CreateTopic, DeleteTopic, ListTopics, GetTopicAttributes, SetTopicAttributes.
#include <regex>

#include "aws/fields.h"
#include "http/offload.h"
#include "sns/errors.h"
#include "sns/render.h"
#include "sns/service.h"

namespace nimbus::sns {

using boost::asio::awaitable;

awaitable<base::Result<std::string>> Service::create_topic(aws::Call& call) {
  aws::QueryFields f(call.params);
  f.unsupported("DataProtectionPolicy", "CreateTopic");
  auto name = f.string("Name", {.required = true});
  if (auto s = f.status(); !s) co_return s.error();
  auto attributes = call.params.map("Attributes");
  auto tags = read_tags(call.params, "Tags");
  if (!tags) co_return tags.error();
  if (tags->size() > 50)
    co_return with_reason(base::ErrorCode::kInvalidArgument, reason::kTagLimitExceeded,
                          "Could not complete request: tag quota of per resource exceeded");
  bool fifo = attributes.count("FifoTopic") && attributes["FifoTopic"] == "true";
  static const std::regex kName("[A-Za-z0-9_-]{1,256}"), kFifoName("[A-Za-z0-9_-]{1,251}\\.fifo");
  if (fifo && !std::regex_match(*name, kFifoName))
    co_return invalid_parameter(
        "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, "
        "numbers, underscores, and hyphens, and must be between 1 and 256 characters long.");
  if (!fifo && !std::regex_match(*name, kName)) co_return invalid_parameter("Topic Name");
  for (const auto& [k, v] : attributes)
    if (auto s = check_topic_attribute(k, v, fifo, true); !s) co_return s.error();
  // Compared with an existing topic as asked: the topic keeps no ContentBasedDeduplication=false
  // (it is the default), yet a request saying false must not match a topic that has it on.
  const auto requested = attributes;
  attributes.erase("FifoTopic");
  if (attributes.count("ContentBasedDeduplication") && attributes["ContentBasedDeduplication"] == "false")
    attributes.erase("ContentBasedDeduplication");

  topics::Topic t;
  t.arn = topic_arn(*name);
  t.name = *name;
  t.fifo = fifo;
  t.attributes = attributes;
  t.tags = *tags;
  t.created_ms = options_.clock->now_ms();
  auto created = co_await http::offload(blocking_, [&] { return store_.create_topic(t); });
  if (!created) co_return created.error();
  if (!created->second) {
    // Idempotent for the same request; a different one names what differs, as SNS does.
    const topics::Topic& existing = created->first;
    for (const auto& [k, v] : requested) {
      if (k == "FifoTopic") continue;  // the name says it: a .fifo name is FIFO, no other is
      auto it = existing.attributes.find(k);
      std::string have = it != existing.attributes.end() ? it->second
                         : k == "ContentBasedDeduplication" ? "false" : "";
      if (have != v) co_return invalid_parameter("Attributes Reason: Topic already exists with different attributes");
    }
    if (!tags->empty() && *tags != existing.tags)
      co_return invalid_parameter("Tags Reason: Topic already exists with different tags");
  }
  aws::XmlWriter x;
  x.element("TopicArn", t.arn);
  co_return x.str();
}

awaitable<base::Result<std::string>> Service::delete_topic(aws::Call& call) {
  aws::QueryFields f(call.params);
  auto arn = f.string("TopicArn", {.required = true});
  if (auto s = f.status(); !s) co_return s.error();
  // Idempotent, as SNS documents and does: a topic that does not exist (deleted already) is no error.
  if (!store_.topic(*arn)) co_return std::string();
  std::string a = *arn;
  auto s = co_await http::offload(blocking_, [&] { return store_.delete_topic(a); });
  if (!s) co_return s.error();
  co_return std::string();
}

awaitable<base::Result<std::string>> Service::list_topics(aws::Call& call) {
  auto all = store_.topics();
  std::vector<std::string> arns;
  for (const auto& t : all) arns.push_back(t.arn);
  auto p = page(arns, call.params.get("NextToken"));
  if (!p) co_return p.error();
  aws::XmlWriter x;
  x.open("Topics");
  for (size_t i = p->begin; i < p->end; ++i) x.open("member").element("TopicArn", arns[i]).close("member");
  x.close("Topics");
  if (!p->next.empty()) x.element("NextToken", p->next);
  co_return x.str();
}

awaitable<base::Result<std::string>> Service::get_topic_attributes(aws::Call& call) {
  aws::QueryFields f(call.params);
  auto arn = f.string("TopicArn", {.required = true});
  if (auto s = f.status(); !s) co_return s.error();
  auto t = store_.topic(*arn);
  if (!t) co_return topic_not_found();
  int confirmed = 0, pending = 0;
  for (const auto& s : store_.subscriptions_of(t->arn)) (s.confirmed ? confirmed : pending)++;
  aws::XmlWriter x;
  attributes_xml(x, topic_attributes(*t, confirmed, pending));
  co_return x.str();
}

awaitable<base::Result<std::string>> Service::set_topic_attributes(aws::Call& call) {
  aws::QueryFields f(call.params);
  auto arn = f.string("TopicArn", {.required = true});
  auto name = f.string("AttributeName", {.required = true});
  if (auto s = f.status(); !s) co_return s.error();
  std::string value = call.params.get("AttributeValue");
  auto t = store_.topic(*arn);
  if (!t) co_return topic_not_found();
  if (auto s = check_topic_attribute(*name, value, t->fifo, false); !s) co_return s.error();
  if (*name == "ContentBasedDeduplication" && value == "false") value.clear();
  std::string a = *arn, n = *name;
  auto s = co_await http::offload(blocking_, [&] { return store_.set_topic_attribute(a, n, value); });
  if (!s) co_return s.error();
  co_return std::string();
}

}  // namespace nimbus::sns
