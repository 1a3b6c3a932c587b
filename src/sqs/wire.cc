#include "sqs/wire.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <vector>

#include "aws/query_protocol.h"

namespace nimbus::sqs {

namespace {

namespace json = boost::json;

// Flattened maps: the query name, the JSON member, the key and value names.
struct MapName {
  std::string_view query, member, key, value;
  bool structured;  // the value is a structure (message attributes), not a string
};
constexpr MapName kMaps[] = {
    {"Attribute", "Attributes", "Name", "Value", false},
    {"Tag", "Tags", "Key", "Value", false},  // CreateQueue's member is "tags": see query_to_json
    {"MessageAttribute", "MessageAttributes", "Name", "Value", true},
    {"MessageSystemAttribute", "MessageSystemAttributes", "Name", "Value", true},
};

// Flattened lists: the query name and the JSON member; structured ones hold objects.
struct ListName {
  std::string_view query, member;
  bool structured;
};
constexpr ListName kLists[] = {
    {"AttributeName", "AttributeNames", false},
    {"MessageAttributeName", "MessageAttributeNames", false},
    {"MessageSystemAttributeName", "MessageSystemAttributeNames", false},
    {"TagKey", "TagKeys", false},
    {"StringListValue", "StringListValues", false},
    {"BinaryListValue", "BinaryListValues", false},
    {"AWSAccountId", "AWSAccountIds", false},
    {"ActionName", "Actions", false},
    {"SendMessageBatchRequestEntry", "Entries", true},
    {"DeleteMessageBatchRequestEntry", "Entries", true},
    {"ChangeMessageVisibilityBatchRequestEntry", "Entries", true},
};

constexpr std::string_view kIntegers[] = {"DelaySeconds",  "VisibilityTimeout", "MaxNumberOfMessages",
                                          "WaitTimeSeconds", "MaxResults",      "MaxNumberOfMessagesPerSecond"};

using Flat = std::map<std::string, std::string, std::less<>>;

json::value scalar(std::string_view name, const std::string& v) {
  for (auto i : kIntegers)
    if (i == name) {
      int64_t n = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec == std::errc() && p == v.data() + v.size() && !v.empty()) return n;
    }
  return json::string(v);
}

// "3.Value.DataType" -> (3, "Value.DataType"); the index must be a positive integer.
bool split_index(std::string_view rest, int& index, std::string& tail) {
  size_t dot = rest.find('.');
  std::string_view num = rest.substr(0, dot);
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), index);
  if (ec != std::errc() || p != num.data() + num.size() || index < 1) return false;
  tail = dot == std::string_view::npos ? "" : std::string(rest.substr(dot + 1));
  return true;
}

json::object convert(const Flat& flat);

json::object convert(const Flat& flat) {
  json::object out;
  std::map<std::string, std::map<int, Flat>> grouped;  // query name -> index -> sub-parameters
  for (const auto& [key, value] : flat) {
    size_t dot = key.find('.');
    std::string head = key.substr(0, dot);
    bool grouped_name = false;
    for (const auto& m : kMaps) grouped_name = grouped_name || m.query == head;
    for (const auto& l : kLists) grouped_name = grouped_name || l.query == head;
    if (grouped_name && dot != std::string::npos) {
      int index = 0;
      std::string tail;
      if (split_index(std::string_view(key).substr(dot + 1), index, tail)) {
        grouped[head][index][tail] = value;
        continue;
      }
    }
    if (dot == std::string::npos) {
      out[key] = scalar(key, value);
    } else {
      // A nested structure (Value.StringValue inside a map entry): keep its parts together.
      Flat sub;
      for (const auto& [k2, v2] : flat)
        if (k2.size() > head.size() && k2.compare(0, head.size() + 1, head + ".") == 0) sub[k2.substr(head.size() + 1)] = v2;
      if (!out.contains(head)) out[head] = convert(sub);
    }
  }
  for (const auto& [head, entries] : grouped) {
    for (const auto& m : kMaps) {
      if (m.query != head) continue;
      json::object map;
      for (const auto& [index, sub] : entries) {
        auto k = sub.find(std::string(m.key));
        if (k == sub.end()) continue;
        if (m.structured) {
          Flat value;
          std::string prefix = std::string(m.value) + ".";
          for (const auto& [k2, v2] : sub)
            if (k2.rfind(prefix, 0) == 0) value[k2.substr(prefix.size())] = v2;
          map[k->second] = convert(value);
        } else {
          auto v = sub.find(std::string(m.value));
          map[k->second] = v == sub.end() ? "" : v->second;
        }
      }
      out[m.member] = std::move(map);
    }
    for (const auto& l : kLists) {
      if (l.query != head) continue;
      json::array list;
      for (const auto& [index, sub] : entries) {
        if (l.structured) {
          list.push_back(convert(sub));
        } else if (auto v = sub.find(""); v != sub.end()) {
          list.push_back(json::string(v->second));
        }
      }
      out[l.member] = std::move(list);
    }
  }
  return out;
}

// XML element names of lists and maps in results.
std::string list_element(std::string_view operation, std::string_view member) {
  if (member == "QueueUrls" || member == "queueUrls") return "QueueUrl";
  if (member == "Messages") return "Message";
  if (member == "Failed") return "BatchResultErrorEntry";
  if (member == "Successful") return std::string(operation) + "ResultEntry";
  if (member == "Results") return std::string(operation) + "ResultEntry";
  return std::string(member);
}

void render(std::string_view operation, const json::object& o, aws::XmlWriter& x);

void render_value(std::string_view operation, std::string_view name, const json::value& v, aws::XmlWriter& x) {
  if (v.is_string()) x.element(name, v.as_string());
  else if (v.is_bool()) x.element(name, v.as_bool() ? "true" : "false");
  else if (v.is_int64()) x.element(name, std::to_string(v.as_int64()));
  else if (v.is_uint64()) x.element(name, std::to_string(v.as_uint64()));
  else if (v.is_double()) x.element(name, json::serialize(v));
  else if (v.is_object()) {
    x.open(name);
    render(operation, v.as_object(), x);
    x.close(name);
  }
}

void render(std::string_view operation, const json::object& o, aws::XmlWriter& x) {
  for (const auto& [key, v] : o) {
    std::string_view k = key;
    if (v.is_array()) {
      std::string element = list_element(operation, k);
      for (const auto& item : v.as_array()) render_value(operation, element, item, x);
    } else if (v.is_object() && (k == "Attributes" || k == "Tags" || k == "MessageAttributes")) {
      std::string element = k == "Attributes" ? "Attribute" : k == "Tags" ? "Tag" : "MessageAttribute";
      std::string key_name = k == "Tags" ? "Key" : "Name";
      for (const auto& [name, value] : v.as_object()) {
        x.open(element);
        x.element(key_name, name);
        render_value(operation, "Value", value, x);
        x.close(element);
      }
    } else {
      render_value(operation, k, v, x);
    }
  }
}

}  // namespace

json::object query_to_json(const Flat& params) {
  Flat flat;
  for (const auto& [k, v] : params)
    if (k != "Action" && k != "Version") flat[k] = v;
  auto out = convert(flat);
  // Tag.N.Key/Value is CreateQueue's "tags" and TagQueue's "Tags".
  auto action = params.find("Action");
  if (action != params.end() && action->second == "CreateQueue")
    if (auto* tags = out.if_contains("Tags")) {
      json::value moved = std::move(*tags);  // before the insert below, which may move the object's storage
      out.erase("Tags");
      out["tags"] = std::move(moved);
    }
  return out;
}

std::string json_to_query_xml(std::string_view operation, const json::object& result) {
  aws::XmlWriter x;
  render(operation, result, x);
  return x.str();
}

}  // namespace nimbus::sqs
