#include "auth/sigv2.h"

#include <algorithm>
#include <cstdlib>

#include "base/crypto.h"
#include "base/encoding.h"
#include "base/time.h"

namespace nimbus::auth {

using base::ErrorCode;
using base::make_error;

namespace {

// Query parameters that are part of V2's canonicalized resource.
constexpr std::string_view kSubresources[] = {
    "acl", "cors", "delete", "lifecycle", "location", "logging", "notification", "partNumber", "policy",
    "requestPayment", "response-cache-control", "response-content-disposition", "response-content-encoding",
    "response-content-language", "response-content-type", "response-expires", "restore", "tagging", "torrent",
    "uploadId", "uploads", "versionId", "versioning", "versions", "website"};

using Param = base::QueryParam;

std::string param(const std::vector<Param>& ps, std::string_view key) {
  for (const auto& p : ps)
    if (p.key == key) return p.value;
  return {};
}

}  // namespace

bool is_sigv2(const RequestView& req) {
  if (header_value(*req.headers, "authorization").rfind("AWS ", 0) == 0) return true;
  std::string_view t = req.target;
  size_t q = t.find('?');
  if (q == std::string_view::npos) return false;
  auto ps = base::parse_query(t.substr(q + 1));
  return !param(ps, "AWSAccessKeyId").empty() && !param(ps, "Signature").empty();
}

std::string v2_string_to_sign(const RequestView& req, std::string_view expires_or_date, std::string_view virtual_bucket) {
  const HeaderList& h = *req.headers;
  std::string s(req.method);
  s.append("\n").append(header_value(h, "content-md5"));
  s.append("\n").append(header_value(h, "content-type"));
  s.append("\n").append(expires_or_date).append("\n");
  std::vector<std::pair<std::string, std::string>> amz;
  for (const auto& [k, v] : h)
    if (k.rfind("x-amz-", 0) == 0) amz.emplace_back(k, std::string(base::trim(v)));
  std::stable_sort(amz.begin(), amz.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < amz.size(); ++i) {
    // Repeated headers fold into one line, values joined by commas.
    if (i > 0 && amz[i].first == amz[i - 1].first) {
      s.back() = ',';
      s.append(amz[i].second).append("\n");
      continue;
    }
    s.append(amz[i].first).append(":").append(amz[i].second).append("\n");
  }
  std::string_view t = req.target;
  size_t q = t.find('?');
  if (!virtual_bucket.empty()) s.append("/").append(virtual_bucket);
  s.append(t.substr(0, q));
  if (q != std::string_view::npos) {
    auto ps = base::parse_query(t.substr(q + 1));
    std::vector<Param> sub;
    for (const auto& p : ps)
      if (std::find(std::begin(kSubresources), std::end(kSubresources), p.key) != std::end(kSubresources))
        sub.push_back(p);
    std::stable_sort(sub.begin(), sub.end(), [](const Param& a, const Param& b) { return a.key < b.key; });
    for (size_t i = 0; i < sub.size(); ++i) {
      s.append(i == 0 ? "?" : "&").append(sub[i].key);
      if (sub[i].has_value) s.append("=").append(sub[i].value);
    }
  }
  return s;
}

base::Result<VerifiedRequest> verify_v2(const RequestView& req, const CredentialStore& creds, int64_t now_ms,
                                        std::string_view virtual_bucket) {
  VerifiedRequest out;
  out.payload = PayloadMode::kUnsigned;
  std::string signature, when;
  std::string authz = header_value(*req.headers, "authorization");
  if (authz.rfind("AWS ", 0) == 0) {
    std::string_view cred = std::string_view(authz).substr(4);
    size_t colon = cred.rfind(':');
    if (colon == std::string_view::npos)
      return make_error(ErrorCode::kMalformed, "the Authorization header must be 'AWS key:signature'", base::reason::kAuthorizationMalformed);
    out.access_key = std::string(cred.substr(0, colon));
    signature = std::string(cred.substr(colon + 1));
    // With x-amz-date present, the Date line of the string to sign is empty.
    std::string date = header_value(*req.headers, "x-amz-date");
    if (date.empty()) {
      date = header_value(*req.headers, "date");
      when = date;
    }
    auto t = base::parse_http_date(date);
    if (!t) return make_error(ErrorCode::kAccessDenied, "AWS authentication requires a valid Date or x-amz-date header");
    if (std::llabs(*t - now_ms) > 15 * 60 * 1000)
      return make_error(ErrorCode::kUnauthenticated,
                        "The difference between the request time and the current time is too large.", base::reason::kRequestTimeTooSkewed);
  } else {
    std::string_view t = req.target;
    auto ps = base::parse_query(t.substr(t.find('?') + 1));
    out.access_key = param(ps, "AWSAccessKeyId");
    signature = param(ps, "Signature");
    when = param(ps, "Expires");
    char* end = nullptr;
    long long expires = std::strtoll(when.c_str(), &end, 10);
    if (when.empty() || *end) return make_error(ErrorCode::kMalformed, "Expires must be a number of seconds", base::reason::kAuthorizationMalformed);
    if (now_ms / 1000 > expires) return make_error(ErrorCode::kAccessDenied, "Request has expired");
    // As for SigV4's X-Amz-Expires: a presigned URL lives at most 7 days.
    if (expires - now_ms / 1000 > 7 * 24 * 3600)
      return make_error(ErrorCode::kMalformed,
                        "Expires may be at most 604800 seconds (7 days) from now, as for Signature Version 4", base::reason::kAuthorizationMalformed);
    out.presigned = true;
  }
  auto credential = creds.find(out.access_key);
  if (!credential)
    return make_error(ErrorCode::kUnauthenticated, "The AWS Access Key Id you provided does not exist in our records.",
                      base::reason::kInvalidAccessKeyId);
  if (credential->is_session()) {
    std::string_view t = req.target;
    std::string token = out.presigned ? param(base::parse_query(t.substr(t.find('?') + 1)), "x-amz-security-token")
                                      : header_value(*req.headers, "x-amz-security-token");
    if (auto s = check_session(*credential, token, now_ms); !s) return s.error();
  }
  const std::string* secret = &credential->secret;
  std::string expected = base::base64_encode(base::hmac_sha1(*secret, v2_string_to_sign(req, when, virtual_bucket)));
  if (!base::constant_time_equal(expected, signature))
    return make_error(ErrorCode::kUnauthenticated,
                      "The request signature we calculated does not match the signature you provided. "
                      "Check your key and signing method.", base::reason::kSignatureDoesNotMatch);
  out.signature = signature;
  return out;
}

}  // namespace nimbus::auth
