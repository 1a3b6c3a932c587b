#include "aws/query_protocol.h"

#include <cctype>

#include "base/encoding.h"

namespace nimbus::aws {

QueryParams QueryParams::parse(std::string_view form_body, std::string_view url_query) {
  QueryParams out;
  for (auto& p : base::parse_query(url_query, true)) out.values_[p.key] = std::move(p.value);
  for (auto& p : base::parse_query(form_body, true)) out.values_[p.key] = std::move(p.value);
  return out;
}

QueryParams QueryParams::of(const http::Request& req, std::string_view body) {
  size_t q = req.target.find('?');
  std::string_view query = q == std::string::npos ? std::string_view() : std::string_view(req.target).substr(q + 1);
  std::string type = req.header("content-type");
  bool form = type.empty() || type.rfind("application/x-www-form-urlencoded", 0) == 0;
  return parse(form ? body : std::string_view(), query);
}

bool QueryParams::has(std::string_view name) const { return values_.find(name) != values_.end(); }

std::string QueryParams::get(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::string() : it->second;
}

std::optional<std::string> QueryParams::find(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::vector<QueryParams> QueryParams::list(std::string_view name) const {
  std::string prefix = std::string(name) + ".";
  std::map<long, QueryParams> members;
  for (auto it = values_.lower_bound(prefix); it != values_.end() && it->first.rfind(prefix, 0) == 0; ++it) {
    std::string_view rest = std::string_view(it->first).substr(prefix.size());
    if (rest.rfind("member.", 0) == 0) rest.remove_prefix(7);
    size_t digits = 0;
    while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
    if (digits == 0 || digits > 6 || (digits < rest.size() && rest[digits] != '.')) continue;
    long index = std::stol(std::string(rest.substr(0, digits)));
    std::string key = digits < rest.size() ? std::string(rest.substr(digits + 1)) : std::string();
    members[index].values_[key] = it->second;
  }
  std::vector<QueryParams> out;
  for (auto& [i, m] : members) out.push_back(std::move(m));
  return out;
}

std::vector<std::string> QueryParams::strings(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& m : list(name))
    if (m.has("")) out.push_back(m.value());
  return out;
}

std::map<std::string, std::string> QueryParams::map(std::string_view name) const {
  auto entries = list(std::string(name) + ".entry");
  if (entries.empty()) entries = list(name);
  std::map<std::string, std::string> out;
  for (const auto& e : entries) {
    auto key = e.find("key");
    if (!key) key = e.find("Key");
    if (!key) key = e.find("Name");
    if (!key) continue;
    auto value = e.find("value");
    if (!value) value = e.find("Value");
    out[*key] = value.value_or("");
  }
  return out;
}

QueryParams QueryParams::sub(std::string_view prefix) const {
  std::string p = std::string(prefix) + ".";
  QueryParams out;
  for (auto it = values_.lower_bound(p); it != values_.end() && it->first.rfind(p, 0) == 0; ++it)
    out.values_[it->first.substr(p.size())] = it->second;
  return out;
}

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

XmlWriter& XmlWriter::element(std::string_view name, std::string_view text) {
  out_.append("<").append(name).append(">").append(xml_escape(text)).append("</").append(name).append(">");
  return *this;
}

XmlWriter& XmlWriter::open(std::string_view name) {
  out_.append("<").append(name).append(">");
  return *this;
}

XmlWriter& XmlWriter::close(std::string_view name) {
  out_.append("</").append(name).append(">");
  return *this;
}

http::Response query_response(std::string_view operation, std::string_view xml_namespace,
                              std::string_view result_xml, std::string_view request_id) {
  std::string op(operation);
  http::Response r;
  r.set("Content-Type", "text/xml");
  r.set("x-amzn-RequestId", std::string(request_id));
  r.body = "<" + op + "Response xmlns=\"" + xml_escape(xml_namespace) + "\"><" + op + "Result>" +
           std::string(result_xml) + "</" + op + "Result><ResponseMetadata><RequestId>" + xml_escape(request_id) +
           "</RequestId></ResponseMetadata></" + op + "Response>";
  return r;
}

}  // namespace nimbus::aws
