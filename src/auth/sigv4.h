// AWS Signature Version 4: verifies the Authorization header and presigned
// query strings, and says how the payload is to be checked (signed hash,
// UNSIGNED-PAYLOAD, or one of the aws-chunked streaming modes).
// Protocol-neutral: the caller gives method, raw target and headers.
// Session credentials must carry their token (X-Amz-Security-Token) and be
// unexpired.
//
// THREADING RULE: pure functions, plus SigningKeyCache (thread-safe).
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/credentials.h"
#include "base/headers.h"
#include "base/result.h"

namespace nimbus::auth {

using base::HeaderList;

struct RequestView {
  std::string_view method;
  std::string_view target;  // raw path and query as sent, e.g. "/b/k%20x?uploads"
  const HeaderList* headers = nullptr;
  // Hex SHA-256 of the body, for services that sign it without sending
  // x-amz-content-sha256 (their bodies are small and read before verifying).
  std::string_view body_sha256;
};

enum class PayloadMode {
  kSignedHash,               // x-amz-content-sha256 is the hex SHA-256 of the body
  kUnsigned,                 // UNSIGNED-PAYLOAD (or presigned)
  kStreamingSigned,          // STREAMING-AWS4-HMAC-SHA256-PAYLOAD
  kStreamingSignedTrailer,   // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
  kStreamingUnsignedTrailer, // STREAMING-UNSIGNED-PAYLOAD-TRAILER
};

struct Scope {
  std::string date;     // YYYYMMDD
  std::string region;
  std::string service;
  std::string str() const { return date + "/" + region + "/" + service + "/aws4_request"; }
};

struct VerifiedRequest {
  std::string access_key;
  Scope scope;
  std::string amz_date;        // YYYYMMDDTHHMMSSZ
  std::string signature;       // hex; the seed signature of streamed chunks
  std::string signing_key;     // raw derived key, for chunk signatures
  PayloadMode payload = PayloadMode::kUnsigned;
  std::string payload_hash;    // hex, when kSignedHash
  bool presigned = false;
  // Session credentials (STS AssumeRole): whose session signed.
  std::string role_arn;
  std::string session_name;
};

// Derived signing keys change once a day per key and scope; deriving one
// costs four HMACs, so a server keeps them. Thread-safe, bounded.
class SigningKeyCache {
 public:
  std::string get(const std::string& access_key, std::string_view secret, const Scope& scope);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::string> keys_;
};

struct VerifyOptions {
  // S3 signs the path as sent, encoded once; other services encode it again.
  bool double_encode_path = false;
  int64_t max_skew_ms = 15 * 60 * 1000;
  SigningKeyCache* key_cache = nullptr;
};

std::string header_value(const HeaderList& headers, std::string_view lower_name);  // "" if absent
bool has_header(const HeaderList& headers, std::string_view lower_name);

// True when the request carries SigV4 credentials in a header or the query.
bool is_sigv4(const RequestView& req);
// The credential scope of a SigV4 request, without verifying it (for routing).
base::Result<Scope> peek_scope(const RequestView& req);

base::Result<VerifiedRequest> verify(const RequestView& req, const CredentialStore& creds, int64_t now_ms,
                                     const VerifyOptions& options = {});

// Signs a request nimbus sends (the CLI, functions' S3 client): returns the
// Authorization header. headers (lowercase names) must hold host and
// x-amz-date; all of them are signed.
std::string authorization_header(std::string_view method, std::string_view raw_path, std::string_view raw_query,
                                 const HeaderList& headers, std::string_view payload_hash,
                                 std::string_view access_key, std::string_view secret, const Scope& scope,
                                 std::string_view amz_date, bool double_encode_path);

// Building blocks, exposed for tests and for signing requests nimbus sends.
std::string canonical_uri(std::string_view raw_path, bool double_encode);
std::string canonical_query(std::string_view raw_query, bool drop_signature);
std::string derive_signing_key(std::string_view secret, const Scope& scope);
std::string string_to_sign(std::string_view amz_date, const Scope& scope, std::string_view canonical_request);

}  // namespace nimbus::auth
