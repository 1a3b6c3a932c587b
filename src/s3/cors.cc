#include "s3/cors.h"

#include <algorithm>
#include <pugixml.hpp>
#include <sstream>

#include "base/encoding.h"
#include "s3/xml.h"

namespace nimbus::s3 {

namespace {

S3Error malformed() {
  return s3_error(400, "MalformedXML",
                  "The XML you provided was not well-formed or did not validate against our published schema");
}

bool valid_method(std::string_view m) {
  return m == "GET" || m == "PUT" || m == "HEAD" || m == "POST" || m == "DELETE";
}

size_t stars(std::string_view s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '*')); }

// CORS patterns have at most one '*' (checked when stored) and no other wildcard: '?' is literal.
bool star_match(std::string_view pattern, std::string_view text, bool case_insensitive) {
  auto eq = [&](std::string_view a, std::string_view b) { return case_insensitive ? base::iequals(a, b) : a == b; };
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return eq(pattern, text);
  std::string_view head = pattern.substr(0, star), tail = pattern.substr(star + 1);
  return text.size() >= head.size() + tail.size() && eq(text.substr(0, head.size()), head) &&
         eq(text.substr(text.size() - tail.size()), tail);
}

}  // namespace

std::vector<std::string> split_header_list(std::string_view v) {
  std::vector<std::string> out;
  while (!v.empty()) {
    size_t comma = v.find(',');
    std::string item = base::to_lower(base::trim(v.substr(0, comma)));
    if (!item.empty()) out.push_back(std::move(item));
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return out;
}

std::optional<CorsConfiguration> parse_cors_configuration(std::string_view body, S3Error& err) {
  auto parsed = parse_xml(body);
  pugi::xml_node root = parsed ? (*parsed)->child("CORSConfiguration") : pugi::xml_node();
  if (!root) {
    err = malformed();
    return std::nullopt;
  }
  CorsConfiguration out;
  for (pugi::xml_node n : root.children()) {
    if (n.type() != pugi::node_element) continue;
    if (std::string_view(n.name()) != "CORSRule") {
      err = malformed();
      return std::nullopt;
    }
    CorsRule r;
    bool max_age_seen = false;
    for (pugi::xml_node f : n.children()) {
      if (f.type() != pugi::node_element) continue;
      std::string_view name = f.name();
      std::string value(base::trim(f.text().as_string()));
      if (name == "ID") {
        r.id = value;
      } else if (name == "AllowedOrigin") {
        if (stars(value) > 1) {
          err = s3_error(400, "InvalidRequest", "AllowedOrigin \"" + value + "\" can not have more than one wildcard.");
          return std::nullopt;
        }
        r.allowed_origins.push_back(value);
      } else if (name == "AllowedMethod") {
        if (!valid_method(value)) {
          err = s3_error(400, "InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is " + value);
          return std::nullopt;
        }
        r.allowed_methods.push_back(value);
      } else if (name == "AllowedHeader") {
        if (stars(value) > 1) {
          err = s3_error(400, "InvalidRequest", "AllowedHeader \"" + value + "\" can not have more than one wildcard.");
          return std::nullopt;
        }
        r.allowed_headers.push_back(value);
      } else if (name == "ExposeHeader") {
        r.expose_headers.push_back(value);
      } else if (name == "MaxAgeSeconds" && !max_age_seen) {
        max_age_seen = true;
        char* end = nullptr;
        long v = std::strtol(value.c_str(), &end, 10);
        if (value.empty() || *end || v < 0 || value.size() > 10) {
          err = malformed();
          return std::nullopt;
        }
        r.max_age_seconds = v;
      } else {
        err = malformed();
        return std::nullopt;
      }
    }
    if (r.allowed_origins.empty() || r.allowed_methods.empty() || r.id.size() > 255) {
      err = malformed();
      return std::nullopt;
    }
    out.rules.push_back(std::move(r));
  }
  if (out.rules.empty() || out.rules.size() > 100) {
    err = malformed();
    return std::nullopt;
  }
  return out;
}

std::string render_cors_configuration(const CorsConfiguration& c) {
  XmlDocument doc("CORSConfiguration");
  for (const auto& r : c.rules) {
    auto rule = doc.root().child("CORSRule");
    if (!r.id.empty()) rule.text("ID", r.id);
    for (const auto& v : r.allowed_headers) rule.text("AllowedHeader", v);
    for (const auto& v : r.allowed_methods) rule.text("AllowedMethod", v);
    for (const auto& v : r.allowed_origins) rule.text("AllowedOrigin", v);
    for (const auto& v : r.expose_headers) rule.text("ExposeHeader", v);
    if (r.max_age_seconds) rule.text("MaxAgeSeconds", std::to_string(*r.max_age_seconds));
  }
  return doc.str();
}

const CorsRule* match_cors_rule(const CorsConfiguration& c, std::string_view origin, std::string_view method,
                                const std::vector<std::string>& request_headers) {
  for (const auto& r : c.rules) {
    bool origin_ok = false;
    for (const auto& o : r.allowed_origins) origin_ok = origin_ok || star_match(o, origin, false);
    if (!origin_ok) continue;
    bool method_ok = false;
    for (const auto& m : r.allowed_methods) method_ok = method_ok || m == method;
    if (!method_ok) continue;
    bool headers_ok = true;
    for (const auto& h : request_headers) {
      bool allowed = false;
      for (const auto& a : r.allowed_headers) allowed = allowed || star_match(a, h, true);
      headers_ok = headers_ok && allowed;
    }
    if (headers_ok) return &r;
  }
  return nullptr;
}

}  // namespace nimbus::s3
