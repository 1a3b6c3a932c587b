#include "buses/store.h"

#include <boost/json.hpp>
#include <map>
#include <mutex>

#include "base/arn.h"
#include "base/sqlite.h"
#include "base/time.h"

namespace nimbus::buses {

namespace json = boost::json;

namespace {

// Buses and rules as JSON documents keyed (kind, key): a rule and its
// targets change together, in one row, so a crash never splits them.
constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS documents (kind TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (kind, key));
CREATE TABLE IF NOT EXISTS fired (rule_arn TEXT PRIMARY KEY, due_ms INTEGER NOT NULL);
)";

json::object tags_json(const std::map<std::string, std::string>& m) {
  json::object o;
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

std::string str(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

int64_t num(const json::object& o, std::string_view k, int64_t otherwise = 0) {
  const json::value* v = o.if_contains(k);
  return v && v->is_int64() ? v->as_int64() : otherwise;
}

std::map<std::string, std::string> tags_of(const json::object& o) {
  std::map<std::string, std::string> m;
  if (const json::value* t = o.if_contains("tags"); t && t->is_object())
    for (const auto& [k, v] : t->as_object())
      if (v.is_string()) m[std::string(k)] = std::string(v.as_string());
  return m;
}

json::object to_json(const Bus& b) {
  return {{"name", b.name},       {"arn", b.arn},         {"description", b.description},
          {"tags", tags_json(b.tags)}, {"created_ms", b.created_ms}, {"modified_ms", b.modified_ms}};
}

Bus bus_of(const json::object& o) {
  return {str(o, "name"), str(o, "arn"), str(o, "description"), tags_of(o), num(o, "created_ms"), num(o, "modified_ms")};
}

json::object to_json(const TargetInput& in) {
  json::object o;
  if (in.input) o["input"] = *in.input;
  if (in.input_path) o["input_path"] = *in.input_path;
  if (in.transformer) {
    json::array paths;
    for (const auto& [k, v] : in.transformer->paths) paths.push_back(json::array{json::string(k), json::string(v)});
    o["transformer"] = json::object{{"paths", std::move(paths)}, {"template", in.transformer->input_template}};
  }
  return o;
}

TargetInput input_of(const json::object& o) {
  TargetInput in;
  if (o.contains("input")) in.input = str(o, "input");
  if (o.contains("input_path")) in.input_path = str(o, "input_path");
  if (const json::value* t = o.if_contains("transformer"); t && t->is_object()) {
    InputTransformer tr;
    tr.input_template = str(t->as_object(), "template");
    if (const json::value* p = t->as_object().if_contains("paths"); p && p->is_array())
      for (const auto& e : p->as_array())
        if (e.is_array() && e.as_array().size() == 2 && e.as_array()[0].is_string() && e.as_array()[1].is_string())
          tr.paths.emplace_back(std::string(e.as_array()[0].as_string()), std::string(e.as_array()[1].as_string()));
    in.transformer = std::move(tr);
  }
  return in;
}

json::object to_json(const Rule& r) {
  json::array targets;
  for (const auto& t : r.targets)
    targets.push_back(json::object{{"id", t.id},
                                   {"arn", t.arn},
                                   {"role_arn", t.role_arn},
                                   {"input", to_json(t.input)},
                                   {"retry_attempts", t.retry.maximum_retry_attempts},
                                   {"retry_age", t.retry.maximum_event_age_seconds},
                                   {"retry_given", t.retry_given},
                                   {"dead_letter_arn", t.dead_letter_arn}});
  return {{"name", r.name},
          {"bus", r.bus},
          {"arn", r.arn},
          {"event_pattern", r.event_pattern},
          {"schedule_expression", r.schedule_expression},
          {"state", r.state},
          {"description", r.description},
          {"role_arn", r.role_arn},
          {"tags", tags_json(r.tags)},
          {"targets", std::move(targets)},
          {"created_ms", r.created_ms}};
}

Rule rule_of(const json::object& o) {
  Rule r;
  r.name = str(o, "name");
  r.bus = str(o, "bus");
  r.arn = str(o, "arn");
  r.event_pattern = str(o, "event_pattern");
  r.schedule_expression = str(o, "schedule_expression");
  r.state = str(o, "state");
  r.description = str(o, "description");
  r.role_arn = str(o, "role_arn");
  r.tags = tags_of(o);
  r.created_ms = num(o, "created_ms");
  if (const json::value* ts = o.if_contains("targets"); ts && ts->is_array()) {
    for (const auto& e : ts->as_array()) {
      if (!e.is_object()) continue;
      const auto& t = e.as_object();
      Target target;
      target.id = str(t, "id");
      target.arn = str(t, "arn");
      target.role_arn = str(t, "role_arn");
      if (const json::value* in = t.if_contains("input"); in && in->is_object()) target.input = input_of(in->as_object());
      target.retry.maximum_retry_attempts = static_cast<int>(num(t, "retry_attempts", 185));
      target.retry.maximum_event_age_seconds = static_cast<int>(num(t, "retry_age", 86400));
      target.dead_letter_arn = str(t, "dead_letter_arn");
      if (const json::value* g = t.if_contains("retry_given"); g && g->is_bool()) target.retry_given = g->as_bool();
      r.targets.push_back(std::move(target));
    }
  }
  return r;
}

std::string rule_key(const std::string& bus, const std::string& name) { return bus + "/" + name; }

base::Error not_found(std::string what) { return base::make_error(base::ErrorCode::kNotFound, std::move(what)); }

}  // namespace

base::Result<patterns::FilterPolicy> parse_event_pattern(const std::string& text) {
  auto p = patterns::FilterPolicy::parse(text, patterns::Scope::kMessageBody, patterns::Grammar::eventbridge());
  if (!p) {
    base::Error e = p.error();
    e.reason = "InvalidEventPatternException";
    return e;
  }
  return p;
}

base::Result<schedules::Expression> parse_rule_schedule(const std::string& text) {
  auto e = schedules::parse(text, schedules::Dialect::kRule);
  if (!e) {
    base::Error err = base::make_error(base::ErrorCode::kInvalidArgument,
                                       "Parameter ScheduleExpression is not valid: " + e.error().message);
    err.reason = "ValidationException";
    return err;
  }
  return e;
}

struct Store::Impl {
  base::Connection db;
  std::function<void()> listener;
  std::map<std::string, int64_t> fired;  // rule ARN -> the due time it last fired at
  std::string region;
  std::mutex write_mu;
  mutable std::mutex mu;
  std::map<std::string, Bus> buses;                                  // by name
  std::map<std::string, std::shared_ptr<const CompiledRule>> rules;  // by bus/name

  void changed() {
    if (listener) listener();
  }

  base::Status write(const char* kind, const std::string& key, const json::object& doc) {
    return base::in_transaction(db, [&] {
      return db.prepare("INSERT OR REPLACE INTO documents VALUES (?, ?, ?)")
          .bind(1, std::string(kind))
          .bind(2, key)
          .bind(3, json::serialize(doc))
          .run();
    });
  }

  static std::shared_ptr<const CompiledRule> compile(Rule r) {
    auto c = std::make_shared<CompiledRule>();
    if (!r.event_pattern.empty()) {
      auto p = parse_event_pattern(r.event_pattern);
      if (p) c->pattern = std::make_shared<const patterns::FilterPolicy>(std::move(*p));
    }
    for (const auto& t : r.targets) c->inputs.emplace_back(t.input);
    if (!r.schedule_expression.empty()) {
      auto e = parse_rule_schedule(r.schedule_expression);
      if (e) c->schedule = std::make_shared<const schedules::Expression>(std::move(*e));
    }
    c->rule = std::move(r);
    return c;
  }

  // Read, change, write, publish: every update of one rule.
  template <typename Change>
  base::Status update_rule(const std::string& bus, const std::string& name, Change change) {
    std::lock_guard w(write_mu);
    std::optional<Rule> r;
    {
      std::lock_guard l(mu);
      auto it = rules.find(rule_key(bus, name));
      if (it != rules.end()) r = it->second->rule;
    }
    if (!r) return not_found("Rule " + name + " does not exist on EventBus " + bus + ".");
    if (auto s = change(*r); !s) return s;
    if (auto s = write("rule", rule_key(bus, name), to_json(*r)); !s) return s;
    auto compiled = compile(std::move(*r));
    {
      std::lock_guard l(mu);
      rules[rule_key(bus, name)] = std::move(compiled);
    }
    changed();
    return {};
  }
};

base::Result<std::unique_ptr<Store>> Store::open(const std::string& path, const std::string& region) {
  auto db = base::Connection::open(path, false);
  if (!db) return db.error();
  if (auto s = db->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"); !s) return s.error();
  if (auto s = db->exec(kSchema); !s) return s.error();
  auto impl = std::make_unique<Impl>();
  impl->db = std::move(*db);
  impl->region = region;
  try {
    auto st = impl->db.prepare("SELECT kind, doc FROM documents");
    while (st.step()) {
      boost::system::error_code ec;
      auto v = json::parse(st.text(1), ec);
      if (ec || !v.is_object()) continue;
      if (st.text(0) == "bus") {
        Bus b = bus_of(v.as_object());
        impl->buses[b.name] = std::move(b);
      } else if (st.text(0) == "rule") {
        Rule r = rule_of(v.as_object());
        std::string key = rule_key(r.bus, r.name);
        impl->rules[key] = Impl::compile(std::move(r));
      }
    }
    auto fired = impl->db.prepare("SELECT rule_arn, due_ms FROM fired");
    while (fired.step()) impl->fired[fired.text(0)] = fired.integer(1);
  } catch (const std::exception& e) {
    return base::make_error(base::ErrorCode::kIo, std::string("reading ") + path + ": " + e.what());
  }
  std::unique_ptr<Store> store(new Store(std::move(impl)));
  if (!store->bus(kDefaultBus)) {
    Bus b;
    b.name = kDefaultBus;
    b.arn = store->bus_arn(kDefaultBus);
    b.created_ms = b.modified_ms = base::now_ms();
    auto made = store->create_bus(std::move(b));
    if (!made) return made.error();
  }
  return store;
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

const std::string& Store::region() const { return impl_->region; }

std::string Store::bus_arn(const std::string& name) const {
  return base::make_arn("events", impl_->region, "event-bus/" + name);
}

std::string Store::rule_arn(const std::string& bus, const std::string& name) const {
  return base::make_arn("events", impl_->region, bus == kDefaultBus ? "rule/" + name : "rule/" + bus + "/" + name);
}

base::Result<Bus> Store::create_bus(Bus b) {
  std::lock_guard w(impl_->write_mu);
  {
    std::lock_guard l(impl_->mu);
    if (impl_->buses.count(b.name))
      return base::make_error(base::ErrorCode::kAlreadyExists, "Event bus " + b.name + " already exists.");
  }
  b.arn = bus_arn(b.name);
  if (auto s = impl_->write("bus", b.name, to_json(b)); !s) return s.error();
  {
    std::lock_guard l(impl_->mu);
    impl_->buses[b.name] = b;
  }
  impl_->changed();
  return b;
}

base::Status Store::delete_bus(const std::string& name) {
  if (name == kDefaultBus)
    return base::make_error(base::ErrorCode::kInvalidArgument, "Cannot delete event bus default.");
  std::lock_guard w(impl_->write_mu);
  std::vector<std::string> rule_keys;
  {
    std::lock_guard l(impl_->mu);
    if (!impl_->buses.count(name)) return {};  // AWS answers a missing bus's deletion with success
    for (const auto& [key, r] : impl_->rules)
      if (r->rule.bus == name) rule_keys.push_back(key);
  }
  // Deleting a bus deletes its rules, as AWS does.
  auto done = base::in_transaction(impl_->db, [&]() -> base::Status {
    for (const auto& key : rule_keys)
      if (auto s = impl_->db.prepare("DELETE FROM documents WHERE kind = 'rule' AND key = ?").bind(1, key).run(); !s)
        return s;
    return impl_->db.prepare("DELETE FROM documents WHERE kind = 'bus' AND key = ?").bind(1, name).run();
  });
  if (!done) return done;
  {
    std::lock_guard l(impl_->mu);
    for (const auto& key : rule_keys) impl_->rules.erase(key);
    impl_->buses.erase(name);
  }
  impl_->changed();
  return {};
}

std::optional<Bus> Store::bus(const std::string& name) const {
  std::lock_guard l(impl_->mu);
  auto it = impl_->buses.find(name);
  if (it == impl_->buses.end()) return std::nullopt;
  return it->second;
}

std::vector<Bus> Store::buses() const {
  std::lock_guard l(impl_->mu);
  std::vector<Bus> out;
  for (const auto& [_, b] : impl_->buses) out.push_back(b);
  return out;
}

base::Result<Rule> Store::put_rule(Rule r) {
  std::lock_guard w(impl_->write_mu);
  std::string key = rule_key(r.bus, r.name);
  {
    std::lock_guard l(impl_->mu);
    if (!impl_->buses.count(r.bus)) return not_found("Event bus " + r.bus + " does not exist.");
    auto it = impl_->rules.find(key);
    if (it != impl_->rules.end()) {
      // PutRule replaces the rule's settings; its targets, creation time and
      // (unless new ones are given) tags stay.
      r.targets = it->second->rule.targets;
      r.created_ms = it->second->rule.created_ms;
      if (r.tags.empty()) r.tags = it->second->rule.tags;
    }
  }
  r.arn = rule_arn(r.bus, r.name);
  if (auto s = impl_->write("rule", key, to_json(r)); !s) return s.error();
  auto compiled = Impl::compile(r);
  {
    std::lock_guard l(impl_->mu);
    impl_->rules[key] = std::move(compiled);
  }
  impl_->changed();
  return r;
}

base::Status Store::delete_rule(const std::string& bus, const std::string& name) {
  std::lock_guard w(impl_->write_mu);
  std::string key = rule_key(bus, name);
  {
    std::lock_guard l(impl_->mu);
    auto it = impl_->rules.find(key);
    if (it == impl_->rules.end()) return {};
    if (!it->second->rule.targets.empty())
      return base::make_error(base::ErrorCode::kConflict, "Rule can't be deleted since it has targets.");
  }
  std::string arn = rule_arn(bus, name);
  // Its fire record goes with it: a rule made again under the name starts afresh.
  auto done = base::in_transaction(impl_->db, [&]() -> base::Status {
    if (auto s = impl_->db.prepare("DELETE FROM documents WHERE kind = 'rule' AND key = ?").bind(1, key).run(); !s)
      return s;
    return impl_->db.prepare("DELETE FROM fired WHERE rule_arn = ?").bind(1, arn).run();
  });
  if (!done) return done;
  {
    std::lock_guard l(impl_->mu);
    impl_->rules.erase(key);
    impl_->fired.erase(arn);
  }
  impl_->changed();
  return {};
}

base::Status Store::set_state(const std::string& bus, const std::string& name, const std::string& state) {
  return impl_->update_rule(bus, name, [&](Rule& r) -> base::Status {
    r.state = state;
    return {};
  });
}

base::Status Store::set_targets(const std::string& bus, const std::string& name, std::vector<Target> targets) {
  return impl_->update_rule(bus, name, [&](Rule& r) -> base::Status {
    r.targets = std::move(targets);
    return {};
  });
}

std::optional<Rule> Store::rule(const std::string& bus, const std::string& name) const {
  std::lock_guard l(impl_->mu);
  auto it = impl_->rules.find(rule_key(bus, name));
  if (it == impl_->rules.end()) return std::nullopt;
  return it->second->rule;
}

std::vector<Rule> Store::rules(const std::string& bus) const {
  std::lock_guard l(impl_->mu);
  std::vector<Rule> out;
  for (const auto& [_, r] : impl_->rules)
    if (r->rule.bus == bus) out.push_back(r->rule);
  return out;
}

std::vector<std::shared_ptr<const CompiledRule>> Store::matchable(const std::string& bus) const {
  std::lock_guard l(impl_->mu);
  std::vector<std::shared_ptr<const CompiledRule>> out;
  for (const auto& [_, r] : impl_->rules)
    if (r->rule.bus == bus && r->rule.enabled() && r->pattern) out.push_back(r);
  return out;
}

std::vector<std::shared_ptr<const CompiledRule>> Store::scheduled() const {
  std::lock_guard l(impl_->mu);
  std::vector<std::shared_ptr<const CompiledRule>> out;
  for (const auto& [_, r] : impl_->rules)
    if (r->rule.enabled() && r->schedule) out.push_back(r);
  return out;
}

std::shared_ptr<const CompiledRule> Store::compiled(const std::string& bus, const std::string& name) const {
  std::lock_guard l(impl_->mu);
  auto it = impl_->rules.find(rule_key(bus, name));
  return it == impl_->rules.end() ? nullptr : it->second;
}

std::optional<int64_t> Store::last_fired(const std::string& rule_arn) const {
  std::lock_guard l(impl_->mu);
  auto it = impl_->fired.find(rule_arn);
  if (it == impl_->fired.end()) return std::nullopt;
  return it->second;
}

base::Status Store::set_last_fired(const std::string& rule_arn, int64_t due_ms) {
  return set_last_fired(std::vector<std::pair<std::string, int64_t>>{{rule_arn, due_ms}});
}

base::Status Store::set_last_fired(const std::vector<std::pair<std::string, int64_t>>& fires) {
  if (fires.empty()) return {};
  std::lock_guard w(impl_->write_mu);
  auto done = base::in_transaction(impl_->db, [&]() -> base::Status {
    for (const auto& [arn, due] : fires)
      if (auto s = impl_->db.prepare("INSERT OR REPLACE INTO fired VALUES (?, ?)").bind(1, arn).bind(2, due).run(); !s)
        return s;
    return {};
  });
  if (!done) return done;
  std::lock_guard l(impl_->mu);
  for (const auto& [arn, due] : fires) impl_->fired[arn] = due;
  return {};
}

void Store::on_change(std::function<void()> listener) { impl_->listener = std::move(listener); }

base::Status Store::set_tags(const std::string& arn, std::map<std::string, std::string> tags) {
  std::optional<std::string> bus_name;
  std::optional<std::pair<std::string, std::string>> rule_name;
  {
    std::lock_guard l(impl_->mu);
    for (const auto& [name, b] : impl_->buses)
      if (b.arn == arn) bus_name = name;
    for (const auto& [_, r] : impl_->rules)
      if (r->rule.arn == arn) rule_name = {r->rule.bus, r->rule.name};
  }
  if (rule_name)
    return impl_->update_rule(rule_name->first, rule_name->second, [&](Rule& r) -> base::Status {
      r.tags = std::move(tags);
      return {};
    });
  if (!bus_name) return not_found("Resource " + arn + " does not exist.");
  std::lock_guard w(impl_->write_mu);
  std::optional<Bus> b = bus(*bus_name);
  if (!b) return not_found("Resource " + arn + " does not exist.");
  b->tags = std::move(tags);
  if (auto s = impl_->write("bus", b->name, to_json(*b)); !s) return s;
  std::lock_guard l(impl_->mu);
  impl_->buses[b->name] = std::move(*b);
  return {};
}

base::Result<std::map<std::string, std::string>> Store::tags(const std::string& arn) const {
  std::lock_guard l(impl_->mu);
  for (const auto& [_, b] : impl_->buses)
    if (b.arn == arn) return b.tags;
  for (const auto& [_, r] : impl_->rules)
    if (r->rule.arn == arn) return r->rule.tags;
  return not_found("Resource " + arn + " does not exist.");
}

}  // namespace nimbus::buses
