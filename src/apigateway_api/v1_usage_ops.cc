// GetUsage and UpdateUsage: usage plans' counts as execute_api keeps them
// (gateway/usage.h), in AWS's shape {"usagePlanId", "startDate", "endDate",
// "values": {keyId: [[used, remaining], ... one per day]}, "position"}.
#include <boost/json/value.hpp>

#include "apigateway_api/v1.h"
#include "base/time.h"
#include "gateway/usage.h"

namespace nimbus::apigateway_api::v1 {

using boost::asio::awaitable;

namespace {

constexpr int64_t kMaxDays = 366;

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::string date_of(int64_t day) {
  return base::iso8601(day * 86400000).substr(0, 10);
}

// "2016-01-31" as a day, or none.
std::optional<int64_t> parse_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return std::nullopt;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (m == 2 && d == 29 && !leap) return std::nullopt;
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::optional<gateway::Quota> quota_of(const Doc& plan) {
  const auto* q = plan.if_contains("quota");
  if (!q || !q->is_object()) return std::nullopt;
  const auto& o = q->as_object();
  gateway::Quota out;
  if (const auto* l = o.if_contains("limit"); l && l->is_number()) out.limit = l->to_number<int64_t>();
  if (const auto* p = o.if_contains("period"); p && p->is_string()) out.period = p->as_string();
  return out;
}

json::array log_of(const gateway::UsageCounters* usage, const std::string& plan, const std::string& key,
                   const std::optional<gateway::Quota>& quota, int64_t from, int64_t to) {
  json::array days;
  if (usage) {
    for (const auto& [used, left] : usage->daily(plan, key, quota, from, to)) days.push_back(json::array{used, left});
  } else {
    for (int64_t d = from; d <= to; ++d) days.push_back(json::array{0, quota ? quota->limit : 0});
  }
  return days;
}

}  // namespace

awaitable<http::Response> get_usage(Deps& d, Call& call) {
  auto snap = d.docs.snapshot();
  std::string plan_id = call.path_param("usageplanId");
  auto plan = find_in(*snap, "", kUsagePlan, plan_id, "Usage Plan ID");
  if (!plan) co_return call.fail(plan.error());
  std::string start_text = call.query_param("startDate"), end_text = call.query_param("endDate");
  if (start_text.empty() || end_text.empty())
    co_return call.fail(bad_request("Invalid input: startDate and endDate are required (e.g. 2016-01-01)"));
  auto start = parse_date(start_text), end = parse_date(end_text);
  if (!start) co_return call.fail(bad_request("Invalid startDate " + start_text + " (YYYY-MM-DD)"));
  if (!end) co_return call.fail(bad_request("Invalid endDate " + end_text + " (YYYY-MM-DD)"));
  if (*end < *start) co_return call.fail(bad_request("The endDate must not be before the startDate"));
  if (*end - *start >= kMaxDays)
    co_return call.fail(bad_request("nimbus keeps usage for " + std::to_string(kMaxDays) +
                                    " days at most: ask for a shorter interval"));
  // The plan's keys (or the one asked for), a page of them at a time.
  std::string only = call.query_param("keyId");
  json::array keys;
  for (const auto& [pk, doc] : snap->list("", kUsagePlanKey)) {
    if (pk.rfind(plan_id + "/", 0) != 0) continue;
    std::string key = pk.substr(plan_id.size() + 1);
    if (only.empty() || key == only) keys.push_back(json::string(key));
  }
  auto page = page_of(call, std::move(keys), Paging::kV1);
  if (!page) co_return call.fail(page.error());
  auto quota = quota_of(**plan);
  json::object values;
  for (const auto& k : (*page)["item"].as_array()) {
    std::string key(k.as_string());
    values[key] = log_of(d.options.usage, plan_id, key, quota, *start, *end);
  }
  json::object out{{"usagePlanId", plan_id}, {"startDate", start_text}, {"endDate", end_text},
                   {"values", std::move(values)}};
  if (const auto* pos = page->if_contains("position")) out["position"] = *pos;
  co_return call.reply(200, out);
}

awaitable<http::Response> update_usage(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  auto ops = patch_ops(*in);
  if (!ops) co_return call.fail(ops.error());
  auto snap = d.docs.snapshot();
  std::string plan_id = call.path_param("usageplanId"), key = call.path_param("keyId");
  auto plan = find_in(*snap, "", kUsagePlan, plan_id, "Usage Plan ID");
  if (!plan) co_return call.fail(plan.error());
  if (!snap->find("", kUsagePlanKey, plan_id + "/" + key))
    co_return call.fail(not_found("Invalid API Key identifier specified: " + key + " is not in usage plan " + plan_id));
  auto quota = quota_of(**plan);
  if (!quota) co_return call.fail(bad_request("Usage plan " + plan_id + " has no quota to extend"));
  std::optional<int64_t> remaining;
  for (const auto& op : *ops) {
    if (op.op != "replace" || op.path != "/remaining") co_return call.fail(unsupported_patch(op, "usage"));
    try {
      size_t used = 0;
      remaining = std::stoll(op.value, &used);
      if (used != op.value.size() || *remaining < 0) throw std::invalid_argument("not a count");
    } catch (const std::exception&) {
      co_return call.fail(bad_request("Invalid remaining quota " + op.value + ": a whole number >= 0"));
    }
  }
  if (!d.options.usage)
    co_return call.fail(base::make_error(base::ErrorCode::kNotImplemented,
                                         "nimbus does not keep usage counts in this server"));
  int64_t today = gateway::day_of(base::now_ms());
  if (remaining) d.options.usage->set_remaining(plan_id, key, *quota, *remaining, today);
  json::object values{{key, log_of(d.options.usage, plan_id, key, quota, today, today)}};
  co_return call.reply(200, json::object{{"usagePlanId", plan_id}, {"startDate", date_of(today)},
                                         {"endDate", date_of(today)}, {"values", std::move(values)}});
}

}  // namespace nimbus::apigateway_api::v1
