// nimbus::s3 — a small S3 client for functions: SigV4-signed GetObject,
// HeadObject and PutObject over HTTP, with bodies in memory or streamed.
// Endpoint, region and credentials come from the function's environment
// (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), as an AWS SDK would read them.
// Requests carry X-Amzn-Trace-Id from _X_AMZN_TRACE_ID, as AWS SDKs do, so
// the platform can tell which invocation caused a write. Path-style
// addressing; one kept-alive connection per Client (not thread-safe).
// Links OpenSSL's libcrypto (target nimbus_s3_client).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace nimbus::s3 {

struct Config {
  std::string endpoint;  // "http://host:port"
  std::string region = "us-east-1";
  std::string access_key, secret_key, session_token;
  // Reads the variables above; throws std::invalid_argument when the
  // endpoint or credentials are missing or the endpoint is not http://.
  static Config from_env();
};

// An S3 error response (or a transport failure, with status 0).
class Error : public std::runtime_error {
 public:
  Error(int status, std::string code, const std::string& message);
  int status() const { return status_; }
  const std::string& code() const { return code_; }  // e.g. "NoSuchKey"

 private:
  int status_;
  std::string code_;
};

struct ObjectInfo {
  uint64_t size = 0;
  std::string etag;
  std::string content_type;
  std::map<std::string, std::string> metadata;  // x-amz-meta-*, names without the prefix
};

struct PutOptions {
  std::string content_type = "application/octet-stream";
  std::map<std::string, std::string> metadata;
};

class Client {
 public:
  explicit Client(Config config);
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;

  // Streams the body to `sink` as it arrives.
  ObjectInfo get_object(const std::string& bucket, const std::string& key,
                        const std::function<void(std::string_view)>& sink);
  // Reads the whole body into memory.
  std::string get_object(const std::string& bucket, const std::string& key, ObjectInfo* info = nullptr);
  ObjectInfo head_object(const std::string& bucket, const std::string& key);

  // Uploads from memory; the payload's SHA-256 is signed. Returns the ETag.
  std::string put_object(const std::string& bucket, const std::string& key, std::string_view body,
                         const PutOptions& options = {});
  // Uploads `size` bytes pulled from `read` (which fills up to n bytes of
  // buf and returns how many) without holding them in memory; the payload
  // is sent UNSIGNED-PAYLOAD. Returns the ETag.
  std::string put_object(const std::string& bucket, const std::string& key, uint64_t size,
                         const std::function<size_t(char* buf, size_t n)>& read, const PutOptions& options = {});

  const Config& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Object keys in S3 event notifications are form-URL-encoded ("red+flower.jpg",
// "%C3%A9t%C3%A9.png"); this gives back the key itself.
std::string decode_event_key(std::string_view encoded);

}  // namespace nimbus::s3
