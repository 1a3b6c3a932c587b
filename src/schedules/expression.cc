#include "schedules/expression.h"

#include <limits>

namespace nimbus::schedules {

namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;

base::Error invalid(std::string message) {
  return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message));
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Past this, nothing fires (cron() stops at 2199) and arithmetic is kept
// far from overflowing.
constexpr Time kHorizon = Time{std::chrono::sys_days{std::chrono::year{2201} / 1 / 1}.time_since_epoch()};
constexpr Time kOrigin = Time{std::chrono::sys_days{std::chrono::year{1969} / 12 / 30}.time_since_epoch()};

base::Result<Rate> parse_rate(std::string_view inner) {
  // "value unit", separated by white space.
  auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  std::vector<std::string_view> parts;
  for (size_t i = 0; i < inner.size();) {
    while (i < inner.size() && is_space(inner[i])) ++i;
    size_t start = i;
    while (i < inner.size() && !is_space(inner[i])) ++i;
    if (i > start) parts.push_back(inner.substr(start, i - start));
  }
  if (parts.size() != 2) return invalid("rate() takes a value and a unit, e.g. rate(5 minutes)");
  std::string_view v = parts[0], unit = parts[1];
  if (!all_digits(v)) return invalid("rate() value '" + std::string(v) + "' is not a positive whole number");
  int64_t value = 0;
  for (char c : v) {
    value = value * 10 + (c - '0');
    if (value > std::numeric_limits<int32_t>::max())
      return invalid("rate() value " + std::string(v) + " is too large (at most 2147483647)");
  }
  if (value == 0) return invalid("rate() value must be a positive number, got 0");

  Rate r;
  r.value = value;
  bool plural;
  if (unit == "minute" || unit == "minutes") r.unit = Rate::Unit::kMinute, plural = unit == "minutes";
  else if (unit == "hour" || unit == "hours") r.unit = Rate::Unit::kHour, plural = unit == "hours";
  else if (unit == "day" || unit == "days") r.unit = Rate::Unit::kDay, plural = unit == "days";
  else return invalid("rate() unit must be minute, minutes, hour, hours, day or days, got '" + std::string(unit) + "'");

  // AWS: "If the value is equal to 1, then the unit must be singular. If the
  // value is greater than 1, the unit must be plural."
  if (value == 1 && plural)
    return invalid("rate(1 ...) takes the singular unit: " + std::string(unit.substr(0, unit.size() - 1)) + ", not " +
                   std::string(unit));
  if (value > 1 && !plural)
    return invalid("a rate() value greater than 1 takes the plural unit: " + std::string(unit) + "s, not " +
                   std::string(unit));
  return r;
}

base::Result<At> parse_at(std::string_view inner) {
  // yyyy-mm-ddThh:mm:ss exactly.
  auto form = [&] {
    if (inner.size() != 19) return false;
    for (size_t i = 0; i < inner.size(); ++i) {
      char c = inner[i];
      bool ok = i == 4 || i == 7 ? c == '-' : i == 10 ? c == 'T' : i == 13 || i == 16 ? c == ':' : c >= '0' && c <= '9';
      if (!ok) return false;
    }
    return true;
  };
  if (!form())
    return invalid("at() takes yyyy-mm-ddThh:mm:ss, e.g. at(2027-03-14T09:30:00), got at(" + std::string(inner) + ")");
  auto num = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (inner[i] - '0');
    return v;
  };
  const std::chrono::year_month_day ymd{std::chrono::year{num(0, 4)},
                                        std::chrono::month{static_cast<unsigned>(num(5, 2))},
                                        std::chrono::day{static_cast<unsigned>(num(8, 2))}};
  const int h = num(11, 2), mi = num(14, 2), s = num(17, 2);
  if (!ymd.ok()) return invalid("at(" + std::string(inner) + ") is not a date that exists");
  if (h > 23 || mi > 59 || s > 59) return invalid("at(" + std::string(inner) + ") is not a valid time of day");
  At at;
  at.wall = WallSeconds{std::chrono::local_days{ymd}.time_since_epoch() + std::chrono::hours{h} + minutes{mi} +
                        std::chrono::seconds{s}};
  return at;
}

// The next cron() fire strictly after `after`, on the zone's wall clock.
// Wall-clock candidates are tried in order; mapping them to instants (a
// repeated time to its first occurrence) keeps the order, so the first one
// after `after` is the answer.
std::optional<Time> next_cron(const Cron& cron, Time after, const TimeZone& zone) {
  auto wall = std::chrono::floor<minutes>(zone.to_wall(after));
  while (true) {
    auto candidate = cron.next_at_or_after(wall);
    if (!candidate) return std::nullopt;
    WallInstant r = zone.resolve(WallSeconds{candidate->time_since_epoch()});
    if (r.kind == WallInstant::Kind::kSkipped) {
      // AWS Scheduler: "your schedule invocation gets skipped if the cron
      // expression falls on a non-existent date and time".
      wall = std::chrono::ceil<minutes>(r.gap_end);
      continue;
    }
    // A repeated time fires once, at its first occurrence (instant); after
    // it, the second occurrence maps to the same instant and is passed over.
    if (r.instant <= after) {
      wall = *candidate + minutes{1};
      continue;
    }
    return r.instant;
  }
}

std::optional<Time> next_rate(const Rate& rate, Time after, const Evaluation& ev) {
  const milliseconds period = rate.period();
  const int64_t k0 = ev.rate_start == Evaluation::RateStart::kAtAnchor ? 0 : 1;
  int64_t k = k0;
  if (after >= ev.anchor + k0 * period) k = (after - ev.anchor) / period + 1;
  return ev.anchor + k * period;
}

}  // namespace

std::chrono::minutes Rate::period() const {
  switch (unit) {
    case Unit::kMinute: return minutes{value};
    case Unit::kHour: return std::chrono::hours{value};
    case Unit::kDay: return std::chrono::days{value};
  }
  return minutes{value};
}

base::Result<Expression> parse(std::string_view text, Dialect dialect) {
  auto inner = [&](std::string_view prefix) -> std::optional<std::string_view> {
    if (!text.starts_with(prefix) || !text.ends_with(')')) return std::nullopt;
    return text.substr(prefix.size(), text.size() - prefix.size() - 1);
  };
  if (auto r = inner("rate(")) {
    auto rate = parse_rate(*r);
    if (!rate) return rate.error();
    return Expression(std::string(text), *rate);
  }
  if (auto c = inner("cron(")) {
    auto cron = Cron::parse(*c);
    if (!cron) return cron.error();
    return Expression(std::string(text), *cron);
  }
  if (auto a = inner("at(")) {
    if (dialect == Dialect::kRule)
      return invalid("at() is for EventBridge Scheduler's one-time schedules; a rule takes rate() or cron()");
    auto at = parse_at(*a);
    if (!at) return at.error();
    return Expression(std::string(text), *at);
  }
  return invalid(dialect == Dialect::kRule
                     ? "a schedule expression is rate(value unit) or cron(fields)"
                     : "a schedule expression is rate(value unit), cron(fields) or at(yyyy-mm-ddThh:mm:ss)");
}

Evaluation for_rule(Time created) {
  Evaluation ev;
  ev.anchor = created;
  ev.rate_start = Evaluation::RateStart::kAfterOnePeriod;
  return ev;
}

Evaluation for_schedule(TimeZone zone, Time created, std::optional<Time> start_date, std::optional<Time> end_date) {
  Evaluation ev;
  ev.zone = std::move(zone);
  ev.anchor = start_date.value_or(created);
  ev.rate_start = Evaluation::RateStart::kAtAnchor;
  ev.start = start_date;
  ev.end = end_date;
  return ev;
}

std::optional<Time> next_after(const Expression& e, Time after, const Evaluation& ev) {
  if (after >= kHorizon) return std::nullopt;
  if (after < kOrigin) after = kOrigin;

  if (const At* at = e.at()) {
    Time t = ev.zone.resolve(at->wall).instant;  // a skipped time moves forward by the gap, a repeated one is its first
    return t > after ? std::optional<Time>(t) : std::nullopt;
  }

  if (ev.start && *ev.start - milliseconds{1} > after) after = *ev.start - milliseconds{1};
  std::optional<Time> t;
  if (const Rate* rate = e.rate()) t = next_rate(*rate, after, ev);
  else if (const Cron* cron = e.cron()) t = next_cron(*cron, after, ev.zone);
  if (t && (*t >= kHorizon || (ev.end && *t >= *ev.end))) return std::nullopt;
  return t;
}

std::vector<Time> upcoming(const Expression& e, Time after, size_t n, const Evaluation& ev) {
  std::vector<Time> out;
  out.reserve(n);
  while (out.size() < n) {
    auto t = next_after(e, after, ev);
    if (!t) break;
    out.push_back(*t);
    after = *t;
  }
  return out;
}

std::optional<Time> latest_not_after(const Expression& e, Time after, Time until, const Evaluation& ev) {
  if (until <= after) return std::nullopt;
  if (const Rate* rate = e.rate()) {
    // Only the last period before `until` can hold the answer; an EndDate
    // inside the gap leaves it empty, and the walk below finds the last fire before the end.
    Time last_period = until - std::chrono::duration_cast<milliseconds>(rate->period());
    if (last_period > after) {
      auto t = next_after(e, last_period, ev);
      if (t && *t <= until) return t;
    }
  }
  std::optional<Time> latest;
  for (auto t = next_after(e, after, ev); t && *t <= until; t = next_after(e, *t, ev)) latest = t;
  return latest;
}

}  // namespace nimbus::schedules
