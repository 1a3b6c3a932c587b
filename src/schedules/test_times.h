// Test helpers for schedules' tests: instants and wall-clock times written as
// calendar readings, and printed back as ISO 8601 so a failure reads as a date.
// THREADING RULE: pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/time.h"
#include "schedules/cron.h"
#include "schedules/time_zone.h"

namespace nimbus::schedules::testing {

inline Time utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  using namespace std::chrono;
  return Time{sys_days{year{y} / month{mo} / day{d}}.time_since_epoch() + hours{h} + minutes{mi} + seconds{s}};
}

inline WallMinutes wall(int y, unsigned mo, unsigned d, int h = 0, int mi = 0) {
  using namespace std::chrono;
  return WallMinutes{local_days{year{y} / month{mo} / day{d}}.time_since_epoch() + hours{h} + minutes{mi}};
}

inline std::string iso(Time t) { return base::iso8601(t.time_since_epoch().count()); }
inline std::string iso(std::optional<Time> t) { return t ? iso(*t) : "never"; }
inline std::string iso(WallMinutes t) {
  return base::iso8601(std::chrono::milliseconds{t.time_since_epoch()}.count()).substr(0, 16);
}
inline std::string iso(std::optional<WallMinutes> t) { return t ? iso(*t) : "never"; }
inline std::vector<std::string> iso(const std::vector<Time>& ts) {
  std::vector<std::string> out;
  for (Time t : ts) out.push_back(iso(t));
  return out;
}

}  // namespace nimbus::schedules::testing
