// CopyObject, and the copy-source handling it shares with UploadPartCopy.
#include "base/encoding.h"
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

awaitable<std::optional<ResolvedSource>> resolve_copy_source(Deps& d, Call& c, S3Error& err) {
  auto name = parse_copy_source(c.req.header("x-amz-copy-source"), err);
  if (!name) co_return std::nullopt;
  ResolvedSource r;
  r.source.bucket = std::move(name->bucket);
  r.source.key = std::move(name->key);
  r.source.version_id = std::move(name->version_id);
  auto meta = d.store.head_object(r.source.bucket, r.source.key, r.source.version_id);
  if (!meta) {
    err = meta.error().reason == storage::reason::kDeleteMarker
              ? s3_error(400, "InvalidRequest",
                         "The source of a copy request may not specifically refer to a delete marker by version id.")
              : to_s3_error(meta.error());
    co_return std::nullopt;
  }
  // The exact version read, so that an overwrite meanwhile cannot change what is copied.
  r.source.version_id = meta->version_id;
  r.meta = std::move(*meta);
  if (evaluate_conditions(c.req, r.meta, "x-amz-copy-source-")) {
    err = s3_error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
    co_return std::nullopt;
  }
  co_return r;
}

awaitable<http::Response> copy_object(Deps& d, Call& c) {
  if (auto bad = new_key_error(c.addr.key)) co_return c.fail(*bad);
  if (auto bad = write_options_error(c.req)) co_return c.fail(*bad);
  S3Error err;
  // If-Match / If-None-Match name the destination; the source's are x-amz-copy-source-if-*.
  auto condition = arriving_write_condition(d, c, err);
  if (!condition) co_return c.fail(err);
  auto src = co_await resolve_copy_source(d, c, err);
  if (!src) co_return c.fail(err);
  std::string directive = c.req.header("x-amz-metadata-directive");
  if (directive.empty()) directive = "COPY";
  if (directive != "COPY" && directive != "REPLACE")
    co_return c.fail(s3_error(400, "InvalidArgument", "Unknown metadata directive."));
  bool changes_class = !c.req.header("x-amz-storage-class").empty() &&
                       c.req.header("x-amz-storage-class") != storage_class(src->meta.attributes);
  if (directive == "COPY" && src->source.bucket == c.addr.bucket && src->source.key == c.addr.key && !changes_class &&
      c.req.header("x-amz-copy-source").find("versionId=") == std::string::npos)
    co_return c.fail(s3_error(400, "InvalidRequest",
                              "This copy request is illegal because it is trying to copy an object to itself without "
                              "changing the object's metadata, storage class, website redirect location or encryption "
                              "attributes."));
  std::string tagging_directive = c.req.header("x-amz-tagging-directive");
  if (tagging_directive.empty()) tagging_directive = "COPY";
  if (tagging_directive != "COPY" && tagging_directive != "REPLACE")
    co_return c.fail(s3_error(400, "InvalidArgument", "Unknown tagging directive."));
  storage::Attributes tags = src->meta.tags;
  if (tagging_directive == "REPLACE") {
    auto given = parse_tagging_header(c.req.header("x-amz-tagging"), err);
    if (!given) co_return c.fail(err);
    tags = std::move(*given);
  }
  storage::Attributes attrs = directive == "REPLACE" ? attributes_from_request(c.req) : src->meta.attributes;
  apply_storage_class(attrs, c.req);
  storage::NewObject obj{c.addr.key, std::move(attrs), storage::EventKind::kCopy, *condition, std::move(tags)};
  auto meta = co_await http::offload(d.blocking, [&] {
    return d.store.copy_object(src->source, c.addr.bucket, std::move(obj), c.context);
  });
  if (!meta) co_return c.fail(commit_error(meta.error()));
  XmlDocument doc("CopyObjectResult");
  doc.root().text("LastModified", base::iso8601(meta->last_modified_ms)).text("ETag", quoted(meta->etag));
  http::Response r = c.xml(doc.str());
  add_checksum_header(r, *meta);
  add_encryption_header(r);
  add_version_header(r, *meta);
  if (src->meta.version_id != "null") r.set("x-amz-copy-source-version-id", src->meta.version_id);
  co_return r;
}

}  // namespace nimbus::s3
