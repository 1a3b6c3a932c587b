#include "s3/tag_set.h"

#include <pugixml.hpp>

#include "base/encoding.h"
#include "s3/xml.h"

namespace nimbus::s3 {

namespace {

S3Error malformed() {
  return s3_error(400, "MalformedXML",
                  "The XML you provided was not well-formed or did not validate against our published schema");
}
S3Error invalid_tag(std::string message) { return s3_error(400, "InvalidTag", std::move(message)); }

// What differs between object and bucket tags on AWS: the count, the
// character set and system keys (checked for buckets only), and the words.
struct TagRules {
  size_t max_tags;
  const char* too_many_code;
  const char* too_many;
  bool restricted_text;  // [\p{L}\p{Z}\p{N}_.:/=+\-@]* and no "aws:" keys
  const char* key_too_long;
  const char* value_too_long;
};

constexpr TagRules kObjectRules{kMaxObjectTags, "BadRequest", "Object tags cannot be greater than 10", false,
                                "The TagKey you have provided is invalid", "The TagValue you have provided is invalid"};
constexpr TagRules kBucketRules{kMaxBucketTags, "InvalidTag", "Bucket tag count cannot be greater than 50", true,
                                "The TagKey you have provided is too long, max 128",
                                "The TagValue you have provided is too long, max 256"};

const TagRules& rules_of(TagSetKind kind) { return kind == TagSetKind::kBucket ? kBucketRules : kObjectRules; }

// Characters, not bytes: AWS's limits count Unicode code points.
size_t code_points(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// AWS's tag pattern is [\p{L}\p{Z}\p{N}_.:/=+\-@]*. Without a Unicode
// database, every non-ASCII character of valid UTF-8 is taken as a letter;
// in ASCII the pattern is exact (space is the one \p{Z}).
bool allowed_text(std::string_view s) {
  if (!base::is_valid_utf8(s)) return false;
  for (unsigned char c : s) {
    if (c >= 0x80) continue;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' ||
              std::string_view("_.:/=+-@").find(static_cast<char>(c)) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

std::optional<S3Error> tag_set_error(const TagSet& tags, const TagRules& rules) {
  if (tags.size() > rules.max_tags) return s3_error(400, rules.too_many_code, rules.too_many);
  for (size_t i = 0; i < tags.size(); ++i) {
    const auto& [k, v] = tags[i];
    // Restricted text is checked for UTF-8 below, with the key's or the value's own words.
    if (!rules.restricted_text && (!base::is_valid_utf8(k) || !base::is_valid_utf8(v)))
      return invalid_tag("The TagKey and TagValue you have provided must be UTF-8");
    for (size_t j = 0; j < i; ++j)
      if (tags[j].first == k) return invalid_tag("Cannot provide multiple Tags with the same key");
    if (rules.restricted_text && k.rfind("aws:", 0) == 0)
      return invalid_tag("System tags cannot be added/updated by requester");
    if (k.empty() || (rules.restricted_text && !allowed_text(k)))
      return invalid_tag("The TagKey you have provided is invalid");
    if (code_points(k) > 128) return invalid_tag(rules.key_too_long);
    if (rules.restricted_text && !allowed_text(v)) return invalid_tag("The TagValue you have provided is invalid");
    if (code_points(v) > 256) return invalid_tag(rules.value_too_long);
  }
  return std::nullopt;
}

std::optional<TagSet> checked(TagSet tags, TagSetKind kind, S3Error& err) {
  if (auto e = tag_set_error(tags, rules_of(kind))) {
    err = *e;
    return std::nullopt;
  }
  return tags;
}

}  // namespace

std::optional<TagSet> parse_tagging(std::string_view body, TagSetKind kind, S3Error& err) {
  auto doc = parse_xml(body);
  if (!doc) {
    err = to_s3_error(doc.error());
    return std::nullopt;
  }
  auto root = (*doc)->child("Tagging");
  auto set = root.child("TagSet");
  if (!root || !set || set.next_sibling("TagSet")) {
    err = malformed();
    return std::nullopt;
  }
  TagSet tags;
  for (auto tag : set.children()) {
    if (tag.type() != pugi::node_element) continue;
    auto key = tag.child("Key");
    auto value = tag.child("Value");
    // Both are required by S3's schema, once each.
    if (std::string_view(tag.name()) != "Tag" || !key || !value || key.next_sibling("Key") ||
        value.next_sibling("Value")) {
      err = malformed();
      return std::nullopt;
    }
    tags.emplace_back(key.text().as_string(), value.text().as_string());
  }
  return checked(std::move(tags), kind, err);
}

std::optional<TagSet> parse_tagging_header(std::string_view header, S3Error& err) {
  TagSet tags;
  while (!header.empty()) {
    size_t amp = header.find('&');
    std::string_view item = header.substr(0, amp);
    if (!item.empty()) {
      size_t eq = item.find('=');
      auto decode = [](std::string_view s) { return base::uri_decode(s, true); };
      tags.emplace_back(decode(item.substr(0, eq)), eq == std::string_view::npos ? "" : decode(item.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    header.remove_prefix(amp + 1);
  }
  return checked(std::move(tags), TagSetKind::kObject, err);
}

std::string render_tagging(const TagSet& tags) {
  XmlDocument doc("Tagging");
  auto set = doc.root().child("TagSet");
  for (const auto& [k, v] : tags) set.child("Tag").text("Key", k).text("Value", v);
  return doc.str();
}

}  // namespace nimbus::s3
