// S3 multipart uploads: Create, UploadPart, UploadPartCopy, Complete, Abort,
// ListParts, ListMultipartUploads.
#include <cstdlib>

#include "base/checksum.h"
#include "base/time.h"
#include "http/offload.h"
#include "s3/call.h"
#include "s3/conditional_writes.h"
#include "s3/copy_source.h"
#include "s3/object_headers.h"
#include "s3/object_options.h"
#include "s3/request_parsing.h"
#include "s3/tag_set.h"
#include "s3/upload.h"
#include "s3/xml.h"

namespace nimbus::s3 {

using boost::asio::awaitable;

namespace {

bool part_number(const Call& c, int& out, S3Error& err) {
  auto v = c.addr.param("partNumber").value_or("");
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end || n < 1 || n > 10000) {
    err = s3_error(400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive");
    return false;
  }
  out = static_cast<int>(n);
  return true;
}

base::Result<storage::UploadInfo> find_upload(Deps& d, const Call& c) {
  return d.store.get_upload(c.addr.bucket, c.addr.key, c.addr.param("uploadId").value_or(""));
}

// The upload and part number an UploadPart(Copy) request names; nullopt with err set otherwise.
std::optional<storage::UploadInfo> part_target(Deps& d, const Call& c, int& n, S3Error& err) {
  if (!part_number(c, n, err)) return std::nullopt;
  auto up = find_upload(d, c);
  if (!up) {
    err = to_s3_error(up.error());
    return std::nullopt;
  }
  return std::move(*up);
}

int int_param(const Call& c, const char* name, int fallback) {
  auto v = c.addr.param(name);
  if (!v || v->empty()) return fallback;
  long n = std::strtol(v->c_str(), nullptr, 10);
  return static_cast<int>(std::clamp<long>(n, 0, 1000));
}

}  // namespace

awaitable<http::Response> create_multipart_upload(Deps& d, Call& c) {
  if (auto bad = new_key_error(c.addr.key)) co_return c.fail(*bad);
  if (auto bad = write_options_error(c.req)) co_return c.fail(*bad);
  std::string algo = c.req.header("x-amz-checksum-algorithm");
  if (!algo.empty()) {
    auto a = base::parse_checksum_algorithm(algo);
    if (!a) co_return c.fail(s3_error(400, "InvalidRequest", "Checksum algorithm provided is unsupported."));
    algo = std::string(base::checksum_name(*a));
  }
  S3Error err;
  auto tags = parse_tagging_header(c.req.header("x-amz-tagging"), err);
  if (!tags) co_return c.fail(err);
  auto up = co_await http::offload(d.blocking, [&] {
    return d.store.create_upload(c.addr.bucket, c.addr.key, attributes_from_request(c.req), algo, std::move(*tags));
  });
  if (!up) co_return c.fail(up.error());
  XmlDocument doc("InitiateMultipartUploadResult");
  doc.root().text("Bucket", c.addr.bucket).text("Key", c.addr.key).text("UploadId", up->upload_id);
  http::Response r = c.xml(doc.str());
  if (!algo.empty()) r.set("x-amz-checksum-algorithm", algo);
  add_encryption_header(r);
  co_return r;
}

awaitable<http::Response> upload_part(Deps& d, Call& c) {
  int n = 0;
  S3Error err;
  auto up = part_target(d, c, n, err);
  if (!up) co_return c.fail(err);
  auto writer = co_await receive_body(d, c, err, up->checksum_algorithm);
  if (!writer) co_return c.fail(err);
  auto part = co_await http::offload(d.blocking, [&] { return d.store.commit_part(*up, n, *writer); });
  if (!part) co_return c.fail(part.error());
  http::Response r = c.reply();
  r.set("ETag", quoted(part->etag));
  add_written_checksum(r, *writer);
  add_encryption_header(r);
  co_return r;
}

awaitable<http::Response> upload_part_copy(Deps& d, Call& c) {
  int n = 0;
  S3Error err;
  auto up = part_target(d, c, n, err);
  if (!up) co_return c.fail(err);
  auto src = co_await resolve_copy_source(d, c, err);
  if (!src) co_return c.fail(err);
  if (std::string range = c.req.header("x-amz-copy-source-range"); !range.empty()) {
    // Only bytes=first-last; unlike a GET's Range, a last byte past the source is
    // not clamped: the part would silently be shorter than the caller asked for.
    ByteRange br;
    if (parse_range(range, UINT64_MAX, br) != RangeResult::kRange || range.find("=-") != std::string::npos ||
        range.back() == '-')
      co_return c.fail(s3_error(400, "InvalidArgument",
                                "The x-amz-copy-source-range value must be of the form bytes=first-last where first "
                                "and last are the zero-based offsets of the first and last bytes to copy"));
    if (br.last >= src->meta.size)
      co_return c.fail(s3_error(416, "InvalidRange", "The requested range is not satisfiable: the source object has " +
                                                         std::to_string(src->meta.size) + " bytes"));
    src->source.range = std::pair{br.first, br.last};
  }
  auto part = co_await http::offload(d.blocking, [&] { return d.store.copy_part(*up, n, src->source); });
  if (!part) co_return c.fail(part.error());
  XmlDocument doc("CopyPartResult");
  doc.root().text("LastModified", base::iso8601(part->last_modified_ms)).text("ETag", quoted(part->etag));
  http::Response r = c.xml(doc.str());
  if (src->meta.version_id != "null") r.set("x-amz-copy-source-version-id", src->meta.version_id);
  co_return r;
}

awaitable<http::Response> complete_multipart_upload(Deps& d, Call& c) {
  auto up = find_upload(d, c);
  if (!up) co_return c.fail(up.error());
  S3Error err;
  auto condition = arriving_write_condition(d, c, err);
  if (!condition) co_return c.fail(err);
  auto body = co_await http::read_body(c.req, 4 << 20);
  if (!body) co_return c.fail(body.error());
  auto parts = parse_complete_multipart(*body, err);
  if (!parts) co_return c.fail(err);
  auto meta = co_await http::offload(d.blocking, [&] {
    return d.store.complete_upload(*up, *parts, c.context, *condition);
  });
  if (!meta) co_return c.fail(commit_error(meta.error()));
  XmlDocument out("CompleteMultipartUploadResult");
  std::string host = c.req.header("host");
  out.root().text("Location", "http://" + host + "/" + c.addr.bucket + "/" + c.addr.key);
  out.root().text("Bucket", c.addr.bucket).text("Key", c.addr.key).text("ETag", quoted(meta->etag));
  http::Response r = c.xml(out.str());
  add_checksum_header(r, *meta);
  add_encryption_header(r);
  add_version_header(r, *meta);
  co_return r;
}

awaitable<http::Response> abort_multipart_upload(Deps& d, Call& c) {
  auto up = find_upload(d, c);
  if (!up) co_return c.fail(up.error());
  auto s = co_await http::offload(d.blocking, [&] { return d.store.abort_upload(*up); });
  if (!s) co_return c.fail(s.error());
  co_return c.reply(204);
}

awaitable<http::Response> list_parts(Deps& d, Call& c) {
  auto up = find_upload(d, c);
  if (!up) co_return c.fail(up.error());
  int marker = int_param(c, "part-number-marker", 0);
  int max = int_param(c, "max-parts", 1000);
  auto r = co_await http::offload(d.blocking, [&] { return d.store.list_parts(*up, marker, max); });
  if (!r) co_return c.fail(r.error());
  XmlDocument doc("ListPartsResult");
  auto& root = doc.root();
  root.text("Bucket", c.addr.bucket).text("Key", c.addr.key).text("UploadId", up->upload_id);
  root.child("Initiator").text("ID", kOwnerId).text("DisplayName", kOwnerName);
  root.child("Owner").text("ID", kOwnerId).text("DisplayName", kOwnerName);
  root.text("StorageClass", storage_class(up->attributes));
  root.text("PartNumberMarker", std::to_string(marker)).text("NextPartNumberMarker", std::to_string(r->next_marker));
  root.text("MaxParts", std::to_string(max)).text("IsTruncated", r->truncated ? "true" : "false");
  if (!up->checksum_algorithm.empty()) root.text("ChecksumAlgorithm", up->checksum_algorithm);
  for (const auto& p : r->parts) {
    auto n = root.child("Part");
    n.text("PartNumber", std::to_string(p.part_number)).text("LastModified", base::iso8601(p.last_modified_ms));
    n.text("ETag", quoted(p.etag)).text("Size", std::to_string(p.size));
    if (!p.checksum.value.empty() && !up->checksum_algorithm.empty())
      n.text("Checksum" + up->checksum_algorithm, p.checksum.value);
  }
  co_return c.xml(doc.str());
}

awaitable<http::Response> list_multipart_uploads(Deps& d, Call& c) {
  storage::ListUploadsQuery q;
  q.prefix = c.addr.param("prefix").value_or("");
  q.delimiter = c.addr.param("delimiter").value_or("");
  q.key_marker = c.addr.param("key-marker").value_or("");
  q.upload_id_marker = c.addr.param("upload-id-marker").value_or("");
  q.max_uploads = int_param(c, "max-uploads", 1000);
  auto r = co_await http::offload(d.blocking, [&] { return d.store.list_uploads(c.addr.bucket, q); });
  if (!r) co_return c.fail(r.error());
  XmlDocument doc("ListMultipartUploadsResult");
  auto& root = doc.root();
  root.text("Bucket", c.addr.bucket).text("KeyMarker", q.key_marker).text("UploadIdMarker", q.upload_id_marker);
  root.text("NextKeyMarker", r->next_key_marker).text("NextUploadIdMarker", r->next_upload_id_marker);
  root.text("Prefix", q.prefix);
  if (!q.delimiter.empty()) root.text("Delimiter", q.delimiter);
  root.text("MaxUploads", std::to_string(q.max_uploads)).text("IsTruncated", r->truncated ? "true" : "false");
  for (const auto& u : r->uploads) {
    auto n = root.child("Upload");
    n.text("Key", u.key).text("UploadId", u.upload_id);
    n.child("Initiator").text("ID", kOwnerId).text("DisplayName", kOwnerName);
    n.child("Owner").text("ID", kOwnerId).text("DisplayName", kOwnerName);
    n.text("StorageClass", storage_class(u.attributes)).text("Initiated", base::iso8601(u.initiated_ms));
  }
  for (const auto& cp : r->common_prefixes) root.child("CommonPrefixes").text("Prefix", cp);
  co_return c.xml(doc.str());
}

}  // namespace nimbus::s3
