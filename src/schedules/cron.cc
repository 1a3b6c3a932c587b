#include "schedules/cron.h"

#include <array>
#include <bit>
#include <cstdint>
#include <string>
#include <vector>

namespace nimbus::schedules {

namespace {

using std::chrono::day;
using std::chrono::days;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;

// A set of small integers (a field's values; years as year - 1970).
class Bits {
 public:
  void set(int i) { w_[static_cast<size_t>(i) >> 6] |= uint64_t{1} << (i & 63); }
  bool test(int i) const { return i >= 0 && i < 256 && (w_[static_cast<size_t>(i) >> 6] >> (i & 63) & 1); }
  // The smallest member >= from, or -1.
  int next(int from) const {
    if (from < 0) from = 0;
    for (int k = from >> 6; k < 4; ++k) {
      uint64_t w = w_[static_cast<size_t>(k)];
      if (k == from >> 6) w &= ~uint64_t{0} << (from & 63);
      if (w) return k * 64 + std::countr_zero(w);
    }
    return -1;
  }
  uint64_t low_word() const { return w_[0]; }

 private:
  std::array<uint64_t, 4> w_{};
};

enum class Field { kMinutes, kHours, kDayOfMonth, kMonth, kDayOfWeek, kYear };

struct FieldRule {
  const char* name;
  int min, max;
  int max_step;  // as AWS and Quartz refuse */60 in Minutes
  bool wraps;    // a range may run past max to min (22-2, FRI-MON)
};

constexpr std::array<FieldRule, 6> kRules = {{
    {"Minutes", 0, 59, 59, true},
    {"Hours", 0, 23, 23, true},
    {"Day-of-month", 1, 31, 31, true},
    {"Month", 1, 12, 12, true},
    {"Day-of-week", 1, 7, 7, true},
    {"Year", 1970, 2199, 229, false},
}};

constexpr std::array<std::string_view, 12> kMonthNames = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<std::string_view, 7> kDayNames = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

constexpr int kFirstYear = 1970;
constexpr int kLastYear = 2199;

const FieldRule& rule(Field f) { return kRules[static_cast<size_t>(f)]; }

base::Error invalid(std::string message) {
  return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message));
}

std::string range_text(Field f) {
  const FieldRule& r = rule(f);
  std::string s = std::to_string(r.min) + "-" + std::to_string(r.max);
  if (f == Field::kMonth) s += " or JAN-DEC";
  if (f == Field::kDayOfWeek) s += " (1 = SUN) or SUN-SAT";
  return s;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Digits to a number; more than 9 digits is out of every range anyway.
int to_int(std::string_view s) {
  if (s.size() > 9) return 999'999'999;
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

std::string upper(std::string_view s) {
  std::string u(s);
  for (char& c : u)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return u;
}

// One value of a field: a number in its range, or a month or day name.
base::Result<int> value(std::string_view token, Field f, std::string_view field_text) {
  const FieldRule& r = rule(f);
  if (all_digits(token)) {
    int v = to_int(token);
    if (v < r.min || v > r.max)
      return invalid(std::string(r.name) + " value " + std::string(token) + " is out of range " + range_text(f));
    return v;
  }
  if (f == Field::kMonth)
    for (size_t i = 0; i < kMonthNames.size(); ++i)
      if (token == kMonthNames[i]) return static_cast<int>(i) + 1;
  if (f == Field::kDayOfWeek)
    for (size_t i = 0; i < kDayNames.size(); ++i)
      if (token == kDayNames[i]) return static_cast<int>(i) + 1;
  if (token.empty())
    return invalid(std::string(r.name) + " field '" + std::string(field_text) + "' has an empty value");
  return invalid(std::string(r.name) + " value '" + std::string(token) + "' is not valid: expected " + range_text(f));
}

// A list of '*', v, a-b, with an optional /step each.
base::Result<Bits> parse_list(std::string_view text, Field f) {
  const FieldRule& r = rule(f);
  const int span = r.max - r.min + 1;
  Bits bits;
  size_t pos = 0;
  while (true) {
    size_t comma = text.find(',', pos);
    std::string_view item = text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    if (item.empty()) return invalid(std::string(r.name) + " field '" + std::string(text) + "' has an empty value");

    std::string_view base = item;
    int step = 1;
    bool stepped = false;
    if (size_t slash = item.find('/'); slash != std::string_view::npos) {
      base = item.substr(0, slash);
      std::string_view s = item.substr(slash + 1);
      if (!all_digits(s))
        return invalid(std::string(r.name) + " increment in '" + std::string(item) + "' must be a number");
      step = to_int(s);
      if (step < 1 || step > r.max_step)
        return invalid(std::string(r.name) + " increment " + std::string(s) + " is out of range 1-" +
                       std::to_string(r.max_step));
      stepped = true;
    }

    int lo, hi;
    if (base == "*") {
      lo = r.min;
      hi = r.max;
    } else if (size_t dash = base.find('-'); dash != std::string_view::npos) {
      auto a = value(base.substr(0, dash), f, text);
      if (!a) return a.error();
      auto b = value(base.substr(dash + 1), f, text);
      if (!b) return b.error();
      lo = *a;
      hi = *b;
      if (hi < lo) {
        if (!r.wraps) return invalid(std::string(r.name) + " range " + std::string(base) + " ends before it starts");
        hi += span;  // 22-2 is 22, 23, 0, 1, 2
      }
    } else {
      auto a = value(base, f, text);
      if (!a) return a.error();
      lo = *a;
      hi = stepped ? r.max : lo;  // 5/15 is 5, 20, 35, 50
    }
    for (int v = lo; v <= hi; v += step) bits.set(f == Field::kYear ? v - kFirstYear : (v - r.min) % span + r.min);

    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return bits;
}

unsigned last_day(int y, unsigned m) {
  return static_cast<unsigned>(std::chrono::year_month_day_last(year{y}, std::chrono::month_day_last{month{m}}).day());
}

// 1 = SUN ... 7 = SAT, as cron() counts.
int weekday_of(int y, unsigned m, unsigned d) {
  return static_cast<int>(std::chrono::weekday{std::chrono::sys_days{year{y} / month{m} / day{d}}}.c_encoding()) + 1;
}

}  // namespace

struct Cron::Spec {
  Bits minutes, hours, months, years;

  enum class Dom { kAny, kSet, kLast, kLastWeekday, kNearestWeekday } dom = Dom::kAny;
  Bits dom_set;
  int dom_value = 0;  // kLast: the offset (L-3); kNearestWeekday: the day (15W)

  enum class Dow { kAny, kSet, kLast, kNth } dow = Dow::kAny;
  Bits dow_set;
  int dow_value = 0;  // kLast, kNth: the weekday (6L, 3#2)
  int nth = 0;        // kNth: which one (3#2: 2)

  // The days of month m of year y the two day fields allow, as bits 1..31.
  uint32_t days(int y, unsigned m) const;
};

uint32_t Cron::Spec::days(int y, unsigned m) const {
  const unsigned last = last_day(y, m);
  const auto all = static_cast<uint32_t>(((uint64_t{1} << (last + 1)) - 1) & ~uint64_t{1});  // days 1..last
  auto bit = [](unsigned d) { return uint32_t{1} << d; };

  uint32_t by_dom = all;
  switch (dom) {
    case Dom::kAny: break;
    case Dom::kSet: by_dom = static_cast<uint32_t>(dom_set.low_word()) & all; break;
    case Dom::kLast:
      by_dom = static_cast<int>(last) - dom_value >= 1 ? bit(last - static_cast<unsigned>(dom_value)) : 0;
      break;
    case Dom::kLastWeekday: {
      int w = weekday_of(y, m, last);
      by_dom = bit(w == 7 ? last - 1 : w == 1 ? last - 2 : last);
      break;
    }
    case Dom::kNearestWeekday: {
      // The weekday nearest the day, in its own month: 1W on a Saturday is
      // Monday the 3rd, 31W on a Sunday Friday the 29th. A day the month
      // doesn't have (30W in February) fires nothing, as a plain 30 wouldn't.
      auto d = static_cast<unsigned>(dom_value);
      if (d > last) {
        by_dom = 0;
        break;
      }
      int w = weekday_of(y, m, d);
      if (w == 7) d = d == 1 ? 3 : d - 1;
      else if (w == 1) d = d == last ? d - 2 : d + 1;
      by_dom = bit(d);
      break;
    }
  }

  uint32_t by_dow = all;
  const int first_weekday = weekday_of(y, m, 1);
  switch (dow) {
    case Dow::kAny: break;
    case Dow::kSet:
      by_dow = 0;
      for (unsigned d = 1; d <= last; ++d)
        if (dow_set.test((first_weekday - 1 + static_cast<int>(d) - 1) % 7 + 1)) by_dow |= bit(d);
      break;
    case Dow::kLast: {
      int w_last = (first_weekday - 1 + static_cast<int>(last) - 1) % 7 + 1;
      by_dow = bit(last - static_cast<unsigned>((w_last - dow_value + 7) % 7));
      break;
    }
    case Dow::kNth: {
      int d = 1 + (dow_value - first_weekday + 7) % 7 + 7 * (nth - 1);
      by_dow = d <= static_cast<int>(last) ? bit(static_cast<unsigned>(d)) : 0;
      break;
    }
  }
  return by_dom & by_dow;
}

base::Result<Cron> Cron::parse(std::string_view fields_text) {
  std::vector<std::string> fields;
  {
    size_t i = 0;
    while (i < fields_text.size()) {
      while (i < fields_text.size() && (fields_text[i] == ' ' || fields_text[i] == '\t')) ++i;
      size_t start = i;
      while (i < fields_text.size() && fields_text[i] != ' ' && fields_text[i] != '\t') ++i;
      if (i > start) fields.push_back(upper(fields_text.substr(start, i - start)));
    }
  }
  if (fields.size() != 6)
    return invalid("cron() takes six fields (Minutes Hours Day-of-month Month Day-of-week Year), got " +
                   std::to_string(fields.size()));

  auto spec = std::make_shared<Spec>();

  // '?' belongs to the two day fields only, and stands alone there.
  for (size_t i = 0; i < fields.size(); ++i) {
    const auto f = static_cast<Field>(i);
    if (fields[i].find('?') == std::string::npos) continue;
    if (f != Field::kDayOfMonth && f != Field::kDayOfWeek)
      return invalid(std::string("'?' is allowed only in Day-of-month and Day-of-week, not in ") + rule(f).name);
    if (fields[i] != "?") return invalid(std::string("'?' must be the whole ") + rule(f).name + " field");
  }
  const bool dom_any = fields[2] == "?";
  const bool dow_any = fields[4] == "?";
  if (dom_any && dow_any)
    return invalid("Day-of-month and Day-of-week can't both be '?': one of them must name the days");
  if (!dom_any && !dow_any)
    return invalid(
        "you can't specify both Day-of-month and Day-of-week: if you specify a value or a * in one, you must use ? in "
        "the other");

  for (Field f : {Field::kMinutes, Field::kHours, Field::kMonth, Field::kYear}) {
    const std::string& text = fields[static_cast<size_t>(f)];
    for (char c : text)
      if (c == 'L' || c == 'W' || c == '#')
        if (f != Field::kMonth || c == '#')  // JUL has an L
          return invalid(std::string("'") + c + "' is not allowed in " + rule(f).name);
    auto bits = parse_list(text, f);
    if (!bits) return bits.error();
    Bits& target = f == Field::kMinutes ? spec->minutes
                   : f == Field::kHours ? spec->hours
                   : f == Field::kMonth ? spec->months
                                        : spec->years;
    target = *bits;
  }

  // Day-of-month: L, L-n, LW, nW stand alone; otherwise a list.
  if (const std::string& dom = fields[2]; !dom_any) {
    if (dom.find('#') != std::string::npos) return invalid("'#' is allowed only in Day-of-week");
    const bool special = dom.find_first_of("LW") != std::string::npos;
    if (!special) {
      auto bits = parse_list(dom, Field::kDayOfMonth);
      if (!bits) return bits.error();
      spec->dom = Spec::Dom::kSet;
      spec->dom_set = *bits;
    } else if (dom == "L") {
      spec->dom = Spec::Dom::kLast;
    } else if (dom == "LW") {
      spec->dom = Spec::Dom::kLastWeekday;
    } else if (dom.starts_with("L-") && all_digits(std::string_view(dom).substr(2))) {
      int offset = to_int(std::string_view(dom).substr(2));
      if (offset > 30) return invalid("Day-of-month offset in '" + dom + "' is out of range 0-30");
      spec->dom = Spec::Dom::kLast;
      spec->dom_value = offset;
    } else if (dom.size() > 1 && dom.back() == 'W' && all_digits(std::string_view(dom).substr(0, dom.size() - 1))) {
      int d = to_int(std::string_view(dom).substr(0, dom.size() - 1));
      if (d < 1 || d > 31) return invalid("Day-of-month value in '" + dom + "' is out of range 1-31");
      spec->dom = Spec::Dom::kNearestWeekday;
      spec->dom_value = d;
    } else {
      return invalid("Day-of-month '" + dom +
                     "' is not valid: L (last day), L-n, LW (last weekday) and nW (weekday nearest day n) stand alone, "
                     "without lists or ranges");
    }
  }

  // Day-of-week: L, nL, n#k stand alone; otherwise a list. No day name has
  // an L or a '#', so either one is the special.
  if (const std::string& dow = fields[4]; !dow_any) {
    const size_t hash = dow.find('#');
    if (hash != std::string::npos) {
      if (dow.find('#', hash + 1) != std::string::npos || dow.find(',') != std::string::npos)
        return invalid("with '#', Day-of-week holds only one expression ('" + dow + "' is more than one)");
      auto w = value(std::string_view(dow).substr(0, hash), Field::kDayOfWeek, dow);
      if (!w) return w.error();
      std::string_view n = std::string_view(dow).substr(hash + 1);
      if (!all_digits(n) || to_int(n) < 1 || to_int(n) > 5)
        return invalid("Day-of-week '" + dow + "': the number after '#' must be 1-5");
      spec->dow = Spec::Dow::kNth;
      spec->dow_value = *w;
      spec->nth = to_int(n);
    } else if (dow.find('L') != std::string::npos) {
      if (dow == "L") {  // the last day of the week: Saturday
        spec->dow = Spec::Dow::kSet;
        spec->dow_set.set(7);
      } else if (dow.back() == 'L' && dow.find_first_of(",-/") == std::string::npos &&
                 dow.find('L') == dow.size() - 1) {
        auto w = value(std::string_view(dow).substr(0, dow.size() - 1), Field::kDayOfWeek, dow);
        if (!w) return w.error();
        spec->dow = Spec::Dow::kLast;
        spec->dow_value = *w;
      } else {
        return invalid("Day-of-week '" + dow +
                       "' is not valid: L (Saturday) and nL (the last day n of the month) stand alone, without lists "
                       "or ranges");
      }
    } else {
      auto bits = parse_list(dow, Field::kDayOfWeek);
      if (!bits) return bits.error();
      spec->dow = Spec::Dow::kSet;
      spec->dow_set = *bits;
    }
  }

  Cron c;
  c.spec_ = std::move(spec);
  return c;
}

std::optional<WallMinutes> Cron::next_at_or_after(WallMinutes from) const {
  const Spec& s = *spec_;
  const auto from_day = std::chrono::floor<days>(from);
  const year_month_day ymd{from_day};
  int y = static_cast<int>(ymd.year());
  int mo = static_cast<int>(static_cast<unsigned>(ymd.month()));
  int d = static_cast<int>(static_cast<unsigned>(ymd.day()));
  const auto in_day = (from - from_day).count();
  int h = static_cast<int>(in_day / 60);
  int mi = static_cast<int>(in_day % 60);
  if (y < kFirstYear) y = kFirstYear, mo = 1, d = 1, h = 0, mi = 0;

  // Each step either settles a field or moves a larger one on and resets the
  // smaller ones, so the walk is bounded by years x months x a few.
  while (true) {
    if (y > kLastYear) return std::nullopt;
    int yi = s.years.next(y - kFirstYear);
    if (yi < 0 || yi + kFirstYear > kLastYear) return std::nullopt;
    if (yi + kFirstYear != y) y = yi + kFirstYear, mo = 1, d = 1, h = 0, mi = 0;

    int m2 = mo <= 12 ? s.months.next(mo) : -1;
    if (m2 < 0 || m2 > 12) {
      ++y, mo = 1, d = 1, h = 0, mi = 0;
      continue;
    }
    if (m2 != mo) mo = m2, d = 1, h = 0, mi = 0;

    const uint32_t day_bits = s.days(y, static_cast<unsigned>(mo));
    const uint32_t later = d <= 31 ? day_bits & (~uint32_t{0} << d) : 0;
    if (!later) {
      ++mo, d = 1, h = 0, mi = 0;
      continue;
    }
    const int d2 = std::countr_zero(later);
    if (d2 != d) d = d2, h = 0, mi = 0;

    int h2 = h <= 23 ? s.hours.next(h) : -1;
    if (h2 < 0 || h2 > 23) {
      ++d, h = 0, mi = 0;
      continue;
    }
    if (h2 != h) h = h2, mi = 0;

    int m3 = mi <= 59 ? s.minutes.next(mi) : -1;
    if (m3 < 0 || m3 > 59) {
      ++h, mi = 0;
      continue;
    }
    return WallMinutes{
        std::chrono::local_days{year{y} / month{static_cast<unsigned>(mo)} / day{static_cast<unsigned>(d)}}
            .time_since_epoch() +
        std::chrono::hours{h} + std::chrono::minutes{m3}};
  }
}

bool Cron::matches(WallMinutes t) const {
  auto next = next_at_or_after(t);
  return next && *next == t;
}

}  // namespace nimbus::schedules
