// The query protocol (STS, IAM, SQS's older wire, SNS, CloudFormation):
// Action=Op&Version=V&Param=... in a form-encoded body or the URL query, with
// lists and maps flattened into numbered names:
//   Tags.member.1.Key=k  Tags.member.1.Value=v     (members)
//   PolicyArns.member.1.arn=...                     (structures in lists)
//   AttributeName.1=All                             (flattened lists)
//   Attributes.entry.1.key=k Attributes.entry.1.value=v  (maps)
// Replies are XML: <OpResponse xmlns=NS><OpResult>...</OpResult>
// <ResponseMetadata><RequestId>ID</RequestId></ResponseMetadata></OpResponse>.
//
// Usage:
//   auto params = QueryParams::parse(call.body, url_query);
//   std::string role = params.get("RoleArn");
//   for (auto& tag : params.list("Tags")) tag.get("Key")...   // Tags.member.N.*
//   XmlWriter x; x.element("Account", "000000000000");
//   return call.reply_xml(x.str());
//
// THREADING RULE: values; a QueryParams is not shared between threads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace nimbus::aws {

class QueryParams {
 public:
  QueryParams() = default;
  // Form body (application/x-www-form-urlencoded) and URL query together;
  // the body wins when both name a parameter.
  static QueryParams parse(std::string_view form_body, std::string_view url_query);
  // The parameters of a request: its URL query, plus its body when the body
  // is a form (Content-Type application/x-www-form-urlencoded or none).
  static QueryParams of(const http::Request& req, std::string_view body);

  bool has(std::string_view name) const;
  std::string get(std::string_view name) const;  // "" when absent
  std::optional<std::string> find(std::string_view name) const;
  const std::map<std::string, std::string, std::less<>>& all() const { return values_; }

  // The members of list `name`, in index order: "name.member.N.*" or
  // "name.N.*" (flattened). Each is the sub-structure below the index; a
  // scalar member is the entry "" of its QueryParams (value()).
  std::vector<QueryParams> list(std::string_view name) const;
  // Scalar list members: name.member.N or name.N, in index order.
  std::vector<std::string> strings(std::string_view name) const;
  // A map: name.entry.N.key / name.entry.N.value (also Name/Value spellings).
  std::map<std::string, std::string> map(std::string_view name) const;
  // Everything below "prefix." as its own QueryParams (a nested structure).
  QueryParams sub(std::string_view prefix) const;
  std::string value() const { return get(""); }  // a scalar list member

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// Builds the XML inside a reply's <OpResult>, escaping text.
class XmlWriter {
 public:
  XmlWriter& element(std::string_view name, std::string_view text);
  XmlWriter& open(std::string_view name);
  XmlWriter& close(std::string_view name);
  const std::string& str() const { return out_; }

 private:
  std::string out_;
};

std::string xml_escape(std::string_view s);

// <OpResponse xmlns=NS><OpResult>result_xml</OpResult><ResponseMetadata>...
http::Response query_response(std::string_view operation, std::string_view xml_namespace,
                              std::string_view result_xml, std::string_view request_id);

}  // namespace nimbus::aws
