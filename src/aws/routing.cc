#include <algorithm>

#include "aws/router.h"
#include "aws/unserved.h"

namespace nimbus::aws {

// Here, not in service.cc, so the edge's routing links alone (the
// http_request fuzz target compiles routing.cc without the services).
Protocol protocol_for(const ServiceDescriptor& d, const http::Request& req) {
  return d.protocol_of ? d.protocol_of(req) : d.protocol;
}

namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// '*' matches any run of characters: "*.lambda-url.*" fits "abc.lambda-url.us-east-1.localhost".
bool host_matches(std::string_view pattern, std::string_view host) {
  if (pattern.empty()) return host.empty();
  if (pattern.front() == '*') {
    for (size_t i = 0; i <= host.size(); ++i)
      if (host_matches(pattern.substr(1), host.substr(i))) return true;
    return false;
  }
  return !host.empty() && std::tolower(static_cast<unsigned char>(pattern.front())) ==
                              std::tolower(static_cast<unsigned char>(host.front())) &&
         host_matches(pattern.substr(1), host.substr(1));
}

}  // namespace

Route route_request(const std::vector<ServiceDescriptor>& services, const ServiceDescriptor* fallback,
                    const http::Request& req) {
  for (const auto& d : services)
    if (d.claims && d.claims(req)) return {&d, "", protocol_for(d, req)};
  auth::RequestView view{req.method, req.target, &req.headers, {}};
  if (auth::is_sigv4(view)) {
    if (auto scope = auth::peek_scope(view); scope.ok()) {
      if (fallback && contains(fallback->signing_names, scope->service))
        return {fallback, "", protocol_for(*fallback, req)};
      for (const auto& d : services)
        if (contains(d.signing_names, scope->service)) return {&d, "", protocol_for(d, req)};
      auto known = known_by_signing_name(scope->service);
      return {nullptr, scope->service, infer_protocol(req, known ? known->protocol : Protocol::kJson11)};
    }
  }
  if (std::string target = req.header("x-amz-target"); !target.empty()) {
    for (const auto& d : services)
      for (const auto& p : d.target_prefixes)
        if (starts_with(target, p)) return {&d, "", protocol_for(d, req)};
    auto known = known_by_target(target);
    return {nullptr, target, infer_protocol(req, known ? known->protocol : Protocol::kJson11)};
  }
  std::string host = req.header("host");
  host = host.substr(0, host.rfind(':') == std::string::npos || host.back() == ']' ? host.size() : host.rfind(':'));
  for (const auto& d : services)
    for (const auto& p : d.host_patterns)
      if (host_matches(p, host)) return {&d, "", protocol_for(d, req)};
  std::string_view path = std::string_view(req.target).substr(0, req.target.find('?'));
  for (const auto& d : services)
    for (const auto& p : d.path_prefixes)
      if (starts_with(path, p)) return {&d, "", protocol_for(d, req)};
  if (fallback) return {fallback, "", protocol_for(*fallback, req)};
  return {nullptr, "", Protocol::kRestXml};
}

}  // namespace nimbus::aws
