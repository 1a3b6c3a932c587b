// Function URLs in RESPONSE_STREAM mode: the HTTP status and headers a
// streaming function puts before its body, as Lambda's runtimes write them
// (Node's awslambda.HttpResponseStream.from, aws-lambda-go's
// LambdaFunctionURLStreamingResponse): a stream whose Content-Type is
// application/vnd.awslambda.http-integration-response begins with a JSON
// object {"statusCode", "headers", "cookies"}, then 8 NUL bytes, then the
// body. PreludeReader finds the end of that prelude across the pieces of the
// stream; parse_http_prelude reads it (headers as payload 2.0's, through
// execute_api's reader, cookies one Set-Cookie each).
// THREADING RULE: plain values; a PreludeReader belongs to one stream.
#pragma once

#include <string>
#include <string_view>

#include "base/headers.h"
#include "base/result.h"

namespace nimbus::function_urls {

inline constexpr std::string_view kHttpIntegrationResponse = "application/vnd.awslambda.http-integration-response";
inline constexpr size_t kPreludeDelimiterBytes = 8;
// AWS documents no limit on the prelude; past this nimbus answers 502.
inline constexpr size_t kMaxPreludeBytes = 64 * 1024;

struct HttpPrelude {
  int status = 200;
  base::HeaderList headers;  // in order; Set-Cookie once per cookie
};

// kMalformed when the text is not a JSON object, or its statusCode,
// headers or cookies are not what payload 2.0 allows. An empty text (a
// stream that ended before anything was written) is a 200 with no headers.
base::Result<HttpPrelude> parse_http_prelude(std::string_view json_text);

class PreludeReader {
 public:
  enum class Step { kMore, kDone, kTooLarge };
  // Takes the stream's next bytes. kDone once the delimiter is in: then
  // prelude() is the JSON before it and take_body() the bytes after it.
  Step add(std::string_view bytes);
  std::string_view prelude() const { return std::string_view(buf_).substr(0, end_); }
  std::string take_body();
  // The stream ended without a delimiter: all it sent, read as the prelude.
  std::string_view unterminated() const { return buf_; }

 private:
  std::string buf_;
  size_t scanned_ = 0;  // buf_ holds no delimiter starting before this
  size_t end_ = std::string::npos;
};

}  // namespace nimbus::function_urls
