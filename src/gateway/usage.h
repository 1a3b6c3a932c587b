// REST APIs' usage plans at run time: how many requests each API key made
// under each plan, per UTC day, and what is left of the plan's quota in its
// current period (DAY, WEEK from Monday, MONTH; UTC). execute_api counts and
// refuses as it admits requests; the management API reports the counts
// (GetUsage) and grants extensions (UpdateUsage's /remaining). Kept in
// memory, as the plans' token buckets are: a restart starts from zero. Days
// older than 400 are forgotten.
// THREADING RULE: thread-safe (one mutex, held for a few map operations).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nimbus::gateway {

struct Quota {
  int64_t limit = 0;
  std::string period = "DAY";  // DAY, WEEK or MONTH
};

// Days since the Unix epoch (UTC) of a time in milliseconds.
int64_t day_of(int64_t ms);
// A number naming the quota period that holds `day`.
int64_t period_of(const std::string& period, int64_t day);

class UsageCounters {
 public:
  // Counts one request of `key` under `plan` on `day`. With a quota, nothing
  // is counted and false comes back when the period's quota is spent.
  bool admit(const std::string& plan, const std::string& key, const std::optional<Quota>& quota, int64_t day);

  // GetUsage's daily log from `from` to `to` (days): [used that day, the
  // quota left at its end] (0 left without a quota).
  std::vector<std::pair<int64_t, int64_t>> daily(const std::string& plan, const std::string& key,
                                                 const std::optional<Quota>& quota, int64_t from, int64_t to) const;

  // UpdateUsage: what is left of the current period's quota becomes `remaining`
  // (more than the limit is a temporary extension, as on AWS).
  void set_remaining(const std::string& plan, const std::string& key, const Quota& quota, int64_t remaining,
                     int64_t day);

 private:
  struct Counts {
    std::map<int64_t, int64_t> days;                           // day -> requests
    std::map<std::pair<std::string, int64_t>, int64_t> extra;  // (period kind, period) -> used added (< 0: extended)
  };
  // Requests counted in `day`'s period up to and including `day`, adjustments included.
  static int64_t used_to(const Counts& c, const Quota& q, int64_t day);

  mutable std::mutex mu_;
  std::map<std::string, Counts> counts_;  // "plan/key"
};

}  // namespace nimbus::gateway
