// S3 CORS: Put/Get/DeleteBucketCors (the configuration is a bucket setting,
// cached parsed), preflight OPTIONS answered from the rules, and the
// Access-Control-* headers on the answers to requests that carry an Origin.
#include "s3/bucket_access.h"
#include "s3/bucket_settings.h"
#include "s3/call.h"
#include "s3/cors.h"

namespace nimbus::s3 {

using boost::asio::awaitable;

namespace {

S3Error no_such_bucket() { return s3_error(404, "NoSuchBucket", "The specified bucket does not exist"); }

S3Error cors_forbidden() {
  return s3_error(403, "AccessForbidden",
                  "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, "
                  "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not "
                  "whitelisted by the resource's CORS spec.");
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += ", ";
    out += i;
  }
  return out;
}

constexpr const char* kVary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";

// The headers a matched rule gives an answer; a rule whose origin is "*"
// answers "*" (and no credentials), as S3 does.
void set_allow_headers(http::Response& r, const CorsRule& rule, const std::string& origin) {
  bool any = false;
  for (const auto& o : rule.allowed_origins) any = any || o == "*";
  r.set("Access-Control-Allow-Origin", any ? "*" : origin);
  if (!any) r.set("Access-Control-Allow-Credentials", "true");
  r.set("Access-Control-Allow-Methods", join(rule.allowed_methods));
  if (!rule.expose_headers.empty()) r.set("Access-Control-Expose-Headers", join(rule.expose_headers));
  if (rule.max_age_seconds) r.set("Access-Control-Max-Age", std::to_string(*rule.max_age_seconds));
}

}  // namespace

awaitable<http::Response> get_bucket_cors(Deps& d, Call& c) {
  auto access = d.access->get(c.addr.bucket);
  if (!access->exists) co_return c.fail(no_such_bucket());
  if (!access->cors)
    co_return c.fail(s3_error(404, "NoSuchCORSConfiguration", "The CORS configuration does not exist"));
  co_return c.xml(render_cors_configuration(*access->cors));
}

awaitable<http::Response> put_bucket_cors(Deps& d, Call& c) {
  auto body = co_await http::read_body(c.req, 64 * 1024);
  if (!body) co_return c.fail(body.error());
  S3Error err;
  auto cors = parse_cors_configuration(*body, err);
  if (!cors) co_return c.fail(err);
  std::string doc = render_cors_configuration(*cors);
  co_return co_await write_bucket_setting(d, c, setting::kCors, std::move(doc));
}

awaitable<http::Response> delete_bucket_cors(Deps& d, Call& c) { return delete_bucket_setting(d, c, setting::kCors); }

awaitable<http::Response> cors_preflight(Deps& d, Call& c) {
  std::string origin = c.req.header("origin");
  if (origin.empty())
    co_return c.fail(s3_error(400, "BadRequest", "Insufficient information. Origin request header needed."));
  std::string method = c.req.header("access-control-request-method");
  if (method != "GET" && method != "PUT" && method != "HEAD" && method != "POST" && method != "DELETE")
    co_return c.fail(s3_error(400, "BadRequest", "Invalid Access-Control-Request-Method: " + method));
  auto access = d.access->get(c.addr.bucket);
  if (!access->exists) co_return c.fail(no_such_bucket());
  if (!access->cors) co_return c.fail(s3_error(403, "AccessForbidden", "CORSResponse: CORS is not enabled for this bucket."));
  std::string requested = c.req.header("access-control-request-headers");
  const CorsRule* rule = match_cors_rule(*access->cors, origin, method, split_header_list(requested));
  if (!rule) {
    http::Response r = c.fail(cors_forbidden());
    r.set("Vary", kVary);
    co_return r;
  }
  http::Response r = c.reply();
  set_allow_headers(r, *rule, origin);
  if (!requested.empty()) r.set("Access-Control-Allow-Headers", join(split_header_list(requested)));
  r.set("Vary", kVary);
  co_return r;
}

void add_cors_headers(Deps& d, const Call& c, http::Response& res) {
  auto access = d.access->get(c.addr.bucket);
  if (!access->exists || !access->cors) return;
  res.set("Vary", kVary);
  std::string origin = c.req.header("origin");
  if (const CorsRule* rule = match_cors_rule(*access->cors, origin, c.req.method, {})) set_allow_headers(res, *rule, origin);
}

}  // namespace nimbus::s3
