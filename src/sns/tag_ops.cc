// TagResource, UntagResource, ListTagsForResource (topics are SNS's only taggable resource).
#include "aws/fields.h"
#include "http/offload.h"
#include "sns/errors.h"
#include "sns/render.h"
#include "sns/service.h"

namespace nimbus::sns {

using boost::asio::awaitable;

namespace {

base::Error resource_not_found() {
  return with_reason(base::ErrorCode::kNotFound, reason::kResourceNotFound, "Resource does not exist");
}

}  // namespace

awaitable<base::Result<std::string>> Service::tag_resource(aws::Call& call) {
  aws::QueryFields f(call.params);
  auto arn = f.string("ResourceArn", {.required = true, .min_length = 1, .max_length = 1011});
  if (auto s = f.status(); !s) co_return s.error();
  auto tags = read_tags(call.params, "Tags");
  if (!tags) co_return tags.error();
  auto t = store_.topic(*arn);
  if (!t) co_return resource_not_found();
  auto merged = t->tags;
  for (const auto& [k, v] : *tags) merged[k] = v;
  if (merged.size() > kMaxTags)
    co_return with_reason(base::ErrorCode::kInvalidArgument, reason::kTagLimitExceeded,
                          "Could not complete request: tag quota of per resource exceeded");
  std::string a = *arn;
  auto s = co_await http::offload(blocking_, [&] { return store_.set_tags(a, merged); });
  if (!s) co_return s.error();
  co_return std::string();
}

awaitable<base::Result<std::string>> Service::untag_resource(aws::Call& call) {
  aws::QueryFields f(call.params);
  auto arn = f.string("ResourceArn", {.required = true, .min_length = 1, .max_length = 1011});
  if (auto s = f.status(); !s) co_return s.error();
  auto t = store_.topic(*arn);
  if (!t) co_return resource_not_found();
  auto tags = t->tags;
  for (const auto& k : call.params.strings("TagKeys")) tags.erase(k);
  std::string a = *arn;
  auto s = co_await http::offload(blocking_, [&] { return store_.set_tags(a, tags); });
  if (!s) co_return s.error();
  co_return std::string();
}

awaitable<base::Result<std::string>> Service::list_tags_for_resource(aws::Call& call) {
  aws::QueryFields f(call.params);
  auto arn = f.string("ResourceArn", {.required = true, .min_length = 1, .max_length = 1011});
  if (auto s = f.status(); !s) co_return s.error();
  auto t = store_.topic(*arn);
  if (!t) co_return resource_not_found();
  aws::XmlWriter x;
  x.open("Tags");
  for (const auto& [k, v] : t->tags) x.open("member").element("Key", k).element("Value", v).close("member");
  x.close("Tags");
  co_return x.str();
}

}  // namespace nimbus::sns
