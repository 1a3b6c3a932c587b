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

}  // namespace

std::optional<TagSet> parse_bucket_tagging(std::string_view body, S3Error& err) {
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
  if (tags.size() > kMaxBucketTags) {
    err = invalid_tag("Bucket tag count cannot be greater than 50");
    return std::nullopt;
  }
  for (size_t i = 0; i < tags.size(); ++i) {
    const auto& [k, v] = tags[i];
    for (size_t j = 0; j < i; ++j)
      if (tags[j].first == k) {
        err = invalid_tag("Cannot provide multiple Tags with the same key");
        return std::nullopt;
      }
    if (k.rfind("aws:", 0) == 0) {
      err = invalid_tag("System tags cannot be added/updated by requester");
      return std::nullopt;
    }
    if (k.empty() || !allowed_text(k)) {
      err = invalid_tag("The TagKey you have provided is invalid");
      return std::nullopt;
    }
    if (code_points(k) > 128) {
      err = invalid_tag("The TagKey you have provided is too long, max 128");
      return std::nullopt;
    }
    if (!allowed_text(v)) {
      err = invalid_tag("The TagValue you have provided is invalid");
      return std::nullopt;
    }
    if (code_points(v) > 256) {
      err = invalid_tag("The TagValue you have provided is too long, max 256");
      return std::nullopt;
    }
  }
  return tags;
}

std::string render_tagging(const TagSet& tags) {
  XmlDocument doc("Tagging");
  auto set = doc.root().child("TagSet");
  for (const auto& [k, v] : tags) set.child("Tag").text("Key", k).text("Value", v);
  return doc.str();
}

}  // namespace nimbus::s3
