#include "timetable/store.h"

#include <boost/json.hpp>
#include <chrono>
#include <mutex>

#include "base/arn.h"
#include "base/sqlite.h"

namespace nimbus::timetable {

namespace json = boost::json;

namespace {

// Groups and schedules as JSON documents, one row each: a schedule and its
// target change together. `fired` is the timer's; `tokens` the requests'
// ClientTokens, written in the transaction of the change they made.
constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS groups (name TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS schedules (grp TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (grp, name));
CREATE TABLE IF NOT EXISTS fired (arn TEXT PRIMARY KEY, due_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (operation TEXT NOT NULL, token TEXT NOT NULL, arn TEXT NOT NULL,
                                   at_ms INTEGER NOT NULL, PRIMARY KEY (operation, token));
)";

// A ClientToken is answered again for a day; older ones are forgotten at open.
constexpr int64_t kTokenLifetimeMs = 24 * 3600 * 1000;

std::string str(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::optional<std::string> opt_str(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

int64_t num(const json::object& o, std::string_view k, int64_t otherwise = 0) {
  const json::value* v = o.if_contains(k);
  return v && v->is_int64() ? v->as_int64() : otherwise;
}

std::optional<int64_t> opt_num(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  if (!v || !v->is_int64()) return std::nullopt;
  return v->as_int64();
}

json::object to_json(const Group& g) {
  json::object tags;
  for (const auto& [k, v] : g.tags) tags[k] = v;
  return {{"name", g.name}, {"arn", g.arn}, {"tags", std::move(tags)}, {"created_ms", g.created_ms},
          {"modified_ms", g.modified_ms}};
}

Group group_of(const json::object& o) {
  Group g{str(o, "name"), str(o, "arn"), {}, num(o, "created_ms"), num(o, "modified_ms")};
  if (const json::value* t = o.if_contains("tags"); t && t->is_object())
    for (const auto& [k, v] : t->as_object())
      if (v.is_string()) g.tags[std::string(k)] = std::string(v.as_string());
  return g;
}

json::object to_json(const Schedule& s) {
  const Target& t = s.target;
  json::object target{{"arn", t.arn},
                      {"role_arn", t.role_arn},
                      {"retry_attempts", t.retry.maximum_retry_attempts},
                      {"retry_age", t.retry.maximum_event_age_seconds},
                      {"dead_letter_arn", t.dead_letter_arn}};
  if (t.input) target["input"] = *t.input;
  if (t.event) target["event"] = json::object{{"detail_type", t.event->detail_type}, {"source", t.event->source}};
  json::object o{{"name", s.name},
                 {"group", s.group},
                 {"arn", s.arn},
                 {"expression", s.expression},
                 {"time_zone", s.time_zone},
                 {"state", s.state},
                 {"flexible_window_minutes", s.flexible_window_minutes},
                 {"action_after_completion", s.action_after_completion},
                 {"target", std::move(target)},
                 {"created_ms", s.created_ms},
                 {"modified_ms", s.modified_ms}};
  if (s.start_ms) o["start_ms"] = *s.start_ms;
  if (s.end_ms) o["end_ms"] = *s.end_ms;
  if (s.description) o["description"] = *s.description;
  return o;
}

Schedule schedule_of(const json::object& o) {
  Schedule s;
  s.name = str(o, "name");
  s.group = str(o, "group");
  s.arn = str(o, "arn");
  s.expression = str(o, "expression");
  s.time_zone = str(o, "time_zone");
  s.start_ms = opt_num(o, "start_ms");
  s.end_ms = opt_num(o, "end_ms");
  s.state = str(o, "state");
  s.description = opt_str(o, "description");
  s.flexible_window_minutes = static_cast<int>(num(o, "flexible_window_minutes"));
  s.action_after_completion = str(o, "action_after_completion");
  s.created_ms = num(o, "created_ms");
  s.modified_ms = num(o, "modified_ms");
  if (const json::value* tv = o.if_contains("target"); tv && tv->is_object()) {
    const auto& t = tv->as_object();
    s.target.arn = str(t, "arn");
    s.target.role_arn = str(t, "role_arn");
    s.target.input = opt_str(t, "input");
    s.target.retry.maximum_retry_attempts = static_cast<int>(num(t, "retry_attempts", 185));
    s.target.retry.maximum_event_age_seconds = static_cast<int>(num(t, "retry_age", 86400));
    s.target.dead_letter_arn = str(t, "dead_letter_arn");
    if (const json::value* e = t.if_contains("event"); e && e->is_object())
      s.target.event = EventParameters{str(e->as_object(), "detail_type"), str(e->as_object(), "source")};
  }
  return s;
}

std::string key_of(const std::string& group, const std::string& name) { return group + "/" + name; }

base::Error not_found(std::string what) { return base::make_error(base::ErrorCode::kNotFound, std::move(what)); }

schedules::Time to_time(int64_t ms) { return schedules::Time{std::chrono::milliseconds(ms)}; }

}  // namespace

base::Result<CompiledSchedule> compile(Schedule s) {
  auto e = schedules::parse(s.expression, schedules::Dialect::kScheduler);
  if (!e) return base::make_error(base::ErrorCode::kInvalidArgument, "ScheduleExpression: " + e.error().message);
  schedules::TimeZone zone = schedules::TimeZone::utc();
  if (!s.time_zone.empty()) {
    auto z = schedules::TimeZone::find(s.time_zone);
    if (!z) return base::make_error(z.error().code, "ScheduleExpressionTimezone: " + z.error().message);
    zone = *z;
  }
  std::optional<schedules::Time> start, end;
  if (s.start_ms) start = to_time(*s.start_ms);
  if (s.end_ms) end = to_time(*s.end_ms);
  CompiledSchedule c;
  c.evaluation = schedules::for_schedule(zone, to_time(s.modified_ms), start, end);
  c.expression = std::make_shared<const schedules::Expression>(std::move(*e));
  c.schedule = std::move(s);
  return c;
}

struct Store::Impl {
  base::Connection db;  // used under write_mu only
  std::string region;
  const base::Clock* clock = nullptr;
  std::function<void()> listener;
  std::mutex write_mu;
  mutable std::mutex mu;
  std::map<std::string, Group> groups;                                      // by name
  std::map<std::string, std::shared_ptr<const CompiledSchedule>> schedules;  // by group/name
  std::map<std::string, int64_t> fired;                                     // schedule ARN -> due time

  void changed() {
    if (listener) listener();
  }

  // The ARN a ClientToken's request of `operation` answered; with write_mu held.
  std::optional<std::string> token_arn(const char* operation, const std::string& token) {
    if (token.empty()) return std::nullopt;
    auto st = db.prepare("SELECT arn FROM tokens WHERE operation = ? AND token = ?");
    st.bind(1, std::string(operation)).bind(2, token);
    if (!st.step()) return std::nullopt;
    return st.text(0);
  }

  base::Status remember(const char* operation, const std::string& token, const std::string& arn) {
    if (token.empty()) return {};
    return db.prepare("INSERT OR REPLACE INTO tokens VALUES (?, ?, ?, ?)")
        .bind(1, std::string(operation))
        .bind(2, token)
        .bind(3, arn)
        .bind(4, clock->now_ms())
        .run();
  }

  base::Status write_schedule(const Schedule& s) {
    return db.prepare("INSERT OR REPLACE INTO schedules VALUES (?, ?, ?)")
        .bind(1, s.group)
        .bind(2, s.name)
        .bind(3, json::serialize(to_json(s)))
        .run();
  }

  base::Status write_group(const Group& g) {
    return db.prepare("INSERT OR REPLACE INTO groups VALUES (?, ?)").bind(1, g.name).bind(2, json::serialize(to_json(g))).run();
  }

  // Both rows of a schedule go together: its fire record would make a schedule
  // made again under the name think it had fired already.
  base::Status erase_schedule(const std::string& group, const std::string& name, const std::string& arn) {
    if (auto s = db.prepare("DELETE FROM schedules WHERE grp = ? AND name = ?").bind(1, group).bind(2, name).run(); !s)
      return s;
    return db.prepare("DELETE FROM fired WHERE arn = ?").bind(1, arn).run();
  }

  std::optional<Schedule> find(const std::string& group, const std::string& name) const {
    std::lock_guard l(mu);
    auto it = schedules.find(key_of(group, name));
    if (it == schedules.end()) return std::nullopt;
    return it->second->schedule;
  }
};

base::Result<std::unique_ptr<Store>> Store::open(const std::string& path, const std::string& region,
                                                 const base::Clock& clock) {
  auto db = base::Connection::open(path, false);
  if (!db) return db.error();
  if (auto s = db->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"); !s) return s.error();
  if (auto s = db->exec(kSchema); !s) return s.error();
  auto impl = std::make_unique<Impl>();
  impl->db = std::move(*db);
  impl->region = region;
  impl->clock = &clock;
  try {
    auto groups = impl->db.prepare("SELECT doc FROM groups");
    while (groups.step()) {
      boost::system::error_code ec;
      auto v = json::parse(groups.text(0), ec);
      if (ec || !v.is_object()) continue;
      Group g = group_of(v.as_object());
      impl->groups[g.name] = std::move(g);
    }
    auto schedules = impl->db.prepare("SELECT doc FROM schedules");
    while (schedules.step()) {
      boost::system::error_code ec;
      auto v = json::parse(schedules.text(0), ec);
      if (ec || !v.is_object()) continue;
      Schedule s = schedule_of(v.as_object());
      std::string key = key_of(s.group, s.name);
      // Every stored schedule compiled when it was written; one that no longer
      // does (a time zone gone from the OS database) is kept, but never fires.
      auto c = compile(s);
      if (c) impl->schedules[key] = std::make_shared<const CompiledSchedule>(std::move(*c));
      else impl->schedules[key] = std::make_shared<const CompiledSchedule>(CompiledSchedule{std::move(s), nullptr, {}});
    }
    auto fired = impl->db.prepare("SELECT arn, due_ms FROM fired");
    while (fired.step()) impl->fired[fired.text(0)] = fired.integer(1);
  } catch (const std::exception& e) {
    return base::make_error(base::ErrorCode::kIo, std::string("reading ") + path + ": " + e.what());
  }
  if (auto s = impl->db.prepare("DELETE FROM tokens WHERE at_ms < ?").bind(1, clock.now_ms() - kTokenLifetimeMs).run();
      !s)
    return s.error();
  std::unique_ptr<Store> store(new Store(std::move(impl)));
  if (!store->group(kDefaultGroup)) {
    Group g;
    g.name = kDefaultGroup;
    g.created_ms = g.modified_ms = clock.now_ms();
    auto made = store->create_group(std::move(g));
    if (!made) return made.error();
  }
  return store;
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

const std::string& Store::region() const { return impl_->region; }

std::string Store::group_arn(const std::string& name) const {
  return base::make_arn("scheduler", impl_->region, "schedule-group/" + name);
}

std::string Store::schedule_arn(const std::string& group, const std::string& name) const {
  return base::make_arn("scheduler", impl_->region, "schedule/" + group + "/" + name);
}

base::Result<Group> Store::create_group(Group g, const std::string& token) {
  std::lock_guard w(impl_->write_mu);
  g.arn = group_arn(g.name);
  if (auto existing = group(g.name)) {
    if (impl_->token_arn("CreateScheduleGroup", token) == g.arn) return *existing;
    return base::make_error(base::ErrorCode::kAlreadyExists, "Schedule group " + g.name + " already exists.");
  }
  if (groups().size() >= kMaxGroups)
    return base::make_error(base::ErrorCode::kTooLarge,
                            "This account already has " + std::to_string(kMaxGroups) + " schedule groups, its quota.");
  auto done = base::in_transaction(impl_->db, [&]() -> base::Status {
    if (auto s = impl_->write_group(g); !s) return s;
    return impl_->remember("CreateScheduleGroup", token, g.arn);
  });
  if (!done) return done.error();
  {
    std::lock_guard l(impl_->mu);
    impl_->groups[g.name] = g;
  }
  impl_->changed();
  return g;
}

base::Status Store::delete_group(const std::string& name, const std::string& token) {
  if (name == kDefaultGroup)
    return base::make_error(base::ErrorCode::kInvalidArgument, "The default schedule group cannot be deleted.");
  std::lock_guard w(impl_->write_mu);
  std::string arn = group_arn(name);
  std::vector<std::shared_ptr<const CompiledSchedule>> doomed;
  if (!group(name)) {
    if (impl_->token_arn("DeleteScheduleGroup", token) == arn) return {};
    return not_found("Schedule group " + name + " does not exist.");
  }
  {
    std::lock_guard l(impl_->mu);
    for (const auto& [_, c] : impl_->schedules)
      if (c->schedule.group == name) doomed.push_back(c);
  }
  // The group goes with its schedules, in one transaction (AWS deletes them too).
  auto done = base::in_transaction(impl_->db, [&]() -> base::Status {
    for (const auto& c : doomed)
      if (auto s = impl_->erase_schedule(c->schedule.group, c->schedule.name, c->schedule.arn); !s) return s;
    if (auto s = impl_->db.prepare("DELETE FROM groups WHERE name = ?").bind(1, name).run(); !s) return s;
    return impl_->remember("DeleteScheduleGroup", token, arn);
  });
  if (!done) return done;
  {
    std::lock_guard l(impl_->mu);
    for (const auto& c : doomed) {
      impl_->schedules.erase(key_of(c->schedule.group, c->schedule.name));
      impl_->fired.erase(c->schedule.arn);
    }
    impl_->groups.erase(name);
  }
  impl_->changed();
  return {};
}

std::optional<Group> Store::group(const std::string& name) const {
  std::lock_guard l(impl_->mu);
  auto it = impl_->groups.find(name);
  if (it == impl_->groups.end()) return std::nullopt;
  return it->second;
}

std::vector<Group> Store::groups() const {
  std::lock_guard l(impl_->mu);
  std::vector<Group> out;
  for (const auto& [_, g] : impl_->groups) out.push_back(g);
  return out;
}

base::Result<Schedule> Store::create_schedule(Schedule s, const std::string& token) {
  std::lock_guard w(impl_->write_mu);
  s.arn = schedule_arn(s.group, s.name);
  std::string key = key_of(s.group, s.name);
  if (!group(s.group)) return not_found("Schedule group " + s.group + " does not exist.");
  if (auto existing = impl_->find(s.group, s.name)) {
    if (impl_->token_arn("CreateSchedule", token) == s.arn) return *existing;
    return base::make_error(base::ErrorCode::kAlreadyExists, "Schedule " + s.name + " already exists.");
  }
  {
    std::lock_guard l(impl_->mu);
    if (impl_->schedules.size() >= kMaxSchedules)
      return base::make_error(base::ErrorCode::kTooLarge,
                              "This account already has " + std::to_string(kMaxSchedules) + " schedules, its quota.");
  }
  auto compiled = compile(s);
  if (!compiled) return compiled.error();
  auto done = base::in_transaction(impl_->db, [&]() -> base::Status {
    if (auto st = impl_->write_schedule(s); !st) return st;
    return impl_->remember("CreateSchedule", token, s.arn);
  });
  if (!done) return done.error();
  {
    std::lock_guard l(impl_->mu);
    impl_->schedules[key] = std::make_shared<const CompiledSchedule>(std::move(*compiled));
  }
  impl_->changed();
  return s;
}

base::Result<Schedule> Store::update_schedule(Schedule s, const std::string& token) {
  std::lock_guard w(impl_->write_mu);
  s.arn = schedule_arn(s.group, s.name);
  std::string key = key_of(s.group, s.name);
  auto existing = impl_->find(s.group, s.name);
  if (!existing) return not_found("Schedule " + s.name + " does not exist.");
  // A retried update that already took effect is not applied again over a later one.
  if (impl_->token_arn("UpdateSchedule", token) == s.arn) return *existing;
  s.created_ms = existing->created_ms;
  auto compiled = compile(s);
  if (!compiled) return compiled.error();
  auto done = base::in_transaction(impl_->db, [&]() -> base::Status {
    if (auto st = impl_->write_schedule(s); !st) return st;
    return impl_->remember("UpdateSchedule", token, s.arn);
  });
  if (!done) return done.error();
  {
    std::lock_guard l(impl_->mu);
    impl_->schedules[key] = std::make_shared<const CompiledSchedule>(std::move(*compiled));
  }
  impl_->changed();
  return s;
}

base::Status Store::delete_schedule(const std::string& group, const std::string& name, const std::string& token) {
  std::lock_guard w(impl_->write_mu);
  std::string arn = schedule_arn(group, name);
  if (!impl_->find(group, name)) {
    if (impl_->token_arn("DeleteSchedule", token) == arn) return {};
    return not_found("Schedule " + name + " does not exist.");
  }
  auto done = base::in_transaction(impl_->db, [&]() -> base::Status {
    if (auto s = impl_->erase_schedule(group, name, arn); !s) return s;
    return impl_->remember("DeleteSchedule", token, arn);
  });
  if (!done) return done;
  {
    std::lock_guard l(impl_->mu);
    impl_->schedules.erase(key_of(group, name));
    impl_->fired.erase(arn);
  }
  impl_->changed();
  return {};
}

base::Status Store::delete_completed(const std::string& group, const std::string& name, int64_t modified_ms) {
  std::lock_guard w(impl_->write_mu);
  auto current = impl_->find(group, name);
  if (!current || current->modified_ms != modified_ms) return {};  // gone, or changed since: not this one to delete
  auto done = base::in_transaction(impl_->db, [&] { return impl_->erase_schedule(group, name, current->arn); });
  if (!done) return done;
  {
    std::lock_guard l(impl_->mu);
    impl_->schedules.erase(key_of(group, name));
    impl_->fired.erase(current->arn);
  }
  impl_->changed();
  return {};
}

std::optional<Schedule> Store::schedule(const std::string& group, const std::string& name) const {
  return impl_->find(group, name);
}

std::vector<Schedule> Store::schedules() const {
  std::lock_guard l(impl_->mu);
  std::vector<Schedule> out;
  out.reserve(impl_->schedules.size());
  for (const auto& [_, c] : impl_->schedules) out.push_back(c->schedule);
  return out;
}

std::vector<std::shared_ptr<const CompiledSchedule>> Store::enabled() const {
  std::lock_guard l(impl_->mu);
  std::vector<std::shared_ptr<const CompiledSchedule>> out;
  for (const auto& [_, c] : impl_->schedules)
    if (c->schedule.enabled() && c->expression) out.push_back(c);
  return out;
}

std::optional<int64_t> Store::last_fired(const std::string& schedule_arn) const {
  std::lock_guard l(impl_->mu);
  auto it = impl_->fired.find(schedule_arn);
  if (it == impl_->fired.end()) return std::nullopt;
  return it->second;
}

base::Status Store::set_last_fired(const std::string& schedule_arn, int64_t due_ms) {
  std::lock_guard w(impl_->write_mu);
  {
    // A schedule deleted meanwhile keeps no record. Its key is the ARN's "GROUP/NAME".
    constexpr std::string_view kMarker = ":schedule/";
    auto at = schedule_arn.find(kMarker);
    std::lock_guard l(impl_->mu);
    if (at == std::string::npos || !impl_->schedules.count(schedule_arn.substr(at + kMarker.size()))) return {};
  }
  auto done = base::in_transaction(impl_->db, [&] {
    return impl_->db.prepare("INSERT OR REPLACE INTO fired VALUES (?, ?)").bind(1, schedule_arn).bind(2, due_ms).run();
  });
  if (!done) return done;
  std::lock_guard l(impl_->mu);
  impl_->fired[schedule_arn] = due_ms;
  return {};
}

void Store::on_change(std::function<void()> listener) { impl_->listener = std::move(listener); }

base::Status Store::set_tags(const std::string& group_arn, std::map<std::string, std::string> tags) {
  std::lock_guard w(impl_->write_mu);
  std::optional<Group> g;
  {
    std::lock_guard l(impl_->mu);
    for (const auto& [_, x] : impl_->groups)
      if (x.arn == group_arn) g = x;
  }
  if (!g) return not_found("Resource " + group_arn + " does not exist.");
  g->tags = std::move(tags);
  if (auto s = base::in_transaction(impl_->db, [&] { return impl_->write_group(*g); }); !s) return s;
  std::lock_guard l(impl_->mu);
  impl_->groups[g->name] = std::move(*g);
  return {};
}

base::Result<std::map<std::string, std::string>> Store::tags(const std::string& group_arn) const {
  std::lock_guard l(impl_->mu);
  for (const auto& [_, g] : impl_->groups)
    if (g.arn == group_arn) return g.tags;
  return not_found("Resource " + group_arn + " does not exist.");
}

}  // namespace nimbus::timetable
