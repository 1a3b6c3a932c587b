#include "s3/policy.h"

#include <boost/json.hpp>
#include <cctype>

#include "base/encoding.h"
#include "base/wildcard.h"

namespace nimbus::s3 {

namespace json = boost::json;

namespace {

S3Error malformed(std::string message) { return s3_error(400, "MalformedPolicy", std::move(message)); }

// A string or an array of strings (IAM's "one or many").
bool string_list(const json::value& v, std::vector<std::string>& out) {
  if (v.is_string()) {
    out.emplace_back(v.as_string());
    return true;
  }
  if (!v.is_array() || v.as_array().empty()) return false;
  for (const auto& item : v.as_array()) {
    if (!item.is_string()) return false;
    out.emplace_back(item.as_string());
  }
  return true;
}

// Whether a Principal names everyone: "*", {"AWS": "*"} or {"AWS": ["*", ...]}.
// Other principals (account ids, role ARNs, services) are kept valid but
// match no anonymous request.
bool principal_is_everyone(const json::value& v, S3Error& err, bool& ok) {
  ok = true;
  if (v.is_string()) {
    if (v.as_string() != "*") {
      ok = false;
      err = malformed("Invalid principal in policy");
    }
    return v.as_string() == "*";
  }
  if (!v.is_object() || v.as_object().empty()) {
    ok = false;
    err = malformed("Invalid principal in policy");
    return false;
  }
  bool everyone = false;
  for (const auto& [type, value] : v.as_object()) {
    if (type != "AWS" && type != "Service" && type != "CanonicalUser" && type != "Federated") {
      ok = false;
      err = malformed("Invalid principal in policy");
      return false;
    }
    std::vector<std::string> names;
    if (!string_list(value, names)) {
      ok = false;
      err = malformed("Invalid principal in policy");
      return false;
    }
    for (const auto& n : names) everyone = everyone || (type == "AWS" && n == "*");
  }
  return everyone;
}

bool valid_action(const std::string& a) {
  if (a == "*") return true;
  if (a.size() < 4 || !base::iequals(std::string_view(a).substr(0, 3), "s3:")) return false;
  for (char ch : a.substr(3))
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '*' && ch != '?') return false;
  return true;
}

bool valid_resource(const std::string& r, const std::string& bucket) {
  constexpr std::string_view kPrefix = "arn:aws:s3:::";
  if (r == "*") return true;
  if (r.rfind(kPrefix, 0) != 0) return false;
  std::string_view rest = std::string_view(r).substr(kPrefix.size());
  std::string_view name = rest.substr(0, rest.find('/'));
  // A bucket policy may only speak of its own bucket (wildcards may cover it).
  return base::wildcard_match(name, bucket, false);
}

}  // namespace

bool BucketPolicy::is_public() const {
  for (const auto& s : statements)
    if (s.allow && s.everyone && !s.has_condition) return true;
  return false;
}

std::optional<BucketPolicy> parse_bucket_policy(std::string_view text, const std::string& bucket, S3Error& err) {
  if (text.size() > 20 * 1024) {
    err = malformed("Policies must be at most 20 KB");
    return std::nullopt;
  }
  std::string_view trimmed = base::trim(text);
  if (trimmed.empty() || trimmed.front() != '{') {
    err = malformed("Policies must be valid JSON and the first byte must be '{'");
    return std::nullopt;
  }
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 16;
  json::value doc = json::parse(trimmed, ec, {}, opts);
  if (ec || !doc.is_object()) {
    err = malformed("Policies must be valid JSON and the first byte must be '{'");
    return std::nullopt;
  }
  const json::object& root = doc.as_object();
  for (const auto& [k, v] : root)
    if (k != "Version" && k != "Id" && k != "Statement") {
      err = malformed("Unknown field " + std::string(k));
      return std::nullopt;
    }
  if (const json::value* version = root.if_contains("Version")) {
    if (!version->is_string() || (version->as_string() != "2012-10-17" && version->as_string() != "2008-10-17")) {
      err = malformed("The policy must contain a valid version string");
      return std::nullopt;
    }
  }
  const json::value* statements = root.if_contains("Statement");
  if (!statements || (!statements->is_object() && !statements->is_array()) ||
      (statements->is_array() && statements->as_array().empty())) {
    err = malformed("Missing required field Statement");
    return std::nullopt;
  }
  json::array list = statements->is_array() ? statements->as_array() : json::array{*statements};
  BucketPolicy policy;
  for (const auto& sv : list) {
    if (!sv.is_object()) {
      err = malformed("Statement is not an object");
      return std::nullopt;
    }
    const json::object& s = sv.as_object();
    PolicyStatement st;
    for (const auto& [k, v] : s) {
      if (k != "Sid" && k != "Effect" && k != "Principal" && k != "NotPrincipal" && k != "Action" &&
          k != "NotAction" && k != "Resource" && k != "NotResource" && k != "Condition") {
        err = malformed("Unknown field " + std::string(k));
        return std::nullopt;
      }
    }
    const json::value* effect = s.if_contains("Effect");
    if (!effect || !effect->is_string() || (effect->as_string() != "Allow" && effect->as_string() != "Deny")) {
      err = malformed(effect && effect->is_string() ? "Invalid effect: " + std::string(effect->as_string())
                                                    : "Missing required field Effect");
      return std::nullopt;
    }
    st.allow = effect->as_string() == "Allow";
    const json::value* principal = s.if_contains("Principal");
    const json::value* not_principal = s.if_contains("NotPrincipal");
    if (!principal && !not_principal) {
      err = malformed("Missing required field Principal");
      return std::nullopt;
    }
    bool ok = true;
    if (principal) {
      st.everyone = principal_is_everyone(*principal, err, ok);
    } else {
      // Everyone but the principals named: an anonymous caller is never named (unless by "*").
      st.everyone = !principal_is_everyone(*not_principal, err, ok);
    }
    if (!ok) return std::nullopt;
    const json::value* action = s.if_contains("Action");
    const json::value* not_action = s.if_contains("NotAction");
    if (!action == !not_action || !string_list(action ? *action : *not_action, st.actions)) {
      err = malformed("Missing required field Action");
      return std::nullopt;
    }
    st.not_action = !action;
    for (const auto& a : st.actions)
      if (!valid_action(a)) {
        err = malformed("Policy has invalid action");
        return std::nullopt;
      }
    const json::value* resource = s.if_contains("Resource");
    const json::value* not_resource = s.if_contains("NotResource");
    if (!resource == !not_resource || !string_list(resource ? *resource : *not_resource, st.resources)) {
      err = malformed("Missing required field Resource");
      return std::nullopt;
    }
    st.not_resource = !resource;
    for (const auto& r : st.resources)
      if (!valid_resource(r, bucket)) {
        err = malformed("Policy has invalid resource");
        return std::nullopt;
      }
    if (const json::value* cond = s.if_contains("Condition")) {
      if (!cond->is_object()) {
        err = malformed("Invalid Condition");
        return std::nullopt;
      }
      st.has_condition = !cond->as_object().empty();
    }
    policy.statements.push_back(std::move(st));
  }
  return policy;
}

PolicyDecision evaluate_anonymous(const BucketPolicy& p, std::string_view action, std::string_view resource,
                                  bool ignore_public_allows) {
  bool allowed = false;
  for (const auto& s : p.statements) {
    if (!s.everyone) continue;
    bool action_hit = false;
    for (const auto& a : s.actions) action_hit = action_hit || base::wildcard_match(a, action, true);
    if (s.not_action) action_hit = !action_hit;
    bool resource_hit = false;
    for (const auto& r : s.resources) resource_hit = resource_hit || base::wildcard_match(r, resource, false);
    if (s.not_resource) resource_hit = !resource_hit;
    if (!action_hit || !resource_hit) continue;
    if (!s.allow) return PolicyDecision::kDeny;  // with or without a condition: the safe reading
    if (!s.has_condition && !ignore_public_allows) allowed = true;
  }
  return allowed ? PolicyDecision::kAllow : PolicyDecision::kNone;
}

}  // namespace nimbus::s3
