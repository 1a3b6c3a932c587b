#include "function_urls/cors.h"

#include <algorithm>

#include "base/encoding.h"

namespace nimbus::function_urls {

namespace {

std::string header(const base::HeaderList& h, std::string_view name) {
  for (const auto& [n, v] : h)
    if (base::iequals(n, name)) return v;
  return {};
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

bool contains(const std::vector<std::string>& items, const std::string& v) {
  return std::find(items.begin(), items.end(), v) != items.end();
}

// The Access-Control-Allow-Origin value for this Origin, or "" when it is not allowed.
std::string allowed_origin(const lambda_api::UrlCors& cors, const std::string& origin) {
  if (origin.empty()) return {};
  if (contains(cors.allow_origins, origin)) return origin;
  // A wildcard answers "*", unless credentials are allowed: browsers refuse "*" with credentials.
  if (contains(cors.allow_origins, "*")) return cors.allow_credentials ? origin : "*";
  return {};
}

}  // namespace

bool is_preflight(const std::string& method, const base::HeaderList& h) {
  return method == "OPTIONS" && !header(h, "origin").empty() && !header(h, "access-control-request-method").empty();
}

base::HeaderList preflight_headers(const lambda_api::UrlCors& cors, const base::HeaderList& h) {
  base::HeaderList out;
  std::string origin = allowed_origin(cors, header(h, "origin"));
  if (origin.empty()) return out;
  out.emplace_back("Access-Control-Allow-Origin", origin);
  std::string methods = join(cors.allow_methods);
  if (!methods.empty()) out.emplace_back("Access-Control-Allow-Methods", methods);
  // "*" in AllowHeaders allows whatever the browser asks for.
  std::string headers =
      contains(cors.allow_headers, "*") ? header(h, "access-control-request-headers") : join(cors.allow_headers);
  if (!headers.empty()) out.emplace_back("Access-Control-Allow-Headers", headers);
  if (cors.allow_credentials) out.emplace_back("Access-Control-Allow-Credentials", "true");
  if (cors.max_age > 0) out.emplace_back("Access-Control-Max-Age", std::to_string(cors.max_age));
  if (origin != "*") out.emplace_back("Vary", "Origin");
  return out;
}

void apply_cors(const lambda_api::UrlCors& cors, const base::HeaderList& h, base::HeaderList& reply) {
  std::erase_if(reply, [](const auto& kv) {
    std::string n = kv.first;
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
    return n.rfind("access-control-", 0) == 0;
  });
  std::string origin = allowed_origin(cors, header(h, "origin"));
  if (origin.empty()) return;
  reply.emplace_back("Access-Control-Allow-Origin", origin);
  if (cors.allow_credentials) reply.emplace_back("Access-Control-Allow-Credentials", "true");
  if (std::string expose = join(cors.expose_headers); !expose.empty())
    reply.emplace_back("Access-Control-Expose-Headers", expose);
  if (origin != "*") reply.emplace_back("Vary", "Origin");
}

}  // namespace nimbus::function_urls
