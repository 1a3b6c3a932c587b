// A function URL's streamed HTTP prelude (function_urls/stream_prelude.h),
// the part of a RESPONSE_STREAM function's output nimbus parses: the input
// is fed to PreludeReader in pieces (the first byte picks their size, as a
// runtime may write the prelude and its 8 NUL bytes in any pieces), then
// what it found is read as the prelude. Invariants: the prelude holds no
// delimiter, and prelude + delimiter + body is a prefix of the input.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "function_urls/stream_prelude.h"

using namespace nimbus::function_urls;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t piece = data[0] % 16 + 1;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  PreludeReader reader;
  PreludeReader::Step step = PreludeReader::Step::kMore;
  size_t fed = 0;
  while (fed < text.size() && step == PreludeReader::Step::kMore) {
    size_t n = std::min(piece, text.size() - fed);
    step = reader.add(text.substr(fed, n));
    fed += n;
  }
  if (step == PreludeReader::Step::kDone) {
    std::string_view prelude = reader.prelude();
    std::string body = reader.take_body();
    if (prelude.find(std::string(kPreludeDelimiterBytes, '\0')) != std::string_view::npos) std::abort();
    std::string whole = std::string(prelude) + std::string(kPreludeDelimiterBytes, '\0') + body;
    if (whole != text.substr(0, whole.size())) std::abort();
    auto head = parse_http_prelude(prelude);
    if (head && (head->status < 100 || head->status > 599)) std::abort();
  } else {
    (void)parse_http_prelude(reader.unterminated());
  }
  return 0;
}
