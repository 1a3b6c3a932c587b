// S3 POST Object: browser form uploads (multipart/form-data to the bucket,
// as boto3's generate_presigned_post and HTML forms make them). The form is
// parsed as it streams (s3/form_data.h); when the file part starts, every
// field is known and the request is authenticated — a SigV4 or V2 signature
// over the policy, whose expiration and conditions are checked
// (s3/post_policy.h), or, unsigned, the bucket's ACL / policy as for an
// anonymous PutObject — so no byte is stored for a refused form. The file
// streams into a DataWriter and commits as an ObjectCreated:Post.
#include <memory>

#include "auth/credentials.h"
#include "auth/sigv4.h"
#include "base/crypto.h"
#include "base/encoding.h"
#include "base/time.h"
#include "http/offload.h"
#include "s3/acl.h"
#include "s3/bucket_access.h"
#include "s3/call.h"
#include "s3/form_data.h"
#include "s3/object_options.h"
#include "s3/post_policy.h"
#include "s3/xml.h"

namespace nimbus::s3 {

using boost::asio::awaitable;

namespace {

// Fields a form may carry; any other is refused, never dropped.
bool known_field(const std::string& n) {
  static constexpr std::string_view kKnown[] = {
      "key", "bucket", "acl", "policy", "signature", "awsaccesskeyid", "x-amz-algorithm", "x-amz-credential",
      "x-amz-date", "x-amz-signature", "x-amz-security-token", "success_action_redirect", "redirect",
      "success_action_status", "content-type", "cache-control", "content-disposition", "content-encoding",
      "content-language", "expires", "x-amz-storage-class", "x-amz-server-side-encryption"};
  for (auto k : kKnown)
    if (n == k) return true;
  return n.rfind("x-amz-meta-", 0) == 0 || n.rfind("x-ignore-", 0) == 0;
}

constexpr std::string_view kAttributeFields[] = {"content-type", "cache-control", "content-disposition",
                                                 "content-encoding", "content-language", "expires"};

class PostForm : public FormDataHandler {
 public:
  PostForm(Deps& d, Call& c) : d_(d), c_(c) {}

  base::Status on_field(std::string name, std::string value) override {
    fields_.emplace_back(base::to_lower(name), std::move(value));
    return {};
  }

  base::Status on_file_start(std::string filename, std::string content_type) override {
    file_content_type_ = std::move(content_type);
    if (auto e = accept(filename)) return fail(*e);
    auto w = d_.store.new_writer(c_.addr.bucket);
    if (!w) return fail(to_s3_error(w.error()));
    writer_ = std::move(*w);
    return {};
  }

  base::Status on_file_data(std::string_view data) override {
    if (writer_->size() + data.size() > limit_) {
      return fail(limited_by_policy_ ? s3_error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
                                     : s3_error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size."));
    }
    if (auto s = writer_->write(data.data(), data.size()); !s) return fail(to_s3_error(s.error()));
    return {};
  }

  base::Status on_file_end() override {
    writer_->finish_digests();
    done_ = true;
    return {};
  }

  std::optional<std::string> field(std::string_view name) const {
    for (const auto& [k, v] : fields_)
      if (k == name) return v;
    return std::nullopt;
  }

  std::optional<S3Error> error;
  std::unique_ptr<storage::DataWriter> writer_;
  bool done_ = false;
  std::string key;
  std::optional<Acl> acl;
  int64_t min_size = 0;
  std::string file_content_type_;
  std::vector<std::pair<std::string, std::string>> fields_;

 private:
  base::Status fail(S3Error e) {
    error = std::move(e);
    return base::make_error(base::ErrorCode::kInvalidArgument, error->message);
  }

  // Everything but the file's bytes: the fields, the key, who is asking and the policy.
  std::optional<S3Error> accept(const std::string& filename) {
    for (const auto& [name, value] : fields_)
      if (!known_field(name))
        return s3_error(501, "NotImplemented",
                        "A header or query you provided implies functionality that is not implemented: the form field " + name);
    auto k = field("key");
    if (!k) return s3_error(400, "InvalidArgument", "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.");
    key = *k;
    for (size_t at; (at = key.find("${filename}")) != std::string::npos;) key.replace(at, 11, filename);
    if (key.empty()) return s3_error(400, "InvalidArgument", "User key must have a length greater than 0.");
    if (auto bad = new_key_error(key)) return bad;
    if (auto b = field("bucket"); b && *b != c_.addr.bucket)
      return s3_error(400, "InvalidArgument", "The bucket field does not name the bucket posted to");
    auto access = d_.access->get(c_.addr.bucket);
    if (!access->exists) return s3_error(404, "NoSuchBucket", "The specified bucket does not exist");
    if (auto a = field("acl")) {
      acl = canned_acl(*a);
      if (!acl) return s3_error(400, "InvalidArgument", "Invalid canned ACL (acl field): " + *a);
      if (access->acls_disabled() && *a != "bucket-owner-full-control")
        return s3_error(400, "AccessControlListNotSupported", "The bucket does not allow ACLs");
      if (access->block().block_public_acls && acl->is_public()) return s3_error(403, "AccessDenied", "Access Denied");
    }
    limit_ = d_.options.max_object_size;
    auto sig4 = field("x-amz-signature"), sig2 = field("signature"), policy_b64 = field("policy");
    if (!sig4 && !sig2) {
      if (policy_b64)
        return s3_error(400, "InvalidArgument", "Bucket POST must contain a field named 'x-amz-signature' with a policy.");
      // Unsigned: as an anonymous PutObject of this key.
      c_.addr.key = key;
      return authorize_anonymous(d_, c_, "PutObject");
    }
    if (!policy_b64) return s3_error(400, "InvalidArgument", "Bucket POST must contain a field named 'policy'.");
    if (auto e = verify_signature(*policy_b64, sig4, sig2)) return e;
    auto json = base::base64_decode(*policy_b64);
    if (!json) return s3_error(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.");
    S3Error err;
    auto policy = parse_post_policy(*json, err);
    if (!policy) return err;
    if (auto e = check_post_fields(*policy, fields_, c_.addr.bucket, base::now_ms())) return e;
    if (auto range = policy->length_range()) {
      min_size = range->first;
      limit_ = std::min<uint64_t>(limit_, static_cast<uint64_t>(range->second));
      limited_by_policy_ = true;
    }
    return std::nullopt;
  }

  std::optional<S3Error> verify_signature(const std::string& policy_b64, const std::optional<std::string>& sig4,
                                          const std::optional<std::string>& sig2) {
    const S3Error mismatch = s3_error(403, "SignatureDoesNotMatch",
                                      "The request signature we calculated does not match the signature you provided. "
                                      "Check your key and signing method.");
    std::string access_key;
    std::string expected;
    if (sig4) {
      if (field("x-amz-algorithm").value_or("") != "AWS4-HMAC-SHA256")
        return s3_error(400, "InvalidArgument", "Only AWS4-HMAC-SHA256 is supported as x-amz-algorithm.");
      std::string credential = field("x-amz-credential").value_or("");
      std::vector<std::string> parts;
      for (size_t start = 0;;) {
        size_t slash = credential.find('/', start);
        parts.push_back(credential.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
        if (slash == std::string::npos) break;
        start = slash + 1;
      }
      std::string date = field("x-amz-date").value_or("");
      if (parts.size() != 5 || parts[3] != "s3" || parts[4] != "aws4_request" || date.size() < 8 ||
          date.substr(0, 8) != parts[1])
        return s3_error(400, "InvalidArgument", "x-amz-credential must be AKID/YYYYMMDD/region/s3/aws4_request, of the day of x-amz-date.");
      access_key = parts[0];
      auto cred = d_.credentials->find(access_key);
      if (!cred) return s3_error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
      if (auto s = auth::check_session(*cred, field("x-amz-security-token").value_or(""), base::now_ms()); !s)
        return to_s3_error(s.error());
      std::string key = auth::derive_signing_key(cred->secret, auth::Scope{parts[1], parts[2], parts[3]});
      expected = base::to_hex(base::hmac_sha256(key, policy_b64));
      if (!base::constant_time_equal(expected, base::to_lower(*sig4))) return mismatch;
    } else {
      access_key = field("awsaccesskeyid").value_or("");
      auto cred = d_.credentials->find(access_key);
      if (access_key.empty() || !cred)
        return s3_error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
      if (auto s = auth::check_session(*cred, field("x-amz-security-token").value_or(""), base::now_ms()); !s)
        return to_s3_error(s.error());
      expected = base::base64_encode(base::hmac_sha1(cred->secret, policy_b64));
      if (!base::constant_time_equal(expected, *sig2)) return mismatch;
    }
    c_.context.principal = access_key;
    return std::nullopt;
  }

  Deps& d_;
  Call& c_;
  uint64_t limit_ = 0;
  bool limited_by_policy_ = false;
};

std::string query_escape(std::string_view s) { return base::uri_encode(s, true); }

}  // namespace

awaitable<http::Response> post_object(Deps& d, Call& c) {
  auto boundary = form_boundary(c.req.header("content-type"));
  if (!boundary)
    co_return c.fail(s3_error(400, "MalformedPOSTRequest",
                              "The body of your POST request is not well-formed multipart/form-data: no boundary."));
  // The file plus room for the fields: a body past this is refused before it is read.
  const uint64_t max_body = d.options.max_object_size + (1u << 20);
  if (c.req.content_length && *c.req.content_length > max_body)
    co_return c.fail(s3_error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size."));
  PostForm form(d, c);
  FormDataParser parser(*boundary, form);
  std::unique_ptr<char[]> buf(new char[64 * 1024]);
  uint64_t total = 0;
  base::Status status;
  for (;;) {
    auto n = co_await c.req.body->read_some(buf.get(), 64 * 1024);
    if (!n) co_return c.fail(n.error());
    if (*n == 0) break;
    total += *n;
    if (total > max_body)
      co_return c.fail(s3_error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size."));
    // Once the file is in, the rest is read and dropped (S3 ignores fields after the file).
    if (status && !parser.file_done()) status = parser.feed(std::string_view(buf.get(), *n));
    if (!status) break;
  }
  if (status) status = parser.finish();
  if (form.error) co_return c.fail(*form.error);
  if (!status) {
    if (status.error().code == base::ErrorCode::kTooLarge)
      co_return c.fail(s3_error(400, "MaxPostPreDataLengthExceededError",
                                "Your POST request fields preceding the upload file were too large."));
    co_return c.fail(s3_error(400, "MalformedPOSTRequest", status.error().message));
  }
  if (!form.done_)
    co_return c.fail(s3_error(400, "InvalidArgument", "POST requires exactly one file upload per request."));
  if (form.writer_->size() < static_cast<uint64_t>(form.min_size))
    co_return c.fail(s3_error(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size"));

  if (auto bad = write_options_error(form.field("x-amz-storage-class").value_or(""),
                                     form.field("x-amz-server-side-encryption").value_or(""), false, false))
    co_return c.fail(*bad);
  storage::Attributes attrs;
  if (auto cls = form.field("x-amz-storage-class"); cls && *cls != "STANDARD")
    attrs.emplace_back(kStorageClassAttribute, *cls);
  for (const auto& [k, v] : form.fields_) {
    bool kept = k.rfind("x-amz-meta-", 0) == 0;
    for (auto a : kAttributeFields) kept = kept || k == a;
    if (kept) attrs.emplace_back(k, v);
  }
  if (!form.field("content-type"))
    attrs.emplace_back("content-type", form.file_content_type_.empty() ? "binary/octet-stream" : form.file_content_type_);
  c.addr.key = form.key;
  c.where.key = form.key;
  storage::NewObject obj{form.key, std::move(attrs), storage::EventKind::kPost};
  auto meta = co_await http::offload(d.blocking, [&] {
    return d.store.commit_object(c.addr.bucket, std::move(obj), *form.writer_, c.context);
  });
  if (!meta) co_return c.fail(meta.error());
  if (form.acl && !(form.acl->owner_only() && !form.acl->grants.empty())) {
    std::string doc = render_access_control_policy(*form.acl);
    co_await http::offload(d.blocking, [&] { return d.store.put_object_acl(c.addr.bucket, form.key, meta->version_id, doc, meta->etag); });
  }

  std::string location = "/" + c.addr.bucket + "/" + base::uri_encode(form.key, false);
  std::string redirect = form.field("success_action_redirect").value_or(form.field("redirect").value_or(""));
  if (redirect.rfind("http://", 0) == 0 || redirect.rfind("https://", 0) == 0) {
    http::Response r = c.reply(303);
    r.set("Location", redirect + (redirect.find('?') == std::string::npos ? "?" : "&") +
                          "bucket=" + query_escape(c.addr.bucket) + "&key=" + query_escape(form.key) +
                          "&etag=" + query_escape(quoted(meta->etag)));
    r.set("ETag", quoted(meta->etag));
    co_return r;
  }
  std::string status_field = form.field("success_action_status").value_or("");
  int code = status_field == "200" ? 200 : status_field == "201" ? 201 : 204;
  http::Response r = c.reply(code);
  if (code == 201) {
    XmlDocument doc("PostResponse", false);
    std::string host = c.req.header("host");
    doc.root()
        .text("Location", (host.empty() ? "" : "http://" + host) + location)
        .text("Bucket", c.addr.bucket)
        .text("Key", form.key)
        .text("ETag", quoted(meta->etag));
    r = c.xml(doc.str(), 201);
  }
  r.set("ETag", quoted(meta->etag));
  r.set("Location", location);
  add_encryption_header(r);
  co_return r;
}

}  // namespace nimbus::s3
