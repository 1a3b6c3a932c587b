#include "s3/addressing.h"

#include "base/encoding.h"

namespace nimbus::s3 {

bool Address::has(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return true;
  return false;
}

std::optional<std::string> Address::param(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return v;
  return std::nullopt;
}

std::vector<std::string> default_virtual_host_suffixes() {
  return {".s3.localhost.localstack.cloud", ".localhost.localstack.cloud", ".s3.localhost", ".localhost",
          ".s3.amazonaws.com", ".s3.us-east-1.amazonaws.com"};
}

Address parse_address(const http::Request& req, const std::vector<std::string>& suffixes) {
  Address a;
  std::string_view target = req.target;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  if (q != std::string_view::npos)
    for (auto& p : base::parse_query(target.substr(q + 1), true)) a.query.emplace_back(std::move(p.key), std::move(p.value));
  // Absolute-form targets (proxies) carry scheme and host: keep only the path.
  if (path.rfind("http://", 0) == 0 || path.rfind("https://", 0) == 0) {
    size_t slash = path.find('/', path.find("//") + 2);
    path = slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
  }
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);

  std::string host = base::to_lower(req.header("host"));
  if (size_t colon = host.rfind(':'); colon != std::string::npos && host.find(']') == std::string::npos)
    host.resize(colon);
  for (const auto& suffix : suffixes) {
    if (host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0) {
      a.bucket = host.substr(0, host.size() - suffix.size());
      a.virtual_hosted = true;
      a.key = base::uri_decode(path);
      return a;
    }
  }
  size_t slash = path.find('/');
  a.bucket = base::uri_decode(path.substr(0, slash));
  if (slash != std::string_view::npos) a.key = base::uri_decode(path.substr(slash + 1));
  return a;
}

}  // namespace nimbus::s3
