#include "s3/post_policy.h"

#include <boost/json.hpp>

#include "base/encoding.h"
#include "base/time.h"

namespace nimbus::s3 {

namespace json = boost::json;

namespace {

S3Error invalid(std::string why) { return s3_error(400, "InvalidPolicyDocument", "Invalid Policy: " + std::move(why)); }
S3Error refused(std::string why) { return s3_error(403, "AccessDenied", "Invalid according to Policy: " + std::move(why)); }

std::optional<int64_t> as_integer(const json::value& v) {
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64() && v.as_uint64() <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(v.as_uint64());
  if (v.is_string()) {
    std::string s(v.as_string());
    if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::stoll(s);
  }
  return std::nullopt;
}

// Fields no condition needs to name (S3: the signature, the file, the policy, x-ignore-*).
bool exempt(const std::string& name) {
  return name == "policy" || name == "x-amz-signature" || name == "signature" || name == "awsaccesskeyid" ||
         name == "file" || name.rfind("x-ignore-", 0) == 0;
}

}  // namespace

std::optional<std::pair<int64_t, int64_t>> PostPolicy::length_range() const {
  for (const auto& c : conditions)
    if (c.kind == PostCondition::Kind::kLengthRange) return std::pair{c.min, c.max};
  return std::nullopt;
}

std::optional<PostPolicy> parse_post_policy(std::string_view text, S3Error& err) {
  if (text.size() > 64 * 1024) {
    err = invalid("the policy is too large.");
    return std::nullopt;
  }
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 8;
  json::value doc = json::parse(text, ec, {}, opts);
  if (ec || !doc.is_object()) {
    err = invalid("Invalid JSON.");
    return std::nullopt;
  }
  const json::object& root = doc.as_object();
  PostPolicy p;
  const json::value* exp = root.if_contains("expiration");
  if (!exp || !exp->is_string()) {
    err = invalid("Policy missing expiration.");
    return std::nullopt;
  }
  std::string exp_text(exp->as_string());
  auto when = exp_text.find('T') != std::string::npos ? base::parse_http_date(exp_text) : std::nullopt;
  if (!when) {
    err = invalid("Invalid 'expiration' value: '" + exp_text + "'");
    return std::nullopt;
  }
  p.expiration_ms = *when;
  const json::value* conds = root.if_contains("conditions");
  if (!conds || !conds->is_array()) {
    err = invalid("Policy missing conditions.");
    return std::nullopt;
  }
  for (const auto& c : conds->as_array()) {
    PostCondition pc;
    pc.text = json::serialize(c);
    if (c.is_object()) {
      const json::object& o = c.as_object();
      if (o.size() != 1 || !o.begin()->value().is_string()) {
        err = invalid("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.");
        return std::nullopt;
      }
      pc.kind = PostCondition::Kind::kEq;
      pc.field = base::to_lower(std::string(o.begin()->key()));
      pc.value = std::string(o.begin()->value().as_string());
    } else if (c.is_array() && c.as_array().size() == 3 && c.as_array()[0].is_string()) {
      const json::array& a = c.as_array();
      std::string op = base::to_lower(std::string(a[0].as_string()));
      if (op == "content-length-range") {
        auto lo = as_integer(a[1]), hi = as_integer(a[2]);
        if (!lo || !hi || *lo < 0 || *hi < *lo) {
          err = invalid("Invalid content-length-range condition: " + pc.text);
          return std::nullopt;
        }
        pc.kind = PostCondition::Kind::kLengthRange;
        pc.min = *lo;
        pc.max = *hi;
      } else if (op == "eq" || op == "starts-with") {
        if (!a[1].is_string() || !a[2].is_string() || a[1].as_string().empty() || a[1].as_string()[0] != '$') {
          err = invalid("Invalid Condition: " + pc.text);
          return std::nullopt;
        }
        pc.kind = op == "eq" ? PostCondition::Kind::kEq : PostCondition::Kind::kStartsWith;
        pc.field = base::to_lower(std::string(a[1].as_string()).substr(1));
        pc.value = std::string(a[2].as_string());
      } else {
        err = invalid("Invalid Condition: unknown operation in " + pc.text);
        return std::nullopt;
      }
    } else {
      err = invalid("Invalid Condition: " + pc.text);
      return std::nullopt;
    }
    p.conditions.push_back(std::move(pc));
  }
  return p;
}

std::optional<S3Error> check_post_fields(const PostPolicy& p, const std::vector<std::pair<std::string, std::string>>& fields,
                                         const std::string& bucket, int64_t now_ms) {
  if (now_ms >= p.expiration_ms) return refused("Policy expired.");
  auto value_of = [&](const std::string& name) -> std::optional<std::string> {
    if (name == "bucket") return bucket;
    for (const auto& [k, v] : fields)
      if (k == name) return v;
    return std::nullopt;
  };
  for (const auto& c : p.conditions) {
    if (c.kind == PostCondition::Kind::kLengthRange) continue;  // checked against the file as it arrives
    std::string v = value_of(c.field).value_or("");
    bool ok = c.kind == PostCondition::Kind::kEq ? v == c.value : v.rfind(c.value, 0) == 0;
    if (!ok) return refused("Policy Condition failed: " + c.text);
  }
  for (const auto& [name, value] : fields) {
    if (exempt(name)) continue;
    bool covered = false;
    for (const auto& c : p.conditions) covered = covered || c.field == name;
    if (!covered) return refused("Extra input fields: " + name);
  }
  return std::nullopt;
}

}  // namespace nimbus::s3
