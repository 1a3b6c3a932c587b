#include "s3/object_headers.h"

#include <cstdlib>

#include "base/checksum.h"
#include "base/encoding.h"
#include "base/time.h"
#include "s3/object_options.h"

namespace nimbus::s3 {

namespace {

constexpr std::string_view kKeptHeaders[] = {"content-type",  "content-encoding", "content-disposition",
                                             "content-language", "cache-control", "expires",
                                             "x-amz-website-redirect-location"};

// Canonical capitalisation for the headers we send back.
std::string display_name(std::string_view lower) {
  if (lower == "content-type") return "Content-Type";
  if (lower == "content-encoding") return "Content-Encoding";
  if (lower == "content-disposition") return "Content-Disposition";
  if (lower == "content-language") return "Content-Language";
  if (lower == "cache-control") return "Cache-Control";
  if (lower == "expires") return "Expires";
  return std::string(lower);
}

// Content-Encoding without the aws-chunked transfer coding.
std::string strip_aws_chunked(std::string_view v) {
  std::string out;
  while (!v.empty()) {
    size_t comma = v.find(',');
    auto item = base::trim(v.substr(0, comma));
    if (!item.empty() && !base::iequals(item, "aws-chunked")) {
      if (!out.empty()) out += ",";
      out += item;
    }
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return out;
}

bool etag_matches(std::string_view list, const std::string& etag) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    auto item = base::trim(list.substr(0, comma));
    if (item.rfind("W/", 0) == 0) item.remove_prefix(2);
    if (item == "*") return true;
    if (item.size() >= 2 && item.front() == '"' && item.back() == '"') item = item.substr(1, item.size() - 2);
    if (item == etag) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

storage::Attributes attributes_from_request(const http::Request& req) {
  storage::Attributes a;
  for (const auto& [name, value] : req.headers) {
    bool kept = name.rfind("x-amz-meta-", 0) == 0;
    for (auto k : kKeptHeaders) kept = kept || name == k;
    if (!kept) continue;
    if (name == "content-encoding") {
      std::string v = strip_aws_chunked(value);
      if (!v.empty()) a.emplace_back(name, v);
      continue;
    }
    a.emplace_back(name, value);
  }
  if (attribute(a, "content-type").empty()) a.emplace_back("content-type", "binary/octet-stream");
  apply_storage_class(a, req);
  return a;
}

std::string attribute(const storage::Attributes& a, std::string_view name) {
  for (const auto& [k, v] : a)
    if (k == name) return v;
  return {};
}

void add_object_headers(http::Response& r, const storage::ObjectMeta& m) {
  r.set("ETag", "\"" + m.etag + "\"");
  r.set("Last-Modified", base::http_date(m.last_modified_ms));
  r.set("Accept-Ranges", "bytes");
  for (const auto& [k, v] : m.attributes) r.set(display_name(k), v);
  add_encryption_header(r);
}

void add_checksum_header(http::Response& r, const storage::ObjectMeta& m) {
  if (m.checksum.algorithm.empty()) return;
  auto algo = base::parse_checksum_algorithm(m.checksum.algorithm);
  if (!algo) return;
  std::string v = m.checksum.value;
  if (m.checksum.composite) v += "-" + std::to_string(m.parts_count);
  r.set(base::checksum_header(*algo), v);
  r.set("x-amz-checksum-type", m.checksum.composite ? "COMPOSITE" : "FULL_OBJECT");
}

void add_version_header(http::Response& r, const storage::ObjectMeta& m) {
  if (m.version_id != "null") r.set("x-amz-version-id", m.version_id);
}

int evaluate_conditions(const http::Request& req, const storage::ObjectMeta& m, std::string_view prefix) {
  auto get = [&](const char* name) {
    const std::string* v = base::find_header(req.headers, std::string(prefix) + name);
    return v ? std::optional<std::string>(*v) : std::nullopt;
  };
  int64_t modified_s = m.last_modified_ms / 1000;
  auto if_match = get("if-match");
  auto if_none_match = get("if-none-match");
  auto if_modified = get("if-modified-since");
  auto if_unmodified = get("if-unmodified-since");
  if (if_match) {
    if (!etag_matches(*if_match, m.etag)) return 412;
  } else if (if_unmodified) {
    auto t = base::parse_http_date(*if_unmodified);
    if (t && modified_s > *t / 1000) return 412;
  }
  bool copy = !prefix.empty();
  if (if_none_match) {
    if (etag_matches(*if_none_match, m.etag)) return copy ? 412 : 304;
  } else if (if_modified) {
    auto t = base::parse_http_date(*if_modified);
    if (t && modified_s <= *t / 1000) return copy ? 412 : 304;
  }
  return 0;
}

RangeResult parse_range(std::string_view h, uint64_t size, ByteRange& out) {
  h = base::trim(h);
  if (h.rfind("bytes=", 0) != 0) return RangeResult::kWhole;
  h.remove_prefix(6);
  if (h.find(',') != std::string_view::npos) return RangeResult::kWhole;
  size_t dash = h.find('-');
  if (dash == std::string_view::npos) return RangeResult::kWhole;
  std::string a(base::trim(h.substr(0, dash))), b(base::trim(h.substr(dash + 1)));
  auto num = [](const std::string& s, uint64_t& v) {
    if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos) return false;
    v = std::strtoull(s.c_str(), nullptr, 10);
    return true;
  };
  uint64_t x = 0, y = 0;
  if (a.empty()) {  // suffix range: the last y bytes
    if (!num(b, y)) return RangeResult::kWhole;
    if (y == 0 || size == 0) return RangeResult::kUnsatisfiable;
    out = {size > y ? size - y : 0, size - 1};
    return RangeResult::kRange;
  }
  if (!num(a, x)) return RangeResult::kWhole;
  if (b.empty()) {
    y = size ? size - 1 : 0;
  } else {
    if (!num(b, y) || y < x) return RangeResult::kWhole;
    if (size && y >= size) y = size - 1;
  }
  if (x >= size) return RangeResult::kUnsatisfiable;
  out = {x, y};
  return RangeResult::kRange;
}

}  // namespace nimbus::s3
