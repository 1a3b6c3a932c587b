// schedules::TimeZone: an IANA time zone (Scheduler's ScheduleExpressionTimezone)
// looked up in the OS tz database (/usr/share/zoneinfo, read by Howard
// Hinnant's date/tz), and the two conversions schedules need: an instant to
// its wall-clock time, and a wall-clock time to the instant it names, telling
// a time that happens twice (fall back) or not at all (spring forward) apart.
// The DST rules are the database's; none is written here.
//
// Times: Time is a UTC instant (system_clock, milliseconds); wall-clock times
// are std::chrono::local_seconds (a calendar reading, no zone attached).
//
// THREADING RULE: values. A TimeZone points at an immutable zone of the
// process-wide database, which date/tz loads once, thread-safely; copies may
// be used from any thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/result.h"

namespace date {
class time_zone;
}

namespace nimbus::schedules {

using Time = std::chrono::sys_time<std::chrono::milliseconds>;
using WallSeconds = std::chrono::local_seconds;

// What a wall-clock time names in a zone.
struct WallInstant {
  enum class Kind {
    kUnique,    // one instant
    kRepeated,  // twice (the hour a fall-back repeats): `instant` is the first
    kSkipped,   // never (the hour a spring-forward skips): `instant` is the wall
                // time moved forward by the gap (02:30 -> 03:30 on a one-hour gap)
  };
  Kind kind = Kind::kUnique;
  Time instant{};
  WallSeconds gap_end{};  // kSkipped: the first wall-clock time after the gap
};

class TimeZone {
 public:
  // UTC without the database: EventBridge rules' zone, and the default.
  static TimeZone utc() { return TimeZone(); }
  // An IANA name as the database spells it ("America/New_York", "UTC",
  // "Etc/GMT+5"; case-sensitive). Unknown: kInvalidArgument. "localtime" is
  // refused too: it is this machine's zone, not a name AWS knows. A database
  // that can't be read at all: kUnavailable.
  static base::Result<TimeZone> find(std::string_view name);

  std::string_view name() const { return name_; }
  bool is_utc() const { return zone_ == nullptr; }

  WallSeconds to_wall(Time t) const;  // the wall clock at t (seconds, floored)
  WallInstant resolve(WallSeconds wall) const;

 private:
  TimeZone() = default;
  const date::time_zone* zone_ = nullptr;  // nullptr: UTC
  std::string name_ = "UTC";
};

}  // namespace nimbus::schedules
