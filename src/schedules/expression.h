// schedules::Expression: a ScheduleExpression of EventBridge rules (rate(),
// cron()) or EventBridge Scheduler (those and at()), parsed, and the times it
// fires: next_after() and upcoming(), UTC instants in milliseconds.
//
//   rate(value unit)   unit minute|minutes|hour|hours|day|days; singular for 1,
//                      plural otherwise. Fixed durations (a day is 24 hours,
//                      across DST too), counted from an anchor (Evaluation).
//   cron(fields)       six fields, cron.h; read on the wall clock of the
//                      Evaluation's zone (rules: always UTC).
//   at(yyyy-mm-ddThh:mm:ss)  Scheduler only: once, at that wall-clock time.
//
// DST (Scheduler, a zone with one): a cron time a spring-forward skips does
// not fire that day; a cron time a fall-back repeats fires once, at its first
// occurrence. See docs/schedules.md for the AWS pages behind each rule.
//
// parse() refuses with kInvalidArgument and a message saying what is wrong
// (a field, a value, a rule); the protocol layer wraps it in its service's
// words: PutRule answers ValidationException "Parameter ScheduleExpression is
// not valid." (as AWS errors in the wild show), Scheduler a ValidationException.
//
// THREADING RULE: values; an Expression is immutable after parse() and may be
// shared; the functions below are pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"
#include "schedules/cron.h"
#include "schedules/time_zone.h"

namespace nimbus::schedules {

// Which API the expression came through: rules don't take at().
enum class Dialect { kRule, kScheduler };

struct Rate {
  enum class Unit { kMinute, kHour, kDay };
  int64_t value = 1;  // 1 .. 2^31-1
  Unit unit = Unit::kMinute;
  std::chrono::minutes period() const;
};

struct At {
  WallSeconds wall{};  // read in the Evaluation's zone
};

class Expression {
 public:
  enum class Kind { kRate, kCron, kAt };
  Kind kind() const { return static_cast<Kind>(form_.index()); }
  const std::string& text() const { return text_; }  // as given to parse()

  const Rate* rate() const { return std::get_if<Rate>(&form_); }
  const Cron* cron() const { return std::get_if<Cron>(&form_); }
  const At* at() const { return std::get_if<At>(&form_); }

 private:
  friend base::Result<Expression> parse(std::string_view text, Dialect dialect);
  Expression(std::string text, std::variant<Rate, Cron, At> form) : text_(std::move(text)), form_(std::move(form)) {}
  std::string text_;
  std::variant<Rate, Cron, At> form_;
};

base::Result<Expression> parse(std::string_view text, Dialect dialect);

// Where, and from when, an expression is evaluated.
struct Evaluation {
  enum class RateStart {
    kAfterOnePeriod,  // rules: rate(5 minutes) first fires 5 minutes after the anchor
    kAtAnchor,        // Scheduler: first at the anchor (StartDate, or at once)
  };
  TimeZone zone = TimeZone::utc();  // cron() and at() wall clock
  Time anchor{};                    // rate(): fires at anchor + k * period
  RateStart rate_start = RateStart::kAfterOnePeriod;
  std::optional<Time> start;  // no fire before it (Scheduler StartDate; inclusive)
  std::optional<Time> end;    // no fire at or after it (Scheduler EndDate)
  // at() is one-time: AWS ignores StartDate and EndDate for it, and so does this.
};

// An EventBridge rule's: UTC, rate() counted from the rule's creation.
Evaluation for_rule(Time created);
// A Scheduler schedule's: its zone; rate() counted from StartDate, or from
// creation when it has none, and firing at that anchor itself (AWS: "If you
// do not provide a StartDate for a rate-based schedule, your schedule starts
// invoking its target immediately").
Evaluation for_schedule(TimeZone zone, Time created, std::optional<Time> start_date = std::nullopt,
                        std::optional<Time> end_date = std::nullopt);

// The first fire time strictly after `after`, or nullopt when there is none
// (an at() in the past, a cron() with nothing left before 2200, past `end`).
// A schedule's first fire, which may be at its anchor, is next_after(e, anchor - 1ms).
std::optional<Time> next_after(const Expression& e, Time after, const Evaluation& ev);
// The next `n` fire times after `after`, fewer when the expression runs out.
std::vector<Time> upcoming(const Expression& e, Time after, size_t n, const Evaluation& ev);
// The last fire time t with after < t <= until, or nullopt when there is
// none: what a timer that was down from `after` to `until` fires once, for
// every fire it missed (rate() jumps whole periods; cron() steps by fire).
std::optional<Time> latest_not_after(const Expression& e, Time after, Time until, const Evaluation& ev);

}  // namespace nimbus::schedules
