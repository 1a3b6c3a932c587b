#include "gateway/usage.h"

#include <ctime>

namespace nimbus::gateway {

namespace {

constexpr int64_t kKeptDays = 400;

}  // namespace

int64_t day_of(int64_t ms) { return ms / 86400000; }

int64_t period_of(const std::string& period, int64_t day) {
  if (period == "WEEK") return (day + 3) / 7;  // 1970-01-01 was a Thursday: weeks start on Mondays
  if (period == "MONTH") {
    std::time_t t = static_cast<std::time_t>(day * 86400);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return static_cast<int64_t>(tm.tm_year) * 12 + tm.tm_mon;
  }
  return day;
}

int64_t UsageCounters::used_to(const Counts& c, const Quota& q, int64_t day) {
  int64_t period = period_of(q.period, day), used = 0;
  // A period is at most 31 days: walk back through the ones it holds.
  for (int64_t d = day; d > day - 32 && period_of(q.period, d) == period; --d)
    if (auto it = c.days.find(d); it != c.days.end()) used += it->second;
  if (auto it = c.extra.find({q.period, period}); it != c.extra.end()) used += it->second;
  return used;
}

bool UsageCounters::admit(const std::string& plan, const std::string& key, const std::optional<Quota>& quota,
                          int64_t day) {
  std::lock_guard lock(mu_);
  Counts& c = counts_[plan + "/" + key];
  if (quota && used_to(c, *quota, day) >= quota->limit) return false;
  ++c.days[day];
  while (!c.days.empty() && c.days.begin()->first < day - kKeptDays) c.days.erase(c.days.begin());
  return true;
}

std::vector<std::pair<int64_t, int64_t>> UsageCounters::daily(const std::string& plan, const std::string& key,
                                                              const std::optional<Quota>& quota, int64_t from,
                                                              int64_t to) const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<int64_t, int64_t>> out;
  static const Counts kNone;
  auto it = counts_.find(plan + "/" + key);
  const Counts& c = it == counts_.end() ? kNone : it->second;
  for (int64_t d = from; d <= to; ++d) {
    auto at = c.days.find(d);
    int64_t used = at == c.days.end() ? 0 : at->second;
    int64_t left = quota ? std::max<int64_t>(0, quota->limit - used_to(c, *quota, d)) : 0;
    out.emplace_back(used, left);
  }
  return out;
}

void UsageCounters::set_remaining(const std::string& plan, const std::string& key, const Quota& quota,
                                  int64_t remaining, int64_t day) {
  std::lock_guard lock(mu_);
  Counts& c = counts_[plan + "/" + key];
  std::pair<std::string, int64_t> period{quota.period, period_of(quota.period, day)};
  c.extra.erase(period);
  c.extra[period] = quota.limit - remaining - used_to(c, quota, day);
  // Extensions of periods long gone are dropped with the days.
  while (!c.extra.empty() && c.extra.size() > 64) c.extra.erase(c.extra.begin());
}

}  // namespace nimbus::gateway
