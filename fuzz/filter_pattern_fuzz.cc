// CloudWatch filter patterns (observability::FilterPattern): the input is
// parsed as a pattern and matched against a few function log lines, and
// against itself.
#include <cstdint>

#include "observability/filter_pattern.h"

using namespace nimbus;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto p = observability::FilterPattern::parse(text);
  if (!p) return 0;
  static constexpr std::string_view kLines[] = {
      "START RequestId: 8f5c Version: $LATEST",
      "2026-12-02T12:00:00.000Z\t8f5c\tERROR\tTask timed out after 3.00 seconds",
      "[WARN] retrying \"s3:ObjectCreated:Put\" for key in/a b.jpg",
      "",
      "END RequestId: 8f5c",
  };
  for (auto line : kLines) (void)p->matches(line);
  (void)p->matches(text);
  return 0;
}
