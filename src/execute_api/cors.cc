#include "execute_api/cors.h"

#include "base/encoding.h"

namespace nimbus::execute_api {

namespace json = boost::json;

namespace {

std::vector<std::string> strings(const json::object& o, std::string_view name) {
  std::vector<std::string> out;
  if (const auto* v = o.if_contains(name); v && v->is_array())
    for (const auto& x : v->as_array())
      if (x.is_string()) out.emplace_back(x.as_string());
  return out;
}

bool listed(const std::vector<std::string>& list, std::string_view value, bool ignore_case) {
  for (const auto& x : list)
    if (x == "*" || x == value || (ignore_case && base::iequals(x, value))) return true;
  return false;
}

std::string joined(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& x : list) out += (out.empty() ? "" : ",") + x;
  return out;
}

std::string header(const base::HeaderList& h, std::string_view lower) {
  const std::string* v = base::find_header(h, lower);
  return v ? *v : std::string();
}

bool has_star(const std::vector<std::string>& list) {
  for (const auto& x : list)
    if (x == "*") return true;
  return false;
}

// The Access-Control-Allow-Origin value for `origin`, empty when not allowed.
std::string allowed_origin(const CorsConfig& c, const std::string& origin) {
  if (origin.empty()) return {};
  for (const auto& o : c.origins)
    if (o == origin) return origin;
  if (has_star(c.origins)) return c.credentials ? origin : "*";
  return {};
}

}  // namespace

std::optional<CorsConfig> cors_config(const json::object& doc) {
  if (doc.empty()) return std::nullopt;
  CorsConfig c;
  c.origins = strings(doc, "allowOrigins");
  c.methods = strings(doc, "allowMethods");
  c.headers = strings(doc, "allowHeaders");
  c.expose = strings(doc, "exposeHeaders");
  if (const auto* m = doc.if_contains("maxAge"); m && m->is_number()) c.max_age = m->to_number<int64_t>();
  if (const auto* b = doc.if_contains("allowCredentials"); b && b->is_bool()) c.credentials = b->as_bool();
  return c;
}

bool is_preflight(const std::string& method, const base::HeaderList& h) {
  return method == "OPTIONS" && base::find_header(h, "origin") && base::find_header(h, "access-control-request-method");
}

base::HeaderList preflight_headers(const CorsConfig& c, const base::HeaderList& h) {
  base::HeaderList out;
  std::string origin = allowed_origin(c, header(h, "origin"));
  std::string method = header(h, "access-control-request-method");
  if (origin.empty() || !listed(c.methods, method, true)) return out;
  std::string asked = header(h, "access-control-request-headers");
  for (size_t i = 0; i < asked.size();) {  // every requested header must be allowed
    size_t j = asked.find(',', i);
    if (j == std::string::npos) j = asked.size();
    std::string name = asked.substr(i, j - i);
    while (!name.empty() && name.front() == ' ') name.erase(0, 1);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    if (!name.empty() && !listed(c.headers, name, true)) return out;
    i = j + 1;
  }
  out.emplace_back("access-control-allow-origin", origin);
  if (origin != "*") out.emplace_back("vary", "origin");
  out.emplace_back("access-control-allow-methods", has_star(c.methods) ? (c.credentials ? method : "*") : joined(c.methods));
  if (!c.headers.empty())
    out.emplace_back("access-control-allow-headers",
                     has_star(c.headers) && !asked.empty() ? asked : joined(c.headers));
  if (c.max_age >= 0) out.emplace_back("access-control-max-age", std::to_string(c.max_age));
  if (c.credentials) out.emplace_back("access-control-allow-credentials", "true");
  return out;
}

void apply_cors(const CorsConfig& c, const base::HeaderList& h, base::HeaderList& reply) {
  std::erase_if(reply, [](const auto& kv) {
    return kv.first.size() >= 15 && base::iequals(std::string_view(kv.first).substr(0, 15), "access-control-");
  });
  std::string origin = allowed_origin(c, header(h, "origin"));
  if (origin.empty()) return;
  reply.emplace_back("access-control-allow-origin", origin);
  if (origin != "*") reply.emplace_back("vary", "origin");
  if (c.credentials) reply.emplace_back("access-control-allow-credentials", "true");
  if (!c.expose.empty()) reply.emplace_back("access-control-expose-headers", joined(c.expose));
}

}  // namespace nimbus::execute_api
