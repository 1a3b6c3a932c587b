#include "base/time.h"

#include "base/clock.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace nimbus::base {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t now_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

namespace {
class SystemClock : public Clock {
 public:
  int64_t now_ms() const override { return base::now_ms(); }
  int64_t steady_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
  }
};
}  // namespace

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

static std::tm to_tm(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

static std::string format(int64_t ms, const char* fmt) {
  std::tm tm = to_tm(ms);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, fmt, &tm);
  return std::string(buf, n);
}

std::string http_date(int64_t ms) { return format(ms, "%a, %d %b %Y %H:%M:%S GMT"); }

std::string iso8601(int64_t ms) {
  char buf[8];
  std::snprintf(buf, sizeof buf, ".%03dZ", static_cast<int>(ms % 1000));
  return format(ms, "%Y-%m-%dT%H:%M:%S") + buf;
}

std::string amz_date(int64_t ms) { return format(ms, "%Y%m%dT%H%M%SZ"); }

static std::optional<int64_t> parse_with(std::string_view s, const char* fmt) {
  std::string str(s);
  std::tm tm{};
  const char* end = strptime(str.c_str(), fmt, &tm);
  if (!end) return std::nullopt;
  while (*end == ' ') ++end;
  if (*end && *end != '.' && *end != 'Z') return std::nullopt;
  long offset = tm.tm_gmtoff;  // set by %z, zero otherwise
  return (static_cast<int64_t>(timegm(&tm)) - offset) * 1000;
}

std::optional<int64_t> parse_amz_date(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  return parse_with(s, "%Y%m%dT%H%M%SZ");
}

std::optional<int64_t> parse_http_date(std::string_view s) {
  for (const char* fmt : {"%a, %d %b %Y %H:%M:%S GMT", "%a, %d %b %Y %H:%M:%S %z", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %d %H:%M:%S %Y",
                          "%Y-%m-%dT%H:%M:%S"}) {
    if (auto v = parse_with(s, fmt)) return v;
  }
  return std::nullopt;
}

}  // namespace nimbus::base
