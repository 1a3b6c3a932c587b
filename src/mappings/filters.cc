#include "mappings/filters.h"

#include <boost/json.hpp>

namespace nimbus::mappings {

namespace json = boost::json;

base::Result<Filters> Filters::parse(const std::vector<std::string>& patterns) {
  if (patterns.size() > kMaxPatterns)
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "Invalid filter criteria: at most " + std::to_string(kMaxPatterns) +
                                " filters are allowed per event source mapping.");
  auto grammar = patterns::Grammar::lambda_filter_criteria(kMaxPatternLength);
  Filters f;
  for (const auto& p : patterns) {
    if (p.size() > kMaxPatternLength)
      return base::make_error(base::ErrorCode::kInvalidArgument,
                              "Invalid filter pattern definition: a pattern is longer than 4096 characters.");
    auto policy = patterns::FilterPolicy::parse(p, patterns::Scope::kMessageBody, grammar);
    if (!policy) return policy.error();
    f.patterns_.push_back(std::move(*policy));
  }
  return f;
}

bool Filters::passes(const sqs::ReceivedMessage& m) const {
  if (patterns_.empty()) return true;
  json::object doc;
  doc["messageId"] = m.message_id;
  boost::system::error_code ec;
  json::value body = json::parse(m.body, ec);
  doc["body"] = ec ? json::value(json::string(m.body)) : std::move(body);
  json::object attributes;
  for (const auto& [k, v] : m.attributes) attributes[k] = v;
  doc["attributes"] = std::move(attributes);
  json::object message_attributes;
  for (const auto& [name, a] : m.message_attributes) {
    json::object v{{"dataType", a.data_type}};
    if (!a.binary()) v["stringValue"] = a.string_value;
    message_attributes[name] = std::move(v);
  }
  doc["messageAttributes"] = std::move(message_attributes);
  doc["md5OfBody"] = m.md5_of_body;
  doc["eventSource"] = "aws:sqs";
  json::value d = std::move(doc);
  for (const auto& p : patterns_)
    if (p.matches(d)) return true;
  return false;
}

}  // namespace nimbus::mappings
