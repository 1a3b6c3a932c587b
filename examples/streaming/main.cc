// streaming: a C++ function that streams its response (run_streaming).
// The event says how: {"chunks": 3, "sleep_ms": 2000, "fail_after": 2}
// sends "chunk 0\n", "chunk 1\n", … pausing between them, and, with
// fail_after, throws after that many chunks (the stream ends with an error).
// Behind a function URL the same keys come as query parameters
// (?chunks=2&sleep_ms=1500), and ?prelude=1 sets the HTTP response
// (set_http_response: 201, a header, a cookie) before the first chunk.
#include <nimbus/runtime.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

// A number field of a flat JSON object ("key": 12, or "key": "12" as a
// URL event's queryStringParameters have it); fallback when absent.
long field(const std::string& json, const std::string& key, long fallback) {
  auto at = json.find("\"" + key + "\"");
  if (at == std::string::npos) return fallback;
  at = json.find(':', at);
  if (at == std::string::npos) return fallback;
  at = json.find_first_not_of(" \"", at + 1);
  if (at == std::string::npos) return fallback;
  return std::strtol(json.c_str() + at, nullptr, 10);
}

}  // namespace

int main() {
  nimbus::runtime::run_streaming([](const nimbus::runtime::Invocation& inv, nimbus::runtime::ResponseWriter& out) {
    long chunks = field(inv.payload, "chunks", 3);
    long sleep_ms = field(inv.payload, "sleep_ms", 0);
    long fail_after = field(inv.payload, "fail_after", -1);
    if (field(inv.payload, "prelude", 0) == 1)
      out.set_http_response(201, {{"Content-Type", "text/plain"}, {"X-Streamed-By", "cpp"}}, {"flavour=cpp; Path=/"});
    else
      out.set_content_type("text/plain");
    for (long i = 0; i < chunks; ++i) {
      if (i == fail_after) throw std::runtime_error("failed after " + std::to_string(i) + " chunks");
      if (i > 0 && sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
      std::cout << "sending chunk " << i << std::endl;
      out.write("chunk " + std::to_string(i) + "\n");
    }
    if (fail_after == chunks) throw std::runtime_error("failed after " + std::to_string(chunks) + " chunks");
  });
}
