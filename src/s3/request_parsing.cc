#include "s3/request_parsing.h"

#include <pugixml.hpp>

#include "base/encoding.h"
#include "base/ids.h"
#include "s3/xml.h"

namespace nimbus::s3 {

namespace {

constexpr const char* kMalformedMessage =
    "The XML you provided was not well-formed or did not validate against our published schema";

S3Error malformed(std::string message = kMalformedMessage) { return s3_error(400, "MalformedXML", std::move(message)); }

// The parsed document, or nullptr with err set (MalformedXML).
std::shared_ptr<pugi::xml_document> document(std::string_view body, S3Error& err) {
  auto doc = parse_xml(body);
  if (!doc) {
    err = to_s3_error(doc.error());
    return nullptr;
  }
  return *doc;
}

}  // namespace

std::string unquoted(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

std::optional<DeleteRequest> parse_delete_request(std::string_view body, S3Error& err) {
  auto doc = document(body, err);
  if (!doc) return std::nullopt;
  pugi::xml_node del = doc->child("Delete");
  if (!del) {
    err = malformed();
    return std::nullopt;
  }
  DeleteRequest out;
  out.quiet = std::string_view(del.child("Quiet").text().as_string()) == "true";
  for (auto o : del.children("Object")) {
    if (!o.child("Key")) {
      err = malformed("Each Object needs a Key");
      return std::nullopt;
    }
    DeleteTarget t;
    t.key = o.child("Key").text().as_string();
    for (auto field : o.children()) {
      std::string_view name = field.name();
      if (name.empty() || name == "Key") continue;
      if (name == "VersionId") t.version_id = field.text().as_string();
      else if (name == "ETag") t.etag = unquoted(field.text().as_string());
      else {
        // LastModifiedTime and Size are conditions S3 offers on directory buckets only.
        err = s3_error(501, "NotImplemented",
                       "A header you provided implies functionality that is not implemented: " + std::string(name) +
                           " in a DeleteObjects Object");
        return std::nullopt;
      }
    }
    out.objects.push_back(std::move(t));
  }
  if (out.objects.empty() || out.objects.size() > 1000) {
    err = malformed("The request must name between 1 and 1000 objects");
    return std::nullopt;
  }
  return out;
}

std::optional<std::vector<storage::CompletedPart>> parse_complete_multipart(std::string_view body, S3Error& err) {
  auto doc = document(body, err);
  if (!doc) return std::nullopt;
  pugi::xml_node root = doc->child("CompleteMultipartUpload");
  std::vector<storage::CompletedPart> parts;
  for (auto p : root.children("Part")) {
    int n = p.child("PartNumber").text().as_int(0);
    if (n < 1 || n > 10000 || !p.child("ETag")) {
      err = malformed();
      return std::nullopt;
    }
    parts.push_back({n, unquoted(p.child("ETag").text().as_string())});
  }
  if (parts.empty()) {  // also when the root is not CompleteMultipartUpload
    err = malformed();
    return std::nullopt;
  }
  return parts;
}

std::optional<std::string> parse_create_bucket_configuration(std::string_view body, S3Error& err) {
  if (body.empty()) return std::string();
  auto doc = document(body, err);
  if (!doc) return std::nullopt;
  std::string constraint = doc->child("CreateBucketConfiguration").child("LocationConstraint").text().as_string();
  // A region name, echoed in x-amz-bucket-region: nothing else may be stored.
  if (constraint.size() > 64 || constraint.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
    err = s3_error(400, "InvalidLocationConstraint", "The specified location-constraint is not valid");
    return std::nullopt;
  }
  return constraint;
}

std::optional<S3Error> new_key_error(std::string_view key) {
  if (key.size() > 1024) return s3_error(400, "KeyTooLongError", "Your key is too long");
  bool control = false;
  for (unsigned char ch : key) control = control || (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r');
  // U+FFFE and U+FFFF (EF BF BE/BF) are not XML characters either.
  if (control || !base::is_valid_utf8(key) || key.find("\xEF\xBF\xBE") != std::string_view::npos ||
      key.find("\xEF\xBF\xBF") != std::string_view::npos)
    return s3_error(400, "InvalidArgument",
                    "Object keys must be UTF-8 without control characters (other than tab, newline and carriage "
                    "return): listings are XML 1.0, which cannot carry them");
  return std::nullopt;
}

std::optional<CopySourceName> parse_copy_source(std::string_view v, S3Error& err) {
  std::optional<std::string> version_id;
  if (size_t q = v.find('?'); q != std::string_view::npos) {
    std::string_view query = v.substr(q + 1);
    if (query.rfind("versionId=", 0) != 0) {
      err = s3_error(400, "InvalidArgument", "The only query x-amz-copy-source may carry is versionId");
      return std::nullopt;
    }
    version_id = base::uri_decode(query.substr(10));
    v = v.substr(0, q);
  }
  std::string path = base::uri_decode(v);
  if (!path.empty() && path.front() == '/') path.erase(0, 1);
  size_t slash = path.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == path.size()) {
    err = s3_error(400, "InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
    return std::nullopt;
  }
  return CopySourceName{path.substr(0, slash), path.substr(slash + 1), std::move(version_id)};
}

std::optional<VersioningRequest> parse_versioning_configuration(std::string_view body, S3Error& err) {
  auto doc = document(body, err);
  if (!doc) return std::nullopt;
  pugi::xml_node root = doc->child("VersioningConfiguration");
  if (!root) {
    err = malformed();
    return std::nullopt;
  }
  VersioningRequest out;
  for (auto field : root.children()) {
    std::string_view name = field.name();
    if (name.empty()) continue;
    std::string value = field.text().as_string();
    if (name == "Status") {
      if (value == "Enabled") out.status = storage::Versioning::kEnabled;
      else if (value == "Suspended") out.status = storage::Versioning::kSuspended;
      else {
        err = malformed();
        return std::nullopt;
      }
    } else if (name == "MfaDelete" || name == "MFADelete") {
      if (value == "Enabled") {
        err = s3_error(501, "NotImplemented", "MFA Delete is not supported by nimbus");
        return std::nullopt;
      }
      if (value != "Disabled") {
        err = malformed();
        return std::nullopt;
      }
    } else {
      err = malformed();
      return std::nullopt;
    }
  }
  return out;
}

std::optional<std::string> parse_bucket_encryption(std::string_view body, S3Error& err) {
  auto doc = parse_xml(body);
  if (!doc) {
    err = to_s3_error(doc.error());
    return std::nullopt;
  }
  auto root = (*doc)->child("ServerSideEncryptionConfiguration");
  auto rule = root.child("Rule");
  if (!root || !rule || rule.next_sibling("Rule")) {
    err = s3_error(400, "MalformedXML",
                   "The XML you provided was not well-formed or did not validate against our published schema");
    return std::nullopt;
  }
  auto by_default = rule.child("ApplyServerSideEncryptionByDefault");
  std::string algorithm = by_default.child("SSEAlgorithm").text().as_string();
  if (algorithm == "aws:kms" || algorithm == "aws:kms:dsse" || by_default.child("KMSMasterKeyID")) {
    err = s3_error(400, "InvalidArgument",
                   "Default encryption with AWS KMS keys (aws:kms) is not supported by nimbus, which has no key "
                   "service; use AES256 (SSE-S3)");
    return std::nullopt;
  }
  if (algorithm != "AES256") {
    err = s3_error(400, "MalformedXML",
                   "The XML you provided was not well-formed or did not validate against our published schema");
    return std::nullopt;
  }
  std::string key = rule.child("BucketKeyEnabled").text().as_string("false");
  if (key != "true" && key != "false") {
    err = s3_error(400, "MalformedXML",
                   "The XML you provided was not well-formed or did not validate against our published schema");
    return std::nullopt;
  }
  return key;
}


}  // namespace nimbus::s3
