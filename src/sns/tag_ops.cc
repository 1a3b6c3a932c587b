// TagResource, UntagResource, ListTagsForResource (topics are SNS's only taggable resource).
#include "aws/fields.h"
#include "http/offload.h"
#include "sns/errors.h"
#include "sns/render.h"
#include "sns/service.h"

namespace nimbus::sns {

using boost::asio::awaitable;

namespace {

// The topic named by ResourceArn: every tag operation's first step.
base::Result<topics::Topic> tagged_topic(const aws::Call& call, const topics::Store& store) {
  aws::QueryFields f(call.params);
  auto arn = f.string("ResourceArn", {.required = true, .min_length = 1, .max_length = 1011});
  if (auto s = f.status(); !s) return s.error();
  auto t = store.topic(*arn);
  if (!t) return with_reason(base::ErrorCode::kNotFound, reason::kResourceNotFound, "Resource does not exist");
  return *t;
}

}  // namespace

awaitable<base::Result<std::string>> Service::tag_resource(aws::Call& call) {
  auto t = tagged_topic(call, store_);
  if (!t) co_return t.error();
  auto tags = read_tags(call.params, "Tags");
  if (!tags) co_return tags.error();
  auto merged = t->tags;
  for (const auto& [k, v] : *tags) merged[k] = v;
  if (merged.size() > kMaxTags)
    co_return with_reason(base::ErrorCode::kInvalidArgument, reason::kTagLimitExceeded,
                          "Could not complete request: tag quota of per resource exceeded");
  auto s = co_await http::offload(blocking_, [&] { return store_.set_tags(t->arn, merged); });
  if (!s) co_return s.error();
  co_return std::string();
}

awaitable<base::Result<std::string>> Service::untag_resource(aws::Call& call) {
  auto t = tagged_topic(call, store_);
  if (!t) co_return t.error();
  auto tags = t->tags;
  for (const auto& k : call.params.strings("TagKeys")) tags.erase(k);
  auto s = co_await http::offload(blocking_, [&] { return store_.set_tags(t->arn, tags); });
  if (!s) co_return s.error();
  co_return std::string();
}

awaitable<base::Result<std::string>> Service::list_tags_for_resource(aws::Call& call) {
  auto t = tagged_topic(call, store_);
  if (!t) co_return t.error();
  aws::XmlWriter x;
  x.open("Tags");
  for (const auto& [k, v] : t->tags) x.open("member").element("Key", k).element("Value", v).close("member");
  x.close("Tags");
  co_return x.str();
}

}  // namespace nimbus::sns
