// SQS's two wires, brought to one shape. Operations read their input as the
// JSON protocol's object and write their output the same way; a query
// request's flattened parameters (Attribute.1.Name, MessageAttribute.1.
// Value.StringValue, SendMessageBatchRequestEntry.2.MessageBody, TagKey.1,
// ...) become that object first, and a JSON result becomes query XML
// (flattened lists and maps: <QueueUrl> repeated, <Attribute><Name>…
// </Name><Value>…</Value></Attribute>) after.
//
// THREADING RULE: pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <string>
#include <string_view>

namespace nimbus::sqs {

// The query parameters of one request (decoded, Action and Version too) as
// the JSON protocol's input object. Numbers stay strings where they do not
// read as integers (the operation then refuses them).
boost::json::object query_to_json(const std::map<std::string, std::string, std::less<>>& params);

// A JSON result as the XML inside <OpResult>.
std::string json_to_query_xml(std::string_view operation, const boost::json::object& result);

}  // namespace nimbus::sqs
