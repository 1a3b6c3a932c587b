// What the operation files share: attribute maps as SNS's XML, NextToken
// paging of 100, topic names and ARNs, and the checks of topic attributes.
// Threading: pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "aws/query_protocol.h"
#include "base/result.h"
#include "topics/types.h"

namespace nimbus::sns {

constexpr size_t kPageSize = 100;

// <Attributes><entry><key>k</key><value>v</value></entry>...</Attributes>
void attributes_xml(aws::XmlWriter& x, const std::map<std::string, std::string>& attributes);

// One page of sorted keys after the NextToken (an opaque cursor); next is
// the token of the following page, empty on the last one.
struct Page {
  size_t begin = 0, end = 0;
  std::string next;
};
base::Result<Page> page(const std::vector<std::string>& sorted_keys, const std::string& next_token);

// A topic attribute a client may set (at CreateTopic or SetTopicAttributes),
// checked as SNS does; refusals name the attribute.
base::Status check_topic_attribute(const std::string& name, const std::string& value, bool fifo, bool creating);

// The topic's attributes as GetTopicAttributes returns them.
std::map<std::string, std::string> topic_attributes(const topics::Topic& t, int confirmed, int pending);

// Tags.member.N.Key/Value, checked as SNS checks them (keys 1-128, values 0-256, no aws: prefix).
base::Result<std::map<std::string, std::string>> read_tags(const aws::QueryParams& params, const char* name);
constexpr size_t kMaxTags = 50;

// The default access policy AWS gives a topic.
std::string default_policy(const std::string& topic_arn);

}  // namespace nimbus::sns
