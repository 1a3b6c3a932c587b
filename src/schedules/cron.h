// schedules::Cron: the six fields of an EventBridge cron() expression
// (Minutes Hours Day-of-month Month Day-of-week Year), parsed into one set per
// field, and the search for the next wall-clock minute they name. Calendar
// arithmetic only: which zone the wall clock is in, and what DST does to it,
// is expression.h's business.
//
// The grammar (docs/schedules.md has it with AWS's pages):
//   Minutes 0-59, Hours 0-23, Month 1-12 or JAN-DEC, Year 1970-2199:
//       * | v | a-b | */n | v/n | a-b/n, and lists of those with ','
//   Day-of-month 1-31: the same, or ? | L | L-n | LW | nW (alone)
//   Day-of-week 1-7 (1 = SUN) or SUN-SAT: the same, or ? | L | nL | n#k (alone)
// Ranges may wrap (FRI-MON, 22-2; not Year). Names and L/W are case-insensitive.
// Exactly one of Day-of-month and Day-of-week is '?'.
//
// The search walks fields (year, month, day, hour, minute) and never minute by
// minute: an expression that never fires (cron(0 0 30 2 ? *)) costs a few
// thousand steps to find so.
//
// THREADING RULE: values; a parsed Cron is immutable and may be shared.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>

#include "base/result.h"

namespace nimbus::schedules {

using WallMinutes = std::chrono::local_time<std::chrono::minutes>;

class Cron {
 public:
  // `fields` is what stands between "cron(" and ")". kInvalidArgument, with a
  // message naming the field and what is wrong, for anything else.
  static base::Result<Cron> parse(std::string_view fields);

  // The first wall-clock minute at or after `from` the expression names, or
  // nullopt when there is none before 2200.
  std::optional<WallMinutes> next_at_or_after(WallMinutes from) const;
  bool matches(WallMinutes t) const;

  struct Spec;  // the parsed fields; opaque outside cron.cc

 private:
  Cron() = default;
  std::shared_ptr<const Spec> spec_;
};

}  // namespace nimbus::schedules
