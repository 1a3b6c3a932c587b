#include "events/notifications.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <condition_variable>
#include <iterator>
#include <thread>

#include "base/arn.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "base/sqlite.h"
#include "base/time.h"
#include "events/bus_event.h"

namespace nimbus::events {

namespace json = boost::json;

namespace {

// event_outbox.function_arn holds any rule's destination ARN (a queue's or a
// topic's too); the name is older than those destinations.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS bucket_notifications(bucket TEXT PRIMARY KEY, rules TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS event_outbox(id INTEGER PRIMARY KEY AUTOINCREMENT, function_arn TEXT NOT NULL,
  payload BLOB NOT NULL, created_ms INTEGER NOT NULL, depth INTEGER NOT NULL DEFAULT 1);
)sql";

// Outboxes made before events carried their trace.
base::Status add_trace_column(base::Connection& db) {
  auto st = db.prepare("SELECT count(*) FROM pragma_table_info('event_outbox') WHERE name = 'trace'");
  bool has = st.step() && st.integer(0) > 0;
  st.reset();
  if (has) return {};
  return db.exec("ALTER TABLE event_outbox ADD COLUMN trace TEXT NOT NULL DEFAULT ''");
}

std::string rules_to_json(const std::vector<Rule>& rules) {
  json::array arr;
  for (const auto& r : rules) {
    json::array evs;
    for (const auto& e : r.events) evs.push_back(json::string(e));
    arr.push_back(json::object{{"id", r.id}, {"arn", r.destination_arn}, {"events", evs}, {"prefix", r.prefix},
                               {"suffix", r.suffix}});
  }
  return json::serialize(arr);
}

// Stored rules are read without throwing: a damaged row is skipped with a
// warning, never a reason for nimbus not to start.
std::vector<Rule> rules_from_json(const std::string& bucket, const std::string& text) {
  std::vector<Rule> out;
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);  // kept alive: a range-for over a temporary's member dangles
  if (ec || !parsed.is_array()) {
    spdlog::warn("events: notification rules of bucket {} are unreadable ({}); ignored", bucket,
                 ec ? ec.message() : "not an array");
    return out;
  }
  auto text_of = [](const json::object& o, const char* k) -> std::optional<std::string> {
    auto* v = o.if_contains(k);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->as_string());
  };
  for (const auto& v : parsed.as_array()) {
    auto* o = v.if_object();
    auto* events = o ? o->if_contains("events") : nullptr;
    auto id = o ? text_of(*o, "id") : std::nullopt;
    auto arn = o ? text_of(*o, "arn") : std::nullopt;
    auto prefix = o ? text_of(*o, "prefix") : std::nullopt;
    auto suffix = o ? text_of(*o, "suffix") : std::nullopt;
    if (!id || !arn || !prefix || !suffix || !events || !events->is_array()) {
      spdlog::warn("events: a notification rule of bucket {} is unreadable; ignored", bucket);
      continue;
    }
    Rule r{*id, *arn, {}, *prefix, *suffix};
    for (const auto& e : events->as_array())
      if (e.is_string()) r.events.emplace_back(e.as_string());
    out.push_back(std::move(r));
  }
  return out;
}

// A destination's refusal that no retry changes.
bool is_permanent(base::ErrorCode code) {
  return code == base::ErrorCode::kNotFound || code == base::ErrorCode::kInvalidArgument ||
         code == base::ErrorCode::kTooLarge;
}

}  // namespace

std::string event_name(storage::EventKind kind) {
  switch (kind) {
    case storage::EventKind::kPut: return "ObjectCreated:Put";
    case storage::EventKind::kPost: return "ObjectCreated:Post";
    case storage::EventKind::kCopy: return "ObjectCreated:Copy";
    case storage::EventKind::kCompleteMultipartUpload: return "ObjectCreated:CompleteMultipartUpload";
    case storage::EventKind::kDelete: return "ObjectRemoved:Delete";
    case storage::EventKind::kDeleteMarkerCreated: return "ObjectRemoved:DeleteMarkerCreated";
  }
  return "";
}

std::string event_name(const storage::ObjectEvent& ev) {
  if (ev.context.lifecycle && ev.kind == storage::EventKind::kDelete) return "LifecycleExpiration:Delete";
  if (ev.context.lifecycle && ev.kind == storage::EventKind::kDeleteMarkerCreated)
    return "LifecycleExpiration:DeleteMarkerCreated";
  return event_name(ev.kind);
}

std::optional<DestinationKind> destination_kind(const std::string& arn) {
  auto a = base::Arn::parse(arn);
  if (!a) return std::nullopt;
  if (a->service == "lambda" && base::parse_lambda_arn(arn)) return DestinationKind::kFunction;
  bool plain_name = !a->resource.empty() && a->resource.find_first_of(":/") == std::string::npos;
  if (a->service == "sqs" && plain_name) return DestinationKind::kQueue;
  if (a->service == "sns" && plain_name) return DestinationKind::kTopic;
  constexpr std::string_view kBus = "event-bus/";
  if (a->service == "events" && a->resource.size() > kBus.size() && a->resource.rfind(kBus, 0) == 0 &&
      a->resource.find_first_of(":/", kBus.size()) == std::string::npos)
    return DestinationKind::kEventBus;
  return std::nullopt;
}

Rule event_bus_rule(const std::string& region) {
  return Rule{"", base::make_arn("events", region, "event-bus/default"), {}, "", ""};
}

bool is_known_event(const std::string& p) {
  for (const char* k : {"s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post", "s3:ObjectCreated:Copy",
                        "s3:ObjectCreated:CompleteMultipartUpload", "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete",
                        "s3:ObjectRemoved:DeleteMarkerCreated", "s3:LifecycleExpiration:*",
                        "s3:LifecycleExpiration:Delete", "s3:LifecycleExpiration:DeleteMarkerCreated"})
    if (p == k) return true;
  return false;
}

bool rule_matches(const Rule& rule, const std::string& name, const std::string& key) {
  // S3 sends EventBridge everything: the bus's rules filter.
  if (destination_kind(rule.destination_arn) == DestinationKind::kEventBus) return true;
  if (key.compare(0, rule.prefix.size(), rule.prefix) != 0) return false;
  if (key.size() < rule.suffix.size() || key.compare(key.size() - rule.suffix.size(), rule.suffix.size(), rule.suffix) != 0)
    return false;
  for (const auto& p : rule.events) {
    std::string_view pattern(p);
    if (pattern.substr(0, 3) == "s3:") pattern.remove_prefix(3);
    if (pattern == name) return true;
    if (pattern.size() > 1 && pattern.back() == '*' && name.compare(0, pattern.size() - 1, pattern.substr(0, pattern.size() - 1)) == 0)
      return true;
  }
  return false;
}

std::string event_key(const std::string& key) {
  std::string out = base::uri_encode(key, false);
  for (size_t p; (p = out.find("%20")) != std::string::npos;) out.replace(p, 3, "+");
  return out;
}

std::string s3_event_json(const storage::ObjectEvent& ev, const Rule& rule, const std::string& region) {
  json::object object{{"key", event_key(ev.key)}, {"sequencer", ev.sequencer}};
  if (ev.kind != storage::EventKind::kDelete && ev.kind != storage::EventKind::kDeleteMarkerCreated) {
    object["size"] = ev.size;
    object["eTag"] = ev.etag;
  }
  if (!ev.version_id.empty()) object["versionId"] = ev.version_id;
  json::object record{
      {"eventVersion", "2.1"},
      {"eventSource", "aws:s3"},
      {"awsRegion", region},
      {"eventTime", base::iso8601(ev.time_ms)},
      {"eventName", event_name(ev)},
      {"userIdentity", json::object{{"principalId", "AWS:" + ev.context.principal}}},
      {"requestParameters", json::object{{"sourceIPAddress", ev.context.source_ip}}},
      {"responseElements",
       json::object{{"x-amz-request-id", ev.context.request_id}, {"x-amz-id-2", ev.context.request_id}}},
      {"s3", json::object{{"s3SchemaVersion", "1.0"},
                          {"configurationId", rule.id},
                          {"bucket", json::object{{"name", ev.bucket},
                                                  {"ownerIdentity", json::object{{"principalId", "nimbus"}}},
                                                  {"arn", "arn:aws:s3:::" + ev.bucket}}},
                          {"object", object}}}};
  return json::serialize(json::object{{"Records", json::array{record}}});
}

std::string s3_test_event_json(const std::string& bucket, int64_t time_ms, const std::string& request_id) {
  return json::serialize(json::object{{"Service", "Amazon S3"},
                                      {"Event", "s3:TestEvent"},
                                      {"Time", base::iso8601(time_ms)},
                                      {"Bucket", bucket},
                                      {"RequestId", request_id},
                                      {"HostId", request_id}});
}

struct Notifications::Impl {
  std::string region;
  // Two locks, never held together: on_commit runs inside storage's write
  // transaction on meta.db and takes only rules_mu, so whoever holds db_mu
  // may wait for meta.db's write lock without deadlocking against it.
  std::mutex db_mu;     // guards db (meta.db: rules and the outbox)
  base::Connection db;
  std::mutex rules_mu;  // guards rules
  std::map<std::string, std::vector<Rule>> rules;
  std::mutex wake_mu;
  std::condition_variable wake;
  bool stopping = false;
  bool poked = false;
  Sink* sink = nullptr;
  std::function<int(const std::string&)> depth_of;
  std::thread thread;

  bool drain();
  bool delete_rows(const std::vector<int64_t>& ids);
};

Notifications::Notifications(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Notifications::~Notifications() { stop(); }

base::Result<std::unique_ptr<Notifications>> Notifications::open(const std::string& data_dir, std::string region) {
  auto db = base::Connection::open(data_dir + "/meta.db", false);
  if (!db) return db.error();
  if (auto s = db->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"); !s) return s.error();
  if (auto s = db->exec(kSchema); !s) return s.error();
  if (auto s = add_trace_column(*db); !s) return s.error();
  auto impl = std::make_unique<Impl>();
  impl->region = std::move(region);
  impl->db = std::move(*db);
  auto st = impl->db.prepare("SELECT bucket, rules FROM bucket_notifications");
  while (st.step()) impl->rules[st.text(0)] = rules_from_json(st.text(0), st.text(1));
  return std::unique_ptr<Notifications>(new Notifications(std::move(impl)));
}

base::Status Notifications::set(const std::string& bucket, std::vector<Rule> rules) {
  {
    std::lock_guard lock(impl_->db_mu);
    auto st = rules.empty() ? impl_->db.prepare("DELETE FROM bucket_notifications WHERE bucket = ?")
                            : impl_->db.prepare("INSERT OR REPLACE INTO bucket_notifications(bucket, rules) VALUES(?, ?)");
    st.bind(1, bucket);
    if (!rules.empty()) st.bind(2, rules_to_json(rules));
    if (auto s = st.run(); !s) return s;
  }
  std::lock_guard lock(impl_->rules_mu);
  if (rules.empty())
    impl_->rules.erase(bucket);
  else
    impl_->rules[bucket] = std::move(rules);
  return {};
}

std::vector<Rule> Notifications::get(const std::string& bucket) {
  std::lock_guard lock(impl_->rules_mu);
  auto it = impl_->rules.find(bucket);
  return it == impl_->rules.end() ? std::vector<Rule>{} : it->second;
}

base::Status Notifications::on_commit(storage::Connection& tx, const storage::ObjectEvent& event) {
  std::vector<Rule> matching;
  {
    std::lock_guard lock(impl_->rules_mu);
    auto it = impl_->rules.find(event.bucket);
    if (it == impl_->rules.end()) return {};
    std::string name = event_name(event);
    for (const auto& r : it->second)
      if (rule_matches(r, name, event.key)) matching.push_back(r);
  }
  if (matching.empty()) return {};
  int depth = (impl_->depth_of ? impl_->depth_of(event.context.principal) : 0) + 1;
  if (depth > kMaxChainDepth) {
    // AWS's recursive loop detection stops such chains too: the write stands, its events do not run.
    spdlog::warn("events: s3://{}/{} was written by an invocation {} deep in a chain of functions triggering each "
                 "other; its notification is not delivered (recursive loop stopped)",
                 event.bucket, event.key, depth - 1);
    return {};
  }
  for (const auto& r : matching) {
    // The bus's event gets its id here, once: a row relayed twice routes the same event.
    std::string payload = destination_kind(r.destination_arn) == DestinationKind::kEventBus
                              ? s3_bus_event_json(event, impl_->region, base::uuid4())
                              : s3_event_json(event, r, impl_->region);
    auto st = tx.prepare(
        "INSERT INTO event_outbox(function_arn, payload, created_ms, depth, trace) VALUES(?, ?, ?, ?, ?)");
    st.bind(1, r.destination_arn).bind_blob(2, payload).bind(3, base::now_ms());
    st.bind(4, int64_t{depth}).bind(5, event.context.trace_id);
    if (auto s = st.run(); !s) return s;
  }
  if (event.context.caused_events) *event.context.caused_events = true;
  return {};
}

void Notifications::committed() {
  // Rows are visible now: wake the dispatcher (a cheap no-op when it finds nothing).
  {
    std::lock_guard lock(impl_->wake_mu);
    impl_->poked = true;
  }
  impl_->wake.notify_one();
}

void Notifications::set_depth_source(std::function<int(const std::string& principal)> depth_of) {
  impl_->depth_of = std::move(depth_of);
}

namespace {
// Waits after a failed hand-over or delete: a stuck sink is tried again, not spun on.
constexpr int64_t kBackoffMs[] = {1000, 2000, 5000, 10000, 30000};
}  // namespace

void Notifications::start(Sink& sink) {
  impl_->sink = &sink;
  impl_->thread = std::thread([impl = impl_.get()] {
    int failures = 0;
    for (;;) {
      bool drained = impl->drain();  // at once too: rows the process before left are relayed now
      failures = drained ? 0 : failures + 1;
      std::unique_lock lock(impl->wake_mu);
      if (drained) {
        impl->wake.wait(lock, [&] { return impl->stopping || impl->poked; });
      } else {
        int64_t wait = kBackoffMs[std::min<size_t>(failures - 1, std::size(kBackoffMs) - 1)];
        // New commits do not cut the wait short: a failing sink would make them a hot loop.
        impl->wake.wait_for(lock, std::chrono::milliseconds(wait), [&] { return impl->stopping; });
      }
      if (impl->stopping) return;
      impl->poked = false;
    }
  });
}

void Notifications::stop() {
  {
    std::lock_guard lock(impl_->wake_mu);
    if (impl_->stopping) return;
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

size_t Notifications::pending() {
  std::lock_guard lock(impl_->db_mu);
  try {
    auto st = impl_->db.prepare("SELECT COUNT(*) FROM event_outbox");
    return st.step() ? static_cast<size_t>(st.integer(0)) : 0;
  } catch (const std::exception& e) {
    spdlog::warn("events: cannot count the outbox: {}", e.what());
    return 0;
  }
}

// Hands every outbox row to the sink, oldest first, deleting those handed.
// False when it stopped on a failure (the caller backs off).
bool Notifications::Impl::drain() {
  for (;;) {
    std::vector<std::tuple<int64_t, std::string, std::string, int, std::string>> rows;
    try {
      std::lock_guard lock(db_mu);
      auto st = db.prepare("SELECT id, function_arn, payload, depth, trace FROM event_outbox ORDER BY id LIMIT 100");
      while (st.step())
        rows.emplace_back(st.integer(0), st.text(1), st.blob(2), static_cast<int>(st.integer(3)), st.text(4));
    } catch (const std::exception& e) {
      spdlog::error("events: cannot read the outbox: {}", e.what());
      return false;
    }
    if (rows.empty()) return true;
    std::vector<int64_t> handed;
    bool stuck = false;
    for (const auto& [id, arn, payload, depth, trace] : rows) {
      // The outbox id names the delivery, so a row handed over twice (crash
      // between deliver and delete) is queued once.
      if (auto s = sink->deliver("s3-event-" + std::to_string(id), arn, payload, depth, trace); !s) {
        if (is_permanent(s.error().code)) {
          // A destination deleted or changed since the rule was set: S3 drops such events too.
          spdlog::warn("events: event {} dropped: {} refused it: {}", id, arn, s.error().message);
          handed.push_back(id);
          continue;
        }
        spdlog::warn("events: cannot hand event {} to {}: {}", id, arn, s.error().message);
        stuck = true;
        break;
      }
      handed.push_back(id);
    }
    if (!handed.empty() && !delete_rows(handed)) return false;
    if (stuck) return false;
  }
}

// One transaction (one fsync) for the whole batch. On failure nothing is
// deleted and the rows are handed over again later (idempotent by id).
bool Notifications::Impl::delete_rows(const std::vector<int64_t>& ids) {
  std::lock_guard lock(db_mu);
  base::Status s = db.exec("BEGIN IMMEDIATE");
  if (s) {
    auto del = db.prepare("DELETE FROM event_outbox WHERE id = ?");
    for (int64_t id : ids) {
      del.bind(1, id);
      s = del.run();
      del.reset();
      if (!s) break;
    }
    if (s) s = db.exec("COMMIT");
    if (!s) (void)db.exec("ROLLBACK");  // the error reported is the first; a failed rollback adds nothing to it
  }
  if (!s) {
    spdlog::error("events: cannot delete {} relayed outbox row(s): {}; they are relayed again later", ids.size(),
                  s.error().message);
    return false;
  }
  return true;
}

}  // namespace nimbus::events
