// S3 listing: ListObjects (v1), ListObjectsV2 and ListObjectVersions
// (versions and delete markers, newest first per key).
#include <cstdlib>

#include "base/encoding.h"
#include "base/time.h"
#include "http/offload.h"
#include "s3/call.h"
#include "s3/object_options.h"
#include "s3/xml.h"

namespace nimbus::s3 {

using boost::asio::awaitable;

namespace {

struct ListParams {
  storage::ListQuery query;
  bool url_encode = false;
};

// Parses max-keys style integers: absent -> fallback; invalid -> error.
bool parse_max(const Call& c, const char* name, int fallback, int& out, S3Error& err) {
  auto v = c.addr.param(name);
  if (!v) {
    out = fallback;
    return true;
  }
  char* end = nullptr;
  long n = std::strtol(v->c_str(), &end, 10);
  if (v->empty() || *end || n < 0) {
    err = s3_error(400, "InvalidArgument", std::string("Provided ") + name + " not an integer or within integer range");
    return false;
  }
  out = static_cast<int>(std::min<long>(n, 1000));
  return true;
}

bool common_params(const Call& c, ListParams& p, S3Error& err) {
  p.query.prefix = c.addr.param("prefix").value_or("");
  p.query.delimiter = c.addr.param("delimiter").value_or("");
  auto enc = c.addr.param("encoding-type");
  if (enc && *enc != "url") {
    err = s3_error(400, "InvalidArgument", "Invalid Encoding Method specified in Request");
    return false;
  }
  p.url_encode = enc.has_value();
  return parse_max(c, "max-keys", 1000, p.query.max_keys, err);
}

// encoding-type=url: percent-encoding with '/' kept (a space is %20, as
// Ceph's s3-tests expect of S3; botocore decodes with unquote_plus either way).
std::string enc(const ListParams& p, const std::string& s) { return p.url_encode ? base::uri_encode(s, false) : s; }

void add_contents(XmlNode& root, const ListParams& p, const storage::ObjectMeta& o, bool owner, const char* tag) {
  auto n = root.child(tag);
  n.text("Key", enc(p, o.key));
  n.text("LastModified", base::iso8601(o.last_modified_ms)).text("ETag", quoted(o.etag));
  if (!o.checksum.algorithm.empty() && std::string_view(tag) == "Contents") n.text("ChecksumAlgorithm", o.checksum.algorithm);
  n.text("Size", std::to_string(o.size));
  if (owner) n.child("Owner").text("ID", kOwnerId).text("DisplayName", kOwnerName);
  n.text("StorageClass", storage_class(o.attributes));
}

void add_prefixes(XmlNode& root, const ListParams& p, const std::vector<std::string>& prefixes) {
  for (const auto& cp : prefixes) root.child("CommonPrefixes").text("Prefix", enc(p, cp));
}

}  // namespace

awaitable<http::Response> list_objects(Deps& d, Call& c) {
  ListParams p;
  S3Error err;
  if (!common_params(c, p, err)) co_return c.fail(err);
  std::string marker = c.addr.param("marker").value_or("");
  p.query.start_after = marker;
  auto r = co_await http::offload(d.blocking, [&] { return d.store.list_objects(c.addr.bucket, p.query); });
  if (!r) co_return c.fail(r.error());
  XmlDocument doc("ListBucketResult");
  auto& root = doc.root();
  // ListObjects (v1) sends its Prefix as given even with encoding-type=url, as
  // S3 does; botocore decodes only Delimiter, Marker, NextMarker and the keys.
  root.text("Name", c.addr.bucket).text("Prefix", p.query.prefix).text("Marker", enc(p, marker));
  root.text("MaxKeys", std::to_string(p.query.max_keys));
  if (!p.query.delimiter.empty()) root.text("Delimiter", enc(p, p.query.delimiter));
  root.text("IsTruncated", r->truncated ? "true" : "false");
  // S3 sends NextMarker only with a delimiter; clients use the last key otherwise.
  if (r->truncated && !p.query.delimiter.empty()) root.text("NextMarker", enc(p, r->last));
  if (p.url_encode) root.text("EncodingType", "url");
  for (const auto& o : r->objects) add_contents(root, p, o, true, "Contents");
  add_prefixes(root, p, r->common_prefixes);
  co_return c.xml(doc.str());
}

awaitable<http::Response> list_objects_v2(Deps& d, Call& c) {
  ListParams p;
  S3Error err;
  if (!common_params(c, p, err)) co_return c.fail(err);
  auto token = c.addr.param("continuation-token");
  auto start_after = c.addr.param("start-after");
  // An empty token is where a paginator starts: S3 lists from the start and echoes it.
  if (token && !token->empty()) {
    auto decoded = base::base64_decode(*token);
    if (!decoded || decoded->empty())
      co_return c.fail(s3_error(400, "InvalidArgument", "The continuation token provided is incorrect"));
    p.query.start_after = *decoded;
  } else if (start_after) {
    p.query.start_after = *start_after;
  }
  bool owner = c.addr.param("fetch-owner") == "true";
  auto r = co_await http::offload(d.blocking, [&] { return d.store.list_objects(c.addr.bucket, p.query); });
  if (!r) co_return c.fail(r.error());
  XmlDocument doc("ListBucketResult");
  auto& root = doc.root();
  root.text("Name", c.addr.bucket).text("Prefix", enc(p, p.query.prefix));
  if (!p.query.delimiter.empty()) root.text("Delimiter", enc(p, p.query.delimiter));
  root.text("MaxKeys", std::to_string(p.query.max_keys));
  root.text("KeyCount", std::to_string(r->objects.size() + r->common_prefixes.size()));
  root.text("IsTruncated", r->truncated ? "true" : "false");
  if (token) root.text("ContinuationToken", *token);
  if (r->truncated) root.text("NextContinuationToken", base::base64_encode(r->last));
  if (start_after) root.text("StartAfter", enc(p, *start_after));
  if (p.url_encode) root.text("EncodingType", "url");
  for (const auto& o : r->objects) add_contents(root, p, o, owner, "Contents");
  add_prefixes(root, p, r->common_prefixes);
  co_return c.xml(doc.str());
}

awaitable<http::Response> list_object_versions(Deps& d, Call& c) {
  ListParams p;
  S3Error err;
  if (!common_params(c, p, err)) co_return c.fail(err);
  storage::ListVersionsQuery q;
  q.prefix = p.query.prefix;
  q.delimiter = p.query.delimiter;
  q.max_keys = p.query.max_keys;
  q.key_marker = c.addr.param("key-marker").value_or("");
  q.version_id_marker = c.addr.param("version-id-marker").value_or("");
  if (!q.version_id_marker.empty() && q.key_marker.empty())
    co_return c.fail(s3_error(400, "InvalidArgument", "A version-id marker cannot be specified without a key marker."));
  auto r = co_await http::offload(d.blocking, [&] { return d.store.list_versions(c.addr.bucket, q); });
  if (!r) co_return c.fail(r.error());
  XmlDocument doc("ListVersionsResult");
  auto& root = doc.root();
  root.text("Name", c.addr.bucket).text("Prefix", enc(p, q.prefix)).text("KeyMarker", enc(p, q.key_marker));
  root.text("VersionIdMarker", q.version_id_marker);
  root.text("MaxKeys", std::to_string(q.max_keys));
  if (!q.delimiter.empty()) root.text("Delimiter", enc(p, q.delimiter));
  root.text("IsTruncated", r->truncated ? "true" : "false");
  if (r->truncated) {
    root.text("NextKeyMarker", enc(p, r->next_key_marker));
    if (!r->next_version_id_marker.empty()) root.text("NextVersionIdMarker", r->next_version_id_marker);
  }
  if (p.url_encode) root.text("EncodingType", "url");
  for (const auto& v : r->versions) {
    auto n = root.child(v.delete_marker ? "DeleteMarker" : "Version");
    n.text("Key", enc(p, v.key)).text("VersionId", v.version_id).text("IsLatest", v.is_latest ? "true" : "false");
    n.text("LastModified", base::iso8601(v.last_modified_ms));
    if (!v.delete_marker) {
      n.text("ETag", quoted(v.etag)).text("Size", std::to_string(v.size));
      n.text("StorageClass", "STANDARD");
    }
    n.child("Owner").text("ID", kOwnerId).text("DisplayName", kOwnerName);
  }
  add_prefixes(root, p, r->common_prefixes);
  co_return c.xml(doc.str());
}

}  // namespace nimbus::s3
