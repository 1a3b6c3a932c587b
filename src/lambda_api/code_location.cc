#include "lambda_api/code_location.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <boost/asio/thread_pool.hpp>
#include <charconv>
#include <filesystem>
#include <optional>

#include "base/crypto.h"
#include "base/encoding.h"
#include "base/file.h"
#include "base/ids.h"
#include "base/time.h"
#include "functions/code_package.h"
#include "http/offload.h"

namespace nimbus::lambda_api {

namespace fs = std::filesystem;
using boost::asio::awaitable;

namespace {

constexpr std::string_view kPrefix = "/_nimbus/code/";

// A function name (Lambda: letters, digits, '-' and '_') or a revision (hex):
// nothing that could climb out of functions/ even before the signature is checked.
bool safe_segment(std::string_view s) {
  if (s.empty() || s.size() > 140) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

std::optional<int64_t> integer_of(std::string_view s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// S3's error document, as a presigned URL's refusal reads.
http::Response xml_error(int status, std::string_view code, std::string_view message, std::string_view extra = "") {
  std::string id = base::random_hex(8);
  http::Response r;
  r.status = status;
  r.set("Content-Type", "application/xml");
  r.set("x-amz-request-id", id);
  r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + std::string(code) + "</Code><Message>" +
           std::string(message) + "</Message>" + std::string(extra) + "<RequestId>" + id + "</RequestId></Error>";
  return r;
}

// The package file, read piece by piece as the connection sends it.
class FileBody : public http::BodySource {
 public:
  FileBody(base::Fd fd, uint64_t size) : fd_(std::move(fd)), size_(size) {}
  uint64_t size() const override { return size_; }
  base::Result<size_t> read(char* buf, size_t n) override {
    if (offset_ >= size_) return size_t{0};
    auto got = base::pread_some(fd_.get(), buf, std::min<uint64_t>(n, size_ - offset_), offset_);
    if (!got) return got.error();
    offset_ += *got;
    return *got;
  }

 private:
  base::Fd fd_;
  uint64_t size_;
  uint64_t offset_ = 0;
};

struct Opened {
  base::Fd fd;
  uint64_t size = 0;
};

// On the blocking pool: the kept zip, else one re-made from the unpacked code.
base::Result<Opened> open_package(const std::string& code_dir) {
  std::string path = functions::package_path(code_dir);
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    if (!fs::is_directory(code_dir, ec))
      return base::make_error(base::ErrorCode::kNotFound, "The specified key does not exist.");
    path = code_dir + ".rezipped.zip";
    if (!fs::exists(path, ec)) {
      spdlog::info("lambda: {} was unpacked without keeping its zip; zipping it again for Code.Location", code_dir);
      if (auto s = functions::zip_directory(code_dir, path); !s) return s.error();
    }
  }
  auto fd = base::open_file(path, O_RDONLY);
  if (!fd) return fd.error();
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return base::make_error(base::ErrorCode::kIo, base::errno_message("fstat " + path));
  return Opened{std::move(*fd), static_cast<uint64_t>(st.st_size)};
}

}  // namespace

std::string code_link_signature(std::string_view key, std::string_view function, std::string_view revision,
                                int64_t expires_s) {
  std::string text = std::string(function) + "\n" + std::string(revision) + "\n" + std::to_string(expires_s);
  return base::to_hex(base::hmac_sha256(key, text));
}

CodeLink check_code_link(std::string_view key, std::string_view target, int64_t now_s) {
  CodeLink link;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  if (path.substr(0, kPrefix.size()) != kPrefix) return link;
  path.remove_prefix(kPrefix.size());
  size_t slash = path.find('/');
  if (slash == std::string_view::npos) return link;
  link.function = std::string(path.substr(0, slash));
  link.revision = std::string(path.substr(slash + 1));
  if (!safe_segment(link.function) || !safe_segment(link.revision)) return link;
  std::string expires, signature;
  for (const auto& p : base::parse_query(q == std::string_view::npos ? std::string_view() : target.substr(q + 1))) {
    if (p.key == "expires") expires = p.value;
    if (p.key == "signature") signature = p.value;
  }
  auto e = integer_of(expires);
  if (!e || signature.empty()) return link;
  link.expires_s = *e;
  if (!base::constant_time_equal(signature, code_link_signature(key, link.function, link.revision, *e))) {
    link.check = CodeLink::Check::kBadSignature;
    return link;
  }
  link.check = now_s > *e ? CodeLink::Check::kExpired : CodeLink::Check::kValid;
  return link;
}

CodeLocations::CodeLocations(std::string data_dir, boost::asio::thread_pool& blocking, int64_t ttl_s,
                             std::string default_host, std::function<int64_t()> now_s)
    : dir_(std::move(data_dir)),
      blocking_(blocking),
      ttl_s_(ttl_s),
      default_host_(std::move(default_host)),
      now_s_(now_s ? std::move(now_s) : [] { return base::now_ms() / 1000; }),
      key_(base::random_bytes(32)) {}

std::string CodeLocations::url(const std::string& host, const functions::FunctionConfig& c) const {
  std::string revision = fs::path(c.code_dir).filename().string();
  int64_t expires = now_s_() + ttl_s_;
  return "http://" + (host.empty() ? default_host_ : host) + std::string(kPrefix) + c.name + "/" + revision +
         "?expires=" + std::to_string(expires) + "&signature=" + code_link_signature(key_, c.name, revision, expires);
}

aws::ServiceDescriptor CodeLocations::descriptor() {
  aws::ServiceDescriptor d;
  d.name = "lambda-code";
  d.title = "Lambda code downloads";
  d.protocol = aws::Protocol::kRestXml;
  d.auth = aws::AuthMode::kOwn;
  d.claims = [](const http::Request& req) { return req.target.rfind(kPrefix, 0) == 0; };
  d.raw_handler = [this](http::Request& req) { return handle(req); };
  return d;
}

awaitable<http::Response> CodeLocations::handle(http::Request& req) {
  if (req.method != "GET" && req.method != "HEAD")
    co_return xml_error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  int64_t now = now_s_();
  CodeLink link = check_code_link(key_, req.target, now);
  switch (link.check) {
    case CodeLink::Check::kMalformed:
      co_return xml_error(403, "AccessDenied",
                          "Query-string authentication requires the expires and signature parameters");
    case CodeLink::Check::kBadSignature:
      co_return xml_error(403, "SignatureDoesNotMatch",
                          "The request signature we calculated does not match the signature you provided.");
    case CodeLink::Check::kExpired:
      co_return xml_error(403, "AccessDenied", "Request has expired",
                          "<Expires>" + base::iso8601(link.expires_s * 1000) + "</Expires><ServerTime>" +
                              base::iso8601(now * 1000) + "</ServerTime>");
    case CodeLink::Check::kValid:
      break;
  }
  std::string code_dir = dir_ + "/functions/" + link.function + "/" + link.revision;
  auto opened = co_await http::offload(blocking_, [&] { return open_package(code_dir); });
  if (!opened) {
    if (opened.error().code == base::ErrorCode::kNotFound)
      co_return xml_error(404, "NoSuchKey", "The specified key does not exist.");
    spdlog::warn("lambda: cannot serve the package of {}: {}", code_dir, opened.error().message);
    co_return xml_error(500, "InternalError", "We encountered an internal error. Please try again.");
  }
  http::Response r;
  r.set("Content-Type", "application/zip");
  r.set("x-amz-request-id", base::random_hex(8));
  r.stream = std::make_unique<FileBody>(std::move(opened->fd), opened->size);
  r.omit_body = req.method == "HEAD";
  co_return r;
}

}  // namespace nimbus::lambda_api
