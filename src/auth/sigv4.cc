#include "auth/sigv4.h"

#include <algorithm>
#include <cstdlib>

#include "base/crypto.h"
#include "base/encoding.h"
#include "base/time.h"

namespace nimbus::auth {

using base::ErrorCode;
using base::make_error;

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr int64_t kMaxPresignSeconds = 7 * 24 * 3600;

using base::parse_query;
using base::QueryParam;

std::string query_value(const std::vector<QueryParam>& params, std::string_view key) {
  for (const auto& p : params)
    if (p.key == key) return p.value;
  return {};
}

std::pair<std::string_view, std::string_view> split_target(std::string_view target) {
  size_t q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

// "AK/20130524/us-east-1/s3/aws4_request" -> access key and scope.
base::Result<std::pair<std::string, Scope>> parse_credential(std::string_view cred) {
  std::vector<std::string_view> parts;
  size_t end = cred.size();
  for (int i = 0; i < 4; ++i) {
    size_t slash = cred.rfind('/', end - 1);
    if (slash == std::string_view::npos || end == 0)
      return make_error(ErrorCode::kMalformed, "the Credential is malformed: " + std::string(cred), base::reason::kAuthorizationMalformed);
    parts.push_back(cred.substr(slash + 1, end - slash - 1));
    end = slash;
  }
  if (parts[0] != "aws4_request" || parts[3].size() != 8 || end == 0)
    return make_error(ErrorCode::kMalformed, "the Credential is malformed: " + std::string(cred), base::reason::kAuthorizationMalformed);
  return std::pair{std::string(cred.substr(0, end)),
                   Scope{std::string(parts[3]), std::string(parts[2]), std::string(parts[1])}};
}

struct AuthHeader {
  std::string credential, signed_headers, signature;
};

base::Result<AuthHeader> parse_auth_header(std::string_view v) {
  if (v.substr(0, kAlgorithm.size()) != kAlgorithm)
    return make_error(ErrorCode::kMalformed, "unsupported authorization type", base::reason::kAuthorizationMalformed);
  v.remove_prefix(kAlgorithm.size());
  AuthHeader h;
  while (!v.empty()) {
    size_t comma = v.find(',');
    std::string_view item = base::trim(v.substr(0, comma));
    size_t eq = item.find('=');
    if (eq != std::string_view::npos) {
      auto key = item.substr(0, eq);
      auto val = std::string(item.substr(eq + 1));
      if (key == "Credential") h.credential = val;
      else if (key == "SignedHeaders") h.signed_headers = val;
      else if (key == "Signature") h.signature = val;
    }
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  if (h.credential.empty() || h.signed_headers.empty() || h.signature.empty())
    return make_error(ErrorCode::kMalformed,
                      "the authorization header is malformed; it must contain Credential, SignedHeaders and Signature", base::reason::kAuthorizationMalformed);
  return h;
}

std::string canonical_header_value(std::string_view v) {
  std::string out;
  v = base::trim(v);
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

base::Result<std::string> canonical_headers(const HeaderList& headers, std::string_view signed_list) {
  std::string out;
  std::string_view rest = signed_list;
  bool has_host = false;
  while (!rest.empty()) {
    size_t semi = rest.find(';');
    std::string_view name = rest.substr(0, semi);
    if (name == "host") has_host = true;
    std::string joined;
    bool found = false;
    for (const auto& [k, v] : headers) {
      if (k != name) continue;
      if (found) joined.push_back(',');
      joined += canonical_header_value(v);
      found = true;
    }
    if (!found && name != "host")
      return make_error(ErrorCode::kMalformed, "signed header " + std::string(name) + " is missing", base::reason::kAuthorizationMalformed);
    out.append(name).append(":").append(joined).append("\n");
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  if (!has_host) return make_error(ErrorCode::kMalformed, "the host header must be signed", base::reason::kAuthorizationMalformed);
  return out;
}

using base::constant_time_equal;

base::Result<PayloadMode> payload_mode(std::string_view content_sha256) {
  if (content_sha256 == "UNSIGNED-PAYLOAD") return PayloadMode::kUnsigned;
  if (content_sha256 == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD") return PayloadMode::kStreamingSigned;
  if (content_sha256 == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER") return PayloadMode::kStreamingSignedTrailer;
  if (content_sha256 == "STREAMING-UNSIGNED-PAYLOAD-TRAILER") return PayloadMode::kStreamingUnsignedTrailer;
  if (content_sha256.size() == 64 && base::from_hex(content_sha256)) return PayloadMode::kSignedHash;
  return make_error(ErrorCode::kInvalidArgument, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
                                                 "STREAMING-* or a valid sha256 value");
}

}  // namespace

std::string header_value(const HeaderList& headers, std::string_view lower_name) {
  const std::string* v = base::find_header(headers, lower_name);
  return v ? *v : std::string();
}

bool has_header(const HeaderList& headers, std::string_view lower_name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return h.first == lower_name; });
}

std::string canonical_uri(std::string_view raw_path, bool double_encode) {
  if (raw_path.empty()) return "/";
  if (double_encode) return base::uri_encode(raw_path, false);
  return base::uri_encode(base::uri_decode(raw_path), false);
}

std::string canonical_query(std::string_view raw_query, bool drop_signature) {
  auto params = parse_query(raw_query);
  std::vector<std::pair<std::string, std::string>> enc;
  for (const auto& p : params) {
    if (drop_signature && p.key == "X-Amz-Signature") continue;
    enc.emplace_back(base::uri_encode(p.key), base::uri_encode(p.value));
  }
  std::sort(enc.begin(), enc.end());
  std::string out;
  for (const auto& [k, v] : enc) {
    if (!out.empty()) out.push_back('&');
    out.append(k).append("=").append(v);
  }
  return out;
}

std::string derive_signing_key(std::string_view secret, const Scope& scope) {
  std::string k = base::hmac_sha256("AWS4" + std::string(secret), scope.date);
  k = base::hmac_sha256(k, scope.region);
  k = base::hmac_sha256(k, scope.service);
  return base::hmac_sha256(k, "aws4_request");
}

std::string SigningKeyCache::get(const std::string& access_key, std::string_view secret, const Scope& scope) {
  std::string id = access_key + "\n" + scope.str();
  {
    std::lock_guard lock(mu_);
    if (auto it = keys_.find(id); it != keys_.end()) return it->second;
  }
  std::string key = derive_signing_key(secret, scope);
  std::lock_guard lock(mu_);
  if (keys_.size() >= 4096) keys_.clear();
  keys_.emplace(std::move(id), key);
  return key;
}

std::string string_to_sign(std::string_view amz_date, const Scope& scope, std::string_view canonical_request) {
  std::string s(kAlgorithm);
  s.append("\n").append(amz_date).append("\n").append(scope.str()).append("\n");
  s.append(base::sha256_hex(canonical_request));
  return s;
}

std::string authorization_header(std::string_view method, std::string_view raw_path, std::string_view raw_query,
                                 const HeaderList& headers, std::string_view payload_hash,
                                 std::string_view access_key, std::string_view secret, const Scope& scope,
                                 std::string_view amz_date, bool double_encode_path) {
  std::vector<std::string> names;
  for (const auto& [k, v] : headers) names.push_back(k);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string signed_list;
  for (const auto& n : names) signed_list += (signed_list.empty() ? "" : ";") + n;
  auto canon = canonical_headers(headers, signed_list);
  std::string creq;
  creq.append(method).append("\n");
  creq.append(double_encode_path ? canonical_uri(raw_path, true) : std::string(raw_path.empty() ? "/" : raw_path));
  creq.append("\n").append(canonical_query(raw_query, false)).append("\n");
  creq.append(canon ? *canon : std::string()).append("\n");
  creq.append(signed_list).append("\n").append(payload_hash);
  std::string key = derive_signing_key(secret, scope);
  std::string sig = base::to_hex(base::hmac_sha256(key, string_to_sign(amz_date, scope, creq)));
  return "AWS4-HMAC-SHA256 Credential=" + std::string(access_key) + "/" + scope.str() +
         ", SignedHeaders=" + signed_list + ", Signature=" + sig;
}

bool is_sigv4(const RequestView& req) {
  auto auth = header_value(*req.headers, "authorization");
  if (auth.rfind(kAlgorithm, 0) == 0) return true;
  auto [path, query] = split_target(req.target);
  return query.find("X-Amz-Algorithm=") != std::string_view::npos;
}

base::Result<Scope> peek_scope(const RequestView& req) {
  std::string cred;
  auto auth = header_value(*req.headers, "authorization");
  if (!auth.empty()) {
    auto h = parse_auth_header(auth);
    if (!h) return h.error();
    cred = h->credential;
  } else {
    cred = query_value(parse_query(split_target(req.target).second), "X-Amz-Credential");
  }
  auto parsed = parse_credential(cred);
  if (!parsed) return parsed.error();
  return parsed->second;
}

base::Result<VerifiedRequest> verify(const RequestView& req, const CredentialStore& creds, int64_t now_ms,
                                     const VerifyOptions& options) {
  const HeaderList& headers = *req.headers;
  // Named variables, not structured bindings: clang 14 cannot capture those in lambdas.
  const auto target_parts = split_target(req.target);
  const std::string_view raw_path = target_parts.first, raw_query = target_parts.second;
  VerifiedRequest out;
  std::string signed_headers, signature, credential;

  auto auth = header_value(headers, "authorization");
  if (!auth.empty()) {
    auto h = parse_auth_header(auth);
    if (!h) return h.error();
    credential = h->credential;
    signed_headers = h->signed_headers;
    signature = h->signature;
    out.amz_date = header_value(headers, "x-amz-date");
    if (out.amz_date.empty()) {
      auto date = base::parse_http_date(header_value(headers, "date"));
      if (!date) return make_error(ErrorCode::kAccessDenied, "AWS authentication requires a valid Date or x-amz-date header");
      out.amz_date = base::amz_date(*date);
    }
    auto content = header_value(headers, "x-amz-content-sha256");
    if (content.empty()) {
      // Non-S3 services may omit it: the payload is then signed by its hash.
      out.payload = PayloadMode::kSignedHash;
      out.payload_hash = "";
    } else {
      auto mode = payload_mode(content);
      if (!mode) return mode.error();
      out.payload = *mode;
      out.payload_hash = content;
    }
  } else {
    auto params = parse_query(raw_query);
    if (query_value(params, "X-Amz-Algorithm") != kAlgorithm)
      return make_error(ErrorCode::kAccessDenied, "request is not signed with AWS4-HMAC-SHA256");
    credential = query_value(params, "X-Amz-Credential");
    signed_headers = query_value(params, "X-Amz-SignedHeaders");
    signature = query_value(params, "X-Amz-Signature");
    out.amz_date = query_value(params, "X-Amz-Date");
    out.presigned = true;
    out.payload = PayloadMode::kUnsigned;
    out.payload_hash = "UNSIGNED-PAYLOAD";
    if (auto h = query_value(params, "X-Amz-Content-Sha256"); !h.empty()) out.payload_hash = h;
    if (credential.empty() || signed_headers.empty() || signature.empty())
      return make_error(ErrorCode::kMalformed, "presigned URL is missing X-Amz-Credential, "
                                                            "X-Amz-SignedHeaders or X-Amz-Signature", base::reason::kAuthorizationMalformed);
    auto when = base::parse_amz_date(out.amz_date);
    if (!when) return make_error(ErrorCode::kMalformed, "X-Amz-Date must be in ISO 8601 basic format", base::reason::kAuthorizationMalformed);
    char* end = nullptr;
    std::string expires = query_value(params, "X-Amz-Expires");
    long long secs = std::strtoll(expires.c_str(), &end, 10);
    if (expires.empty() || *end)
      return make_error(ErrorCode::kMalformed, "X-Amz-Expires should be a number", base::reason::kAuthorizationQueryParameters);
    if (secs < 0)
      return make_error(ErrorCode::kMalformed, "X-Amz-Expires must be non-negative", base::reason::kAuthorizationQueryParameters);
    if (secs > kMaxPresignSeconds)
      return make_error(ErrorCode::kMalformed,
                        "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be "
                        "less than 604800 seconds", base::reason::kAuthorizationQueryParameters);
    // A URL that lives 0 seconds has expired when it arrives, whatever the clock's resolution.
    if (secs == 0) return make_error(ErrorCode::kAccessDenied, "Request has expired");
    if (*when - options.max_skew_ms > now_ms)
      return make_error(ErrorCode::kAccessDenied, "request is not valid yet");
    if (now_ms > *when + secs * 1000) return make_error(ErrorCode::kAccessDenied, "Request has expired");
  }

  auto parsed = parse_credential(credential);
  if (!parsed) return parsed.error();
  out.access_key = parsed->first;
  out.scope = parsed->second;
  out.signature = signature;

  auto when = base::parse_amz_date(out.amz_date);
  if (!when) return make_error(ErrorCode::kMalformed, "x-amz-date must be in ISO 8601 basic format", base::reason::kAuthorizationMalformed);
  if (!out.presigned && std::llabs(*when - now_ms) > options.max_skew_ms)
    return make_error(ErrorCode::kUnauthenticated,
                      "The difference between the request time and the current time is too large.", base::reason::kRequestTimeTooSkewed);
  if (out.amz_date.substr(0, 8) != out.scope.date)
    return make_error(ErrorCode::kMalformed, "credential date does not match x-amz-date", base::reason::kAuthorizationMalformed);

  auto stored = creds.find(out.access_key);
  if (!stored)
    return make_error(ErrorCode::kUnauthenticated, "The AWS Access Key Id you provided does not exist in our records.",
                      base::reason::kInvalidAccessKeyId);
  if (stored->is_session()) {
    std::string token = out.presigned ? query_value(parse_query(raw_query), "X-Amz-Security-Token")
                                      : header_value(headers, "x-amz-security-token");
    if (auto s = check_session(*stored, token, now_ms); !s) return s.error();
    out.role_arn = stored->role_arn;
    out.session_name = stored->session_name;
  }
  const std::string* secret = &stored->secret;

  auto canon_headers = canonical_headers(headers, signed_headers);
  if (!canon_headers) return canon_headers.error();

  auto signature_for = [&](const std::string& uri) {
    std::string creq;
    creq.append(req.method).append("\n");
    creq.append(uri).append("\n");
    creq.append(canonical_query(raw_query, out.presigned)).append("\n");
    creq.append(*canon_headers).append("\n");
    creq.append(signed_headers).append("\n");
    creq.append(out.payload_hash.empty() ? std::string(req.body_sha256) : out.payload_hash);
    return base::to_hex(base::hmac_sha256(out.signing_key, string_to_sign(out.amz_date, out.scope, creq)));
  };
  out.signing_key = options.key_cache ? options.key_cache->get(out.access_key, *secret, out.scope)
                                      : derive_signing_key(*secret, out.scope);
  std::string given = base::to_lower(signature);
  // S3 clients sign the path exactly as they sent it (botocore does); others
  // sign AWS's canonical encoding of it. Accept either, S3 first.
  std::string as_sent = raw_path.empty() ? "/" : std::string(raw_path);
  std::string primary = options.double_encode_path ? canonical_uri(raw_path, true) : as_sent;
  bool ok = constant_time_equal(signature_for(primary), given);
  if (!ok && !options.double_encode_path) {
    std::string normalized = canonical_uri(raw_path, false);
    if (normalized != primary) ok = constant_time_equal(signature_for(normalized), given);
  }
  if (!ok)
    return make_error(ErrorCode::kUnauthenticated,
                      "The request signature we calculated does not match the signature you provided. "
                      "Check your key and signing method.", base::reason::kSignatureDoesNotMatch);
  return out;
}

}  // namespace nimbus::auth
