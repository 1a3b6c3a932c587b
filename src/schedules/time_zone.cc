#include "schedules/time_zone.h"

#include <date/tz.h>

#include <exception>

namespace nimbus::schedules {

namespace {

std::chrono::seconds since_epoch(WallSeconds wall) { return wall.time_since_epoch(); }

}  // namespace

base::Result<TimeZone> TimeZone::find(std::string_view name) {
  if (name == "UTC") return utc();  // no need to read the database for it
  if (name.empty() || name == "localtime")
    return base::make_error(base::ErrorCode::kInvalidArgument, "unknown time zone '" + std::string(name) + "'");
  try {
    (void)date::get_tzdb();
  } catch (const std::exception& e) {
    return base::make_error(base::ErrorCode::kUnavailable,
                            std::string("the time zone database (/usr/share/zoneinfo) can't be read: ") + e.what());
  }
  TimeZone z;
  try {
    z.zone_ = date::locate_zone(name);  // looks the name up among those loaded: never opens a path built from it
  } catch (const std::exception&) {
    return base::make_error(base::ErrorCode::kInvalidArgument, "unknown time zone '" + std::string(name) + "'");
  }
  z.name_ = std::string(name);
  return z;
}

WallSeconds TimeZone::to_wall(Time t) const {
  auto s = std::chrono::floor<std::chrono::seconds>(t);
  if (!zone_) return WallSeconds{s.time_since_epoch()};
  return WallSeconds{zone_->to_local(s).time_since_epoch()};
}

WallInstant TimeZone::resolve(WallSeconds wall) const {
  WallInstant r;
  if (!zone_) {
    r.instant = Time{since_epoch(wall)};
    return r;
  }
  date::local_info info = zone_->get_info(date::local_seconds{since_epoch(wall)});
  // sys = wall - offset; `first` holds the offset in force before a transition.
  r.instant = Time{since_epoch(wall) - info.first.offset};
  switch (info.result) {
    case date::local_info::unique: r.kind = WallInstant::Kind::kUnique; break;
    case date::local_info::ambiguous: r.kind = WallInstant::Kind::kRepeated; break;
    case date::local_info::nonexistent:
      r.kind = WallInstant::Kind::kSkipped;
      r.gap_end = WallSeconds{info.second.begin.time_since_epoch() + info.second.offset};
      break;
  }
  return r;
}

}  // namespace nimbus::schedules
