// Logging setup: spdlog to stderr with a level from config. Modules log with
// spdlog's free functions; this is the only global nimbus keeps.
//
// Every line goes through a throttle: a line repeated more than a burst
// within a window (the same text once digits are ignored) is held back, and
// one summary line later says how many were. A flood of the same failure
// (an accept loop out of descriptors, a function printing in a loop) can
// then never fill the disk with nimbus's own log. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace nimbus::base {

void setup_logging(std::string_view level);  // "trace", "debug", "info", "warn", "error"

// Decides which repeats of a line get through. Exposed for its unit test.
class LogThrottle {
 public:
  LogThrottle(int burst, std::chrono::milliseconds window) : burst_(burst), window_(window) {}
  struct Verdict {
    bool pass = true;
    uint64_t held_back = 0;  // lines of this kind held back before this one (pass only)
  };
  Verdict admit(std::string_view line, std::chrono::steady_clock::time_point now);
  // Lines held back in windows that have ended and not been reported by a later line.
  std::vector<std::pair<std::string, uint64_t>> expired(std::chrono::steady_clock::time_point now);

 private:
  struct Kind {
    std::chrono::steady_clock::time_point window_start;
    int seen = 0;
    uint64_t held_back = 0;
    std::string sample;
  };
  static std::string kind_of(std::string_view line);
  int burst_;
  std::chrono::milliseconds window_;
  std::unordered_map<std::string, Kind> kinds_;
};

}  // namespace nimbus::base
