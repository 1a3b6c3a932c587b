// EventBridge Scheduler's readers facing input (src/scheduler_api,
// src/timetable, src/schedules): the first byte picks one.
//   0: a CreateSchedule body (JSON) -> read_schedule_request; an accepted one
//      must compile (timetable::compile), its next fires must come out in
//      order and agree with latest_not_after, each fire's flexible time must
//      stay in its window and before the next due time, and its first fire's
//      delivery must render (context attributes, default notification, a
//      bus's event, read as JSON once its attempt number is filled);
//   1: "EXPRESSION\nZONE" -> schedules::parse (Scheduler's dialect) and
//      TimeZone::find, then the same checks on its fire times;
//   2: a target ARN -> timetable::target_kind.
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "scheduler_api/schedule_request.h"
#include "schedules/expression.h"
#include "timetable/invocation.h"
#include "timetable/schedule_timer.h"
#include "timetable/store.h"

using namespace nimbus;

namespace {

constexpr int64_t kNow = 1796212800000;  // 2026-12-02T12:00:00Z, as the other targets' seeds

schedules::Time at(int64_t ms) { return schedules::Time{std::chrono::milliseconds(ms)}; }
int64_t ms(schedules::Time t) { return t.time_since_epoch().count(); }

void check_fires(const timetable::CompiledSchedule& c) {
  auto fires = schedules::upcoming(*c.expression, at(kNow - 1), 4, c.evaluation);
  for (size_t i = 0; i < fires.size(); ++i) {
    if (i > 0 && fires[i] <= fires[i - 1]) std::abort();
    if (ms(fires[i]) <= kNow - 1) std::abort();
    // Down since just before the first: the latest missed is this one.
    auto latest = schedules::latest_not_after(*c.expression, at(kNow - 1), fires[i], c.evaluation);
    if (!latest || *latest != fires[i]) std::abort();
    int64_t due = ms(fires[i]);
    int64_t fire = timetable::ScheduleTimer::fire_time(c, due);
    if (fire < due || fire >= due + int64_t{c.schedule.flexible_window_minutes} * 60000 + (c.schedule.flexible_window_minutes ? 0 : 1))
      std::abort();
    if (i + 1 < fires.size() && fire >= ms(fires[i + 1])) std::abort();
  }
}

void read_request(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return;
  scheduler_api::Request r;
  r.operation = "CreateSchedule";
  r.body = v.as_object();
  if (const auto* name = r.body.if_contains("Name"); name && name->is_string())
    r.path["Name"] = std::string(name->as_string());
  auto req = scheduler_api::read_schedule_request(r, kNow);
  if (!req) return;
  timetable::Schedule& s = req->schedule;
  s.arn = "arn:aws:scheduler:us-east-1:000000000000:schedule/" + s.group + "/" + s.name;
  auto c = timetable::compile(s);
  if (!c) std::abort();  // accepted means it compiles
  check_fires(*c);
  buses::Delivery d = timetable::delivery_for(s, kNow, "us-east-1");
  if (d.body.empty() || d.dead_letter_attributes.size() != 3) std::abort();
  if (timetable::target_kind(s.target.arn) == timetable::TargetKind::kBus) {
    std::string body = d.body;
    if (!d.attempt_marker.empty())
      for (size_t p = body.find(d.attempt_marker); p != std::string::npos; p = body.find(d.attempt_marker))
        body = body.substr(0, p) + "1" + body.substr(p + d.attempt_marker.size());
    // Not JSON only when a filled placeholder stands unquoted where a value goes: the router refuses it then.
    (void)boost::json::parse(body, ec);
  }
}

void read_expression(std::string_view text) {
  auto nl = text.find('\n');
  std::string_view expression = text.substr(0, nl);
  std::string_view zone = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  timetable::Schedule s;
  s.name = s.group = "f";
  s.expression = std::string(expression);
  s.time_zone = std::string(zone);
  s.modified_ms = kNow;
  s.flexible_window_minutes = static_cast<int>(expression.size() % 3 == 0 ? expression.size() % 1441 : 0);
  s.arn = "arn:aws:scheduler:us-east-1:000000000000:schedule/f/f";
  auto c = timetable::compile(s);
  if (!c) return;
  check_fires(*c);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 4096) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: read_request(text); break;
    case 1: read_expression(text); break;
    case 2: (void)timetable::target_kind(text); break;
  }
  return 0;
}
