#include "s3/lifecycle.h"

#include <pugixml.hpp>

#include <algorithm>
#include <cstdlib>
#include <set>

#include "base/encoding.h"
#include "base/ids.h"
#include "base/time.h"
#include "s3/xml.h"

namespace nimbus::s3 {

namespace {

constexpr const char* kMalformedMessage =
    "The XML you provided was not well-formed or did not validate against our published schema";

S3Error malformed() { return s3_error(400, "MalformedXML", kMalformedMessage); }
S3Error invalid(const std::string& message) { return s3_error(400, "InvalidArgument", message); }

// A positive integer element, as S3 requires of Days, NoncurrentDays and DaysAfterInitiation.
bool positive(pugi::xml_node n, int& out) {
  std::string s = n.text().as_string();
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  out = std::atoi(s.c_str());
  return out > 0;
}

bool size_value(pugi::xml_node n, uint64_t& out) {
  std::string s = n.text().as_string();
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  out = std::strtoull(s.c_str(), nullptr, 10);
  return true;
}

bool parse_tag(pugi::xml_node t, Tags& tags) {
  if (!t.child("Key")) return false;
  tags.emplace_back(t.child("Key").text().as_string(), t.child("Value").text().as_string());
  return true;
}

// <Filter>: one of Prefix, Tag, ObjectSizeGreaterThan, ObjectSizeLessThan, or And of several.
bool parse_filter(pugi::xml_node f, LifecycleFilter& out, S3Error& err) {
  out.has_filter = true;
  pugi::xml_node body = f;
  int parts = 0;
  for (auto c : f.children())
    if (c.type() == pugi::node_element) ++parts;
  if (auto a = f.child("And")) {
    if (parts != 1) {
      err = malformed();
      return false;
    }
    out.uses_and = true;
    body = a;
  } else if (parts > 1) {
    err = malformed();
    return false;
  }
  for (auto c : body.children()) {
    if (c.type() != pugi::node_element) continue;
    std::string_view name = c.name();
    bool ok = true;
    if (name == "Prefix") out.prefix = c.text().as_string();
    else if (name == "Tag") ok = parse_tag(c, out.tags);
    else if (name == "ObjectSizeGreaterThan") {
      uint64_t v = 0;
      ok = size_value(c, v);
      out.size_greater_than = v;
    } else if (name == "ObjectSizeLessThan") {
      uint64_t v = 0;
      ok = size_value(c, v) && v > 0;
      out.size_less_than = v;
    } else ok = false;
    if (!ok) {
      err = malformed();
      return false;
    }
  }
  std::set<std::string> keys;
  for (const auto& [k, v] : out.tags)
    if (!keys.insert(k).second) {
      err = invalid("Duplicate Tag Keys are not allowed.");
      return false;
    }
  if (out.size_greater_than && out.size_less_than && *out.size_greater_than >= *out.size_less_than) {
    err = invalid("ObjectSizeGreaterThan must be less than ObjectSizeLessThan.");
    return false;
  }
  return true;
}

bool parse_rule(pugi::xml_node r, LifecycleRule& rule, S3Error& err) {
  rule.id = r.child("ID").text().as_string();
  if (rule.id.empty()) rule.id = base::random_hex(16);
  if (rule.id.size() > 255) {
    err = invalid("ID length should not exceed allowed limit of 255");
    return false;
  }
  std::string status = r.child("Status").text().as_string();
  if (status != "Enabled" && status != "Disabled") {
    err = malformed();
    return false;
  }
  rule.enabled = status == "Enabled";
  for (const char* t : {"Transition", "NoncurrentVersionTransition"})
    if (r.child(t)) {
      err = s3_error(501, "NotImplemented",
                     std::string(t) + " is not supported by nimbus: every storage class is stored the same way, so "
                                      "a transition would change nothing. Use Expiration, or set x-amz-storage-class "
                                      "when writing.");
      return false;
    }
  bool has_prefix = static_cast<bool>(r.child("Prefix"));
  bool has_filter = static_cast<bool>(r.child("Filter"));
  if (has_prefix && has_filter) {
    err = malformed();
    return false;
  }
  if (has_prefix) {
    rule.filter.legacy = true;
    rule.filter.prefix = r.child("Prefix").text().as_string();
  } else if (has_filter && !parse_filter(r.child("Filter"), rule.filter, err)) {
    return false;
  }
  bool any = false;
  if (auto e = r.child("Expiration")) {
    any = true;
    int given = 0;
    if (auto days = e.child("Days")) {
      int v = 0;
      if (!positive(days, v)) {
        err = invalid("'Days' for Expiration action must be a positive integer");
        return false;
      }
      rule.expiration_days = v;
      ++given;
    }
    if (auto date = e.child("Date")) {
      auto ms = base::parse_http_date(date.text().as_string());
      if (!ms) {
        err = invalid("Invalid date: " + std::string(date.text().as_string()));
        return false;
      }
      if (*ms % 86400000 != 0) {
        err = invalid("'Date' must be at midnight GMT");
        return false;
      }
      rule.expiration_date_ms = *ms;
      ++given;
    }
    if (auto marker = e.child("ExpiredObjectDeleteMarker")) {
      std::string v = marker.text().as_string();
      if (v != "true" && v != "false") {
        err = malformed();
        return false;
      }
      rule.expired_object_delete_marker = v == "true";
      if (!rule.filter.tags.empty()) {
        err = invalid("ExpiredObjectDeleteMarker cannot be specified with object tag filters.");
        return false;
      }
      ++given;
    }
    if (given != 1) {
      err = malformed();
      return false;
    }
  }
  if (auto n = r.child("NoncurrentVersionExpiration")) {
    any = true;
    int v = 0;
    if (!positive(n.child("NoncurrentDays"), v)) {
      err = invalid("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
      return false;
    }
    rule.noncurrent_days = v;
    if (auto newer = n.child("NewerNoncurrentVersions")) {
      int k = 0;
      if (!positive(newer, k) || k > 100) {
        err = invalid("'NewerNoncurrentVersions' must be an integer between 1 and 100");
        return false;
      }
      rule.newer_noncurrent_versions = k;
    }
  }
  if (auto a = r.child("AbortIncompleteMultipartUpload")) {
    any = true;
    int v = 0;
    if (!positive(a.child("DaysAfterInitiation"), v)) {
      err = invalid("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer");
      return false;
    }
    if (!rule.filter.tags.empty() || rule.filter.size_greater_than || rule.filter.size_less_than) {
      err = invalid("AbortIncompleteMultipartUpload cannot be specified with object tags or size filters.");
      return false;
    }
    rule.abort_incomplete_upload_days = v;
  }
  if (!any) {
    err = invalid("At least one action needs to be specified in a rule");
    return false;
  }
  for (auto c : r.children()) {
    std::string_view n = c.name();
    if (c.type() == pugi::node_element && n != "ID" && n != "Status" && n != "Prefix" && n != "Filter" &&
        n != "Expiration" && n != "NoncurrentVersionExpiration" && n != "AbortIncompleteMultipartUpload") {
      err = malformed();
      return false;
    }
  }
  return true;
}

void render_filter(XmlNode& rule, const LifecycleFilter& f) {
  if (f.legacy) {
    rule.text("Prefix", f.prefix);
    return;
  }
  if (!f.has_filter) return;
  auto filter = rule.child("Filter");
  auto add = [&](XmlNode& n) {
    if (!f.prefix.empty() || (!f.uses_and && f.tags.empty() && !f.size_greater_than && !f.size_less_than))
      n.text("Prefix", f.prefix);
    for (const auto& [k, v] : f.tags) n.child("Tag").text("Key", k).text("Value", v);
    if (f.size_greater_than) n.text("ObjectSizeGreaterThan", std::to_string(*f.size_greater_than));
    if (f.size_less_than) n.text("ObjectSizeLessThan", std::to_string(*f.size_less_than));
  };
  if (f.uses_and) {
    auto a = filter.child("And");
    add(a);
  } else {
    add(filter);
  }
}

}  // namespace

std::optional<std::vector<LifecycleRule>> parse_lifecycle_configuration(std::string_view body, S3Error& err) {
  // pugixml passes bytes that are not UTF-8 through as text, and a render
  // turns each into U+FFFD (three bytes): an ID that fit its 255 when stored
  // would not when read back (found by fuzz/s3_xml). S3 refuses such a body.
  if (!base::is_valid_utf8(body)) {
    err = malformed();
    return std::nullopt;
  }
  auto doc = parse_xml(body);
  if (!doc) {
    err = to_s3_error(doc.error());
    return std::nullopt;
  }
  auto root = (*doc)->child("LifecycleConfiguration");
  if (!root) {
    err = malformed();
    return std::nullopt;
  }
  std::vector<LifecycleRule> rules;
  std::set<std::string> ids;
  for (auto r : root.children("Rule")) {
    if (rules.size() == 1000) {
      err = invalid("The number of lifecycle rules must not exceed the allowed limit of 1000 rules");
      return std::nullopt;
    }
    LifecycleRule rule;
    if (!parse_rule(r, rule, err)) return std::nullopt;
    if (!ids.insert(rule.id).second) {
      err = invalid("Rule ID must be unique. Found same ID for more than one rule");
      return std::nullopt;
    }
    rules.push_back(std::move(rule));
  }
  if (rules.empty()) {
    err = malformed();
    return std::nullopt;
  }
  return rules;
}

std::string render_lifecycle_configuration(const std::vector<LifecycleRule>& rules) {
  XmlDocument doc("LifecycleConfiguration");
  for (const auto& r : rules) {
    auto n = doc.root().child("Rule");
    n.text("ID", r.id);
    render_filter(n, r.filter);
    n.text("Status", r.enabled ? "Enabled" : "Disabled");
    if (r.expiration_days || r.expiration_date_ms || r.expired_object_delete_marker) {
      auto e = n.child("Expiration");
      if (r.expiration_days) e.text("Days", std::to_string(*r.expiration_days));
      if (r.expiration_date_ms) e.text("Date", base::iso8601(*r.expiration_date_ms));
      if (r.expired_object_delete_marker) e.text("ExpiredObjectDeleteMarker", *r.expired_object_delete_marker ? "true" : "false");
    }
    if (r.noncurrent_days) {
      auto e = n.child("NoncurrentVersionExpiration");
      e.text("NoncurrentDays", std::to_string(*r.noncurrent_days));
      if (r.newer_noncurrent_versions) e.text("NewerNoncurrentVersions", std::to_string(*r.newer_noncurrent_versions));
    }
    if (r.abort_incomplete_upload_days)
      n.child("AbortIncompleteMultipartUpload").text("DaysAfterInitiation", std::to_string(*r.abort_incomplete_upload_days));
  }
  return doc.str();
}

bool lifecycle_filter_matches(const LifecycleFilter& f, std::string_view key, uint64_t size, const Tags& tags) {
  if (key.substr(0, f.prefix.size()) != f.prefix) return false;
  if (f.size_greater_than && !(size > *f.size_greater_than)) return false;
  if (f.size_less_than && !(size < *f.size_less_than)) return false;
  for (const auto& want : f.tags)
    if (std::find(tags.begin(), tags.end(), want) == tags.end()) return false;
  return true;
}

int64_t lifecycle_due_ms(int64_t created_ms, int days, int64_t day_ms) {
  int64_t t = created_ms + static_cast<int64_t>(days) * day_ms;
  return (t + day_ms - 1) / day_ms * day_ms;
}

}  // namespace nimbus::s3
