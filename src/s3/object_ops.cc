// S3 object operations: PutObject, GetObject / HeadObject (ranges, part
// numbers, conditions, response-* overrides), DeleteObject, DeleteObjects.

#include "base/encoding.h"
#include "base/time.h"
#include "http/offload.h"
#include "s3/call.h"
#include "s3/conditional_writes.h"
#include "s3/object_headers.h"
#include "s3/object_options.h"
#include "s3/tag_set.h"
#include "s3/upload.h"
#include "s3/xml.h"

namespace nimbus::s3 {

using boost::asio::awaitable;

namespace {


class ObjectBody : public http::BodySource {
 public:
  ObjectBody(storage::OpenedObject obj, uint64_t first, uint64_t length)
      : obj_(std::move(obj)), pos_(first), end_(first + length), length_(length) {}
  uint64_t size() const override { return length_; }
  base::Result<size_t> read(char* buf, size_t n) override {
    if (pos_ >= end_) return size_t{0};
    auto r = obj_.reader->read(pos_, buf, static_cast<size_t>(std::min<uint64_t>(n, end_ - pos_)));
    if (r) pos_ += *r;
    return r;
  }

 private:
  storage::OpenedObject obj_;
  uint64_t pos_, end_, length_;
};

constexpr std::pair<const char*, const char*> kResponseOverrides[] = {
    {"response-content-type", "Content-Type"},         {"response-content-language", "Content-Language"},
    {"response-expires", "Expires"},                   {"response-cache-control", "Cache-Control"},
    {"response-content-disposition", "Content-Disposition"}, {"response-content-encoding", "Content-Encoding"}};

void apply_overrides(http::Response& r, const Address& a) {
  for (auto [param, header] : kResponseOverrides) {
    auto v = a.param(param);
    if (!v) continue;
    std::erase_if(r.headers, [&](const auto& h) { return base::iequals(h.first, header); });
    r.set(header, *v);
  }
}

// A GET or HEAD that found a delete marker: 404 (the latest version is one)
// or 405 (the version named is one), with the marker's headers, as S3 answers.
http::Response delete_marker_error(Deps& d, const Call& c, const base::Error& e) {
  http::Response r = c.fail(e);
  auto version = c.addr.param("versionId");
  if (e.reason == storage::reason::kDeleteMarker && version) {
    r.set("x-amz-delete-marker", "true");
    r.set("x-amz-version-id", *version);
    r.set("Allow", "DELETE");
  } else if (e.reason == base::reason::kNoSuchKey && !version) {
    auto marker = d.store.latest_delete_marker(c.addr.bucket, c.addr.key);
    if (marker && *marker) {
      r.set("x-amz-delete-marker", "true");
      r.set("x-amz-version-id", (*marker)->version_id);
    }
  }
  return r;
}

}  // namespace

awaitable<http::Response> put_object(Deps& d, Call& c) {
  if (auto bad = new_key_error(c.addr.key)) co_return c.fail(*bad);
  if (auto bad = write_options_error(c.req)) co_return c.fail(*bad);
  S3Error err;
  auto condition = arriving_write_condition(d, c, err);
  if (!condition) co_return c.fail(err);
  auto tags = parse_tagging_header(c.req.header("x-amz-tagging"), err);
  if (!tags) co_return c.fail(err);
  auto writer = co_await receive_body(d, c, err);
  if (!writer) co_return c.fail(err);
  storage::NewObject obj{c.addr.key, attributes_from_request(c.req), storage::EventKind::kPut, *condition,
                         std::move(*tags)};
  auto meta = co_await http::offload(d.blocking, [&] {
    return d.store.commit_object(c.addr.bucket, std::move(obj), *writer, c.context);
  });
  if (!meta) co_return c.fail(commit_error(meta.error()));
  http::Response r = c.reply();
  r.set("ETag", quoted(meta->etag));
  add_version_header(r, *meta);
  add_written_checksum(r, *writer);
  add_encryption_header(r);
  co_return r;
}

awaitable<http::Response> get_object(Deps& d, Call& c) {
  bool head = c.req.method == "HEAD";
  auto version = c.addr.param("versionId");
  auto opened = d.store.open_object(c.addr.bucket, c.addr.key, version);  // a point read: no thread hop
  if (!opened) co_return delete_marker_error(d, c, opened.error());
  const storage::ObjectMeta& m = opened->meta;

  if (int cond = evaluate_conditions(c.req, m)) {
    if (cond == 304) {
      http::Response r = c.reply(304);
      r.omit_body = true;
      r.set("ETag", quoted(m.etag));
      r.set("Last-Modified", base::http_date(m.last_modified_ms));
      co_return r;
    }
    co_return c.fail(s3_error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold"));
  }

  uint64_t first = 0, length = m.size;
  bool partial = false;
  if (auto pn = c.addr.param("partNumber")) {
    char* end = nullptr;
    long n = std::strtol(pn->c_str(), &end, 10);
    int parts = m.parts_count > 0 ? m.parts_count : 1;
    if (pn->empty() || *end || n < 1 || n > 10000)
      co_return c.fail(s3_error(400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive"));
    if (n > parts) co_return c.fail(s3_error(416, "InvalidPartNumber", "The requested partnumber is not satisfiable"));
    if (m.parts_count > 0) {
      for (long i = 0; i < n - 1; ++i) first += m.part_sizes[static_cast<size_t>(i)];
      length = m.part_sizes[static_cast<size_t>(n - 1)];
      partial = true;
    }
  } else if (std::string range = c.req.header("range"); !range.empty()) {
    ByteRange br;
    switch (parse_range(range, m.size, br)) {
      case RangeResult::kUnsatisfiable: {
        S3Error e = s3_error(416, "InvalidRange", "The requested range is not satisfiable");
        http::Response r = c.fail(e);
        r.set("Content-Range", "bytes */" + std::to_string(m.size));
        co_return r;
      }
      case RangeResult::kRange:
        first = br.first;
        length = br.last - br.first + 1;
        partial = true;
        break;
      case RangeResult::kWhole:
        break;
    }
  }

  http::Response r = c.reply(partial ? 206 : 200);
  add_object_headers(r, m);
  if (version) r.set("x-amz-version-id", m.version_id);
  else add_version_header(r, m);
  if (!m.tags.empty()) r.set("x-amz-tagging-count", std::to_string(m.tags.size()));
  if (c.req.header("x-amz-checksum-mode") == "ENABLED" && !partial) add_checksum_header(r, m);
  if (m.parts_count > 0 && c.addr.has("partNumber")) r.set("x-amz-mp-parts-count", std::to_string(m.parts_count));
  if (partial)
    r.set("Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(first + length - 1) + "/" +
                               std::to_string(m.size));
  apply_overrides(r, c.addr);
  if (head) {
    r.omit_body = true;
    r.set("Content-Length", std::to_string(length));
  } else {
    r.stream = std::make_unique<ObjectBody>(std::move(*opened), first, length);
  }
  co_return r;
}

awaitable<http::Response> delete_object(Deps& d, Call& c) {
  auto version = c.addr.param("versionId");
  S3Error err;
  auto condition = write_condition(c.req, err);
  if (!condition) co_return c.fail(err);
  if (condition->if_none_match)
    co_return c.fail(s3_error(501, "NotImplemented",
                              "A header you provided implies functionality that is not implemented: If-None-Match on "
                              "DeleteObject"));
  // With a version id, If-Match is about that version's ETag; a delete marker has none.
  if (condition->any()) {
    auto addressed = d.store.head_object(c.addr.bucket, c.addr.key, version);
    if (!addressed && addressed.error().reason == storage::reason::kDeleteMarker)
      co_return c.fail(s3_error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold"));
    if (auto failed = check_on_arrival(*condition, addressed)) co_return c.fail(*failed);
  }
  auto r = co_await http::offload(d.blocking, [&] {
    return d.store.delete_object(c.addr.bucket, c.addr.key, c.context, *condition, version);
  });
  if (!r) co_return c.fail(commit_error(r.error()));
  http::Response res = c.reply(204);
  if (!r->version_id.empty()) res.set("x-amz-version-id", r->version_id);
  if (r->delete_marker) res.set("x-amz-delete-marker", "true");
  co_return res;
}

awaitable<http::Response> delete_objects(Deps& d, Call& c) {
  auto body = co_await http::read_body(c.req, 2 << 20);
  if (!body) co_return c.fail(body.error());
  S3Error err;
  auto request = parse_delete_request(*body, err);
  if (!request) co_return c.fail(err);
  const bool quiet = request->quiet;
  const std::vector<DeleteTarget>& targets = request->objects;
  auto results = co_await http::offload(d.blocking, [&] {
    std::vector<base::Result<storage::DeleteResult>> out;
    for (const auto& t : targets) {
      storage::WriteCondition condition;  // an ETag with a VersionId is about that version
      condition.if_match = t.etag;
      out.push_back(d.store.delete_object(c.addr.bucket, t.key, c.context, condition, t.version_id));
    }
    return out;
  });
  XmlDocument out("DeleteResult");
  for (size_t i = 0; i < targets.size(); ++i) {
    if (results[i].ok()) {
      if (quiet) continue;
      auto n = out.root().child("Deleted");
      n.text("Key", targets[i].key);
      if (targets[i].version_id) n.text("VersionId", *targets[i].version_id);
      if (results[i]->delete_marker) {
        n.text("DeleteMarker", "true");
        n.text("DeleteMarkerVersionId", results[i]->version_id);
      }
    } else {
      if (results[i].error().reason == base::reason::kNoSuchBucket) co_return c.fail(results[i].error());
      S3Error e = to_s3_error(results[i].error());
      if (results[i].error().reason == base::reason::kConditionFailed)
        e = s3_error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
      auto n = out.root().child("Error");
      n.text("Key", targets[i].key);
      if (targets[i].version_id) n.text("VersionId", *targets[i].version_id);
      n.text("Code", e.code).text("Message", e.message);
    }
  }
  co_return c.xml(out.str());
}

}  // namespace nimbus::s3
