#include "functions/registry.h"

#include <algorithm>
#include <charconv>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "base/arn.h"
#include "base/encoding.h"
#include "base/file.h"
#include "base/ids.h"
#include "base/time.h"

namespace nimbus::functions {

namespace fs = std::filesystem;
using base::ErrorCode;
using base::make_error;

namespace {

// Adds a column a table of an older functions.db lacks (no-op when it has it).
base::Status add_column_if_missing(base::Connection& db, const char* table, const char* column, const char* decl) {
  {
    auto cols = db.prepare(std::string("PRAGMA table_info(") + table + ")");
    while (cols.step())
      if (cols.text(1) == column) return {};
  }
  return db.exec(std::string("ALTER TABLE ") + table + " ADD COLUMN " + column + " " + decl);
}

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS functions(
  name TEXT PRIMARY KEY, runtime TEXT NOT NULL, handler TEXT NOT NULL, description TEXT NOT NULL,
  role TEXT NOT NULL, memory_mb INTEGER NOT NULL, timeout_s INTEGER NOT NULL, ephemeral_mb INTEGER NOT NULL,
  environment BLOB NOT NULL, code_sha256 TEXT NOT NULL, code_size INTEGER NOT NULL, revision_id TEXT NOT NULL,
  last_modified_ms INTEGER NOT NULL, reserved_concurrency INTEGER, code_dir TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS versions(name TEXT NOT NULL, version INTEGER NOT NULL, config BLOB NOT NULL,
  PRIMARY KEY(name, version));
CREATE TABLE IF NOT EXISTS invoke_configs(function TEXT NOT NULL, qualifier TEXT NOT NULL, max_retry INTEGER,
  max_age INTEGER, on_failure TEXT NOT NULL, last_modified_ms INTEGER NOT NULL, on_success TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(function, qualifier));
CREATE TABLE IF NOT EXISTS provisioned(function TEXT NOT NULL, qualifier TEXT NOT NULL, count INTEGER NOT NULL,
  last_modified_ms INTEGER NOT NULL, PRIMARY KEY(function, qualifier));
CREATE TABLE IF NOT EXISTS tags(function TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY(function, key));
CREATE TABLE IF NOT EXISTS policies(function TEXT NOT NULL, qualifier TEXT NOT NULL, statements BLOB NOT NULL,
  revision_id TEXT NOT NULL, PRIMARY KEY(function, qualifier));
CREATE TABLE IF NOT EXISTS function_urls(function TEXT NOT NULL, qualifier TEXT NOT NULL, url_id TEXT NOT NULL UNIQUE,
  config TEXT NOT NULL, created_ms INTEGER NOT NULL, modified_ms INTEGER NOT NULL, PRIMARY KEY(function, qualifier));
CREATE TABLE IF NOT EXISTS version_numbers(name TEXT PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS aliases(function TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,
  description TEXT NOT NULL, revision_id TEXT NOT NULL, routing TEXT NOT NULL DEFAULT '',
  PRIMARY KEY(function, name));
)sql";

// A version's configuration as one blob: the fields as key/value pairs.
std::string encode_config(const FunctionConfig& c);
FunctionConfig decode_config(std::string_view blob);

std::string encode_env(const std::map<std::string, std::string>& env) {
  std::string out;
  for (const auto& [k, v] : env) out.append(k).append(1, '\0').append(v).append(1, '\0');
  return out;
}

std::map<std::string, std::string> decode_env(std::string_view blob) {
  std::map<std::string, std::string> env;
  while (!blob.empty()) {
    size_t k = blob.find('\0');
    size_t v = k == std::string_view::npos ? k : blob.find('\0', k + 1);
    if (v == std::string_view::npos) break;
    env.emplace(std::string(blob.substr(0, k)), std::string(blob.substr(k + 1, v - k - 1)));
    blob.remove_prefix(v + 1);
  }
  return env;
}

// An ordered list of pairs (a policy's statements by id), in the same NUL-separated form.
std::string encode_pairs(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [k, v] : pairs) out.append(k).append(1, '\0').append(v).append(1, '\0');
  return out;
}

std::vector<std::pair<std::string, std::string>> decode_pairs(std::string_view blob) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!blob.empty()) {
    size_t k = blob.find('\0');
    size_t v = k == std::string_view::npos ? k : blob.find('\0', k + 1);
    if (v == std::string_view::npos) break;
    out.emplace_back(std::string(blob.substr(0, k)), std::string(blob.substr(k + 1, v - k - 1)));
    blob.remove_prefix(v + 1);
  }
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// The settings added after the functions table's columns (issue 12), as key/value
// pairs: the functions table's `extra` column and a version's blob hold the same.
std::map<std::string, std::string> extras_of(const FunctionConfig& c) {
  return {{"architectures", join(c.architectures)},
          {"tracing_mode", c.tracing_mode},
          {"dead_letter_target", c.dead_letter_target},
          {"vpc_subnets", join(c.vpc.subnet_ids)},
          {"vpc_security_groups", join(c.vpc.security_group_ids)},
          {"vpc_ipv6", c.vpc.ipv6_dual_stack ? "1" : "0"}};
}

// Absent keys (a row written by an older nimbus) keep the defaults.
void apply_extras(const std::map<std::string, std::string>& f, FunctionConfig& c) {
  auto get = [&](const char* k) -> const std::string* {
    auto it = f.find(k);
    return it == f.end() ? nullptr : &it->second;
  };
  if (auto* v = get("architectures"); v && !v->empty()) c.architectures = split(*v);
  if (auto* v = get("tracing_mode"); v && !v->empty()) c.tracing_mode = *v;
  if (auto* v = get("dead_letter_target")) c.dead_letter_target = *v;
  if (auto* v = get("vpc_subnets")) c.vpc.subnet_ids = split(*v);
  if (auto* v = get("vpc_security_groups")) c.vpc.security_group_ids = split(*v);
  if (auto* v = get("vpc_ipv6")) c.vpc.ipv6_dual_stack = *v == "1";
}

std::string encode_config(const FunctionConfig& c) {
  std::map<std::string, std::string> f{{"name", c.name}, {"runtime", c.runtime}, {"handler", c.handler},
                                       {"description", c.description}, {"role", c.role},
                                       {"memory_mb", std::to_string(c.memory_mb)},
                                       {"timeout_s", std::to_string(c.timeout_s)},
                                       {"ephemeral_mb", std::to_string(c.ephemeral_mb)}, {"version", c.version},
                                       {"code_sha256", c.code_sha256}, {"code_size", std::to_string(c.code_size)},
                                       {"revision_id", c.revision_id},
                                       {"last_modified_ms", std::to_string(c.last_modified_ms)},
                                       {"code_dir", c.code_dir}};
  for (const auto& [k, v] : c.environment) f["env:" + k] = v;
  for (const auto& [k, v] : extras_of(c)) f["x:" + k] = v;
  return encode_env(f);
}

// Stored numbers are read without throwing: a damaged row must not stop nimbus from starting.
template <typename T>
T number_or(const std::string& text, T fallback) {
  T v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  return ec == std::errc() && end == text.data() + text.size() ? v : fallback;
}

FunctionConfig decode_config(std::string_view blob) {
  auto f = decode_env(blob);
  FunctionConfig c;
  c.name = f["name"];
  c.runtime = f["runtime"];
  c.handler = f["handler"];
  c.description = f["description"];
  c.role = f["role"];
  c.memory_mb = number_or(f["memory_mb"], 128);
  c.timeout_s = number_or(f["timeout_s"], 3);
  c.ephemeral_mb = number_or(f["ephemeral_mb"], 512);
  c.version = f["version"];
  c.code_sha256 = f["code_sha256"];
  c.code_size = number_or<uint64_t>(f["code_size"], 0);
  c.revision_id = f["revision_id"];
  c.last_modified_ms = number_or<int64_t>(f["last_modified_ms"], 0);
  c.code_dir = f["code_dir"];
  std::map<std::string, std::string> extras;
  for (const auto& [k, v] : f) {
    if (k.rfind("env:", 0) == 0) c.environment[k.substr(4)] = v;
    if (k.rfind("x:", 0) == 0) extras[k.substr(2)] = v;
  }
  apply_extras(extras, c);
  return c;
}

// A published version's number, or nullopt for anything else (digits that overflow an int included).
std::optional<int> version_number(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

base::Error not_found(const std::string& name) {
  return make_error(ErrorCode::kNotFound,
                    "Function not found: " + function_arn("us-east-1", name));
}

// SQLite's prepare and step throw on errors run() does not report (a
// damaged or closed database): a write reports them as its own failure.
template <typename F>
base::Status guarded(F&& write) {
  try {
    return write();
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kIo, e.what());
  }
}

using base::in_transaction;  // one write transaction, rolled back on any failure

template <typename M, typename K>
const typename M::mapped_type* find_in(const M& map, const K& key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

// A published version of `function`, or nullptr.
const FunctionConfig* find_version(const Registry::Snapshot& s, const std::string& function,
                                   const std::string& version) {
  auto number = version_number(version);
  if (!number) return nullptr;
  auto* vs = find_in(s.versions, function);
  return vs ? find_in(*vs, *number) : nullptr;
}

const Alias* find_alias(const Registry::Snapshot& s, const std::string& function, const std::string& alias) {
  auto* as = find_in(s.aliases, function);
  return as ? find_in(*as, alias) : nullptr;
}

// An alias's routing as text: "VERSION=WEIGHT,..." (weights printed exactly, %.17g).
std::string encode_weights(const std::map<std::string, double>& w) {
  std::string out;
  char buf[32];
  for (const auto& [v, weight] : w) {
    std::snprintf(buf, sizeof buf, "%.17g", weight);
    out += (out.empty() ? "" : ",") + v + "=" + buf;
  }
  return out;
}

std::map<std::string, double> decode_weights(const std::string& text) {
  std::map<std::string, double> out;
  for (const auto& item : split(text)) {
    size_t eq = item.find('=');
    if (eq == std::string::npos) continue;
    char* end = nullptr;
    std::string number = item.substr(eq + 1);
    double w = std::strtod(number.c_str(), &end);
    if (end && *end == '\0' && w >= 0 && w <= 1) out[item.substr(0, eq)] = w;
  }
  return out;
}

// Lambda's rules for RoutingConfig.AdditionalVersionWeights.
base::Status check_weights(const Registry::Snapshot& s, const std::string& function, const std::string& primary,
                           const std::map<std::string, double>& weights) {
  if (weights.empty()) return {};
  if (weights.size() > 1)
    return make_error(ErrorCode::kInvalidArgument, "Number of items in AdditionalVersionWeights cannot be greater than 1");
  const auto& [version, weight] = *weights.begin();
  if (!(weight >= 0.0 && weight <= 1.0))
    return make_error(ErrorCode::kInvalidArgument,
                      "1 validation error detected: Value at 'routingConfig.additionalVersionWeights' failed to "
                      "satisfy constraint: Map value must satisfy constraint: [Member must have value less than or "
                      "equal to 1.0, Member must have value greater than or equal to 0.0]");
  if (primary == "$LATEST" || version == "$LATEST")
    return make_error(ErrorCode::kInvalidArgument,
                      "$LATEST is not supported for an alias pointing to more than 1 version");
  if (version == primary)
    return make_error(ErrorCode::kInvalidArgument,
                      "Invalid function version " + version + ". Function version " + version +
                          " is already included in routing configuration.");
  if (!find_version(s, function, version))
    return make_error(ErrorCode::kNotFound, "Function not found: " + function_arn("us-east-1", function, version));
  return {};
}

// The version a weighted alias sends one invocation to.
std::string pick_version(const Alias& a) {
  if (a.weights.empty()) return a.version;
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const auto& [other, weight] = *a.weights.begin();
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < weight ? other : a.version;
}

// Lambda's optimistic locking: a RevisionId given with a write must be the current one.
base::Status check_revision(const std::string& expected, const std::string& current, const char* what) {
  if (expected.empty() || expected == current) return {};
  return make_error(ErrorCode::kPreconditionFailed,
                    std::string("The Revision Id provided does not match the latest Revision Id. Call the ") + what +
                        " API to retrieve the latest Revision Id");
}

base::Error alias_not_found(const std::string& function, const std::string& alias) {
  return make_error(ErrorCode::kNotFound, "Alias not found: " + function_arn("us-east-1", function, alias));
}

}  // namespace

std::string function_arn(const std::string& region, const std::string& name, const std::string& qualifier) {
  return "arn:aws:lambda:" + region + ":" + std::string(base::kAccountId) + ":function:" + name + (qualifier.empty() ? "" : ":" + qualifier);
}


static std::optional<FunctionConfig> read_row(base::Connection& db_, const std::string& name) {
  auto st = db_.prepare(
      "SELECT name, runtime, handler, description, role, memory_mb, timeout_s, ephemeral_mb, environment, "
      "code_sha256, code_size, revision_id, last_modified_ms, reserved_concurrency, code_dir, extra FROM functions "
      "WHERE name = ?");
  st.bind(1, name);
  if (!st.step()) return std::nullopt;
  FunctionConfig c;
  c.name = st.text(0);
  c.runtime = st.text(1);
  c.handler = st.text(2);
  c.description = st.text(3);
  c.role = st.text(4);
  c.memory_mb = static_cast<int>(st.integer(5));
  c.timeout_s = static_cast<int>(st.integer(6));
  c.ephemeral_mb = static_cast<int>(st.integer(7));
  c.environment = decode_env(st.blob(8));
  c.code_sha256 = st.text(9);
  c.code_size = static_cast<uint64_t>(st.integer(10));
  c.revision_id = st.text(11);
  c.last_modified_ms = st.integer(12);
  if (!st.is_null(13)) c.reserved_concurrency = static_cast<int>(st.integer(13));
  c.code_dir = st.text(14);
  apply_extras(decode_env(st.blob(15)), c);
  return c;
}

Registry::Registry(std::string data_dir, PackageLimits limits, base::Connection db)
    : dir_(std::move(data_dir)), limits_(limits), db_(std::move(db)), snapshot_(std::make_shared<Snapshot>()) {}

base::Result<std::unique_ptr<Registry>> Registry::open(const std::string& data_dir, PackageLimits limits) {
  if (auto s = base::make_dirs(data_dir + "/functions"); !s) return s.error();
  auto db = base::Connection::open(data_dir + "/functions.db", false);
  if (!db) return db.error();
  if (auto s = db->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"); !s) return s.error();
  if (auto s = db->exec(kSchema); !s) return s.error();
  // functions.db written before issue 12 lacks the column of the later settings, aliases
  // their routing, invoke_configs their OnSuccess destination.
  for (auto [table, column, decl] : {std::tuple{"functions", "extra", "BLOB NOT NULL DEFAULT x''"},
                                     std::tuple{"aliases", "routing", "TEXT NOT NULL DEFAULT ''"},
                                     std::tuple{"invoke_configs", "on_success", "TEXT NOT NULL DEFAULT ''"}})
    if (auto s = add_column_if_missing(*db, table, column, decl); !s) return s.error();
  // event_invoke_configs (one config per function, before qualifiers had their own) becomes
  // invoke_configs' $LATEST rows, once, in one transaction.
  bool has_old_configs = false;
  {
    auto t = db->prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'event_invoke_configs'");
    has_old_configs = t.step() && t.integer(0) > 0;
  }
  if (has_old_configs)
    if (auto s = db->exec(
            "BEGIN IMMEDIATE; INSERT OR IGNORE INTO invoke_configs(function, qualifier, max_retry, max_age, on_failure, "
            "last_modified_ms) SELECT function, '$LATEST', max_retry, max_age, on_failure, last_modified_ms FROM "
            "event_invoke_configs; DROP TABLE event_invoke_configs; COMMIT;");
        !s) {
      (void)db->exec("ROLLBACK");
      return s.error();
    }
  // Unpacking leftovers of an interrupted create or update.
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(data_dir + "/functions", ec))
    if (e.path().filename().string().rfind(".tmp-", 0) == 0) fs::remove_all(e.path(), ec);
  std::unique_ptr<Registry> r(new Registry(data_dir, limits, std::move(*db)));
  auto s = std::make_shared<Snapshot>();
  std::vector<std::string> names;
  {
    auto st = r->db_.prepare("SELECT name FROM functions");
    while (st.step()) names.push_back(st.text(0));
  }
  for (const auto& n : names)
    if (auto c = read_row(r->db_, n)) s->functions[n] = std::move(*c);
  {
    auto st = r->db_.prepare("SELECT name, version, config FROM versions");
    while (st.step()) s->versions[st.text(0)][static_cast<int>(st.integer(1))] = decode_config(st.blob(2));
    auto al = r->db_.prepare("SELECT function, name, version, description, revision_id, routing FROM aliases");
    while (al.step())
      s->aliases[al.text(0)][al.text(1)] = {al.text(0), al.text(1), al.text(2), al.text(3), al.text(4),
                                            decode_weights(al.text(5))};
    auto ic = r->db_.prepare(
        "SELECT function, qualifier, max_retry, max_age, on_failure, last_modified_ms, on_success FROM invoke_configs");
    while (ic.step()) {
      EventInvokeConfig c;
      if (!ic.is_null(2)) c.max_retry_attempts = static_cast<int>(ic.integer(2));
      if (!ic.is_null(3)) c.max_event_age_s = static_cast<int>(ic.integer(3));
      c.on_failure = ic.text(4);
      c.last_modified_ms = ic.integer(5);
      c.on_success = ic.text(6);
      s->invoke_configs[{ic.text(0), ic.text(1)}] = c;
    }
    auto tg = r->db_.prepare("SELECT function, key, value FROM tags");
    while (tg.step()) s->tags[tg.text(0)][tg.text(1)] = tg.text(2);
    auto po = r->db_.prepare("SELECT function, qualifier, statements, revision_id FROM policies");
    while (po.step()) s->policies[{po.text(0), po.text(1)}] = {decode_pairs(po.blob(2)), po.text(3)};
    // A deleted version's number is not reused: the highest one published is kept apart from the versions.
    for (const auto& [name, vs] : s->versions)
      if (!vs.empty()) s->last_version[name] = vs.rbegin()->first;
    auto vn = r->db_.prepare("SELECT name, last FROM version_numbers");
    while (vn.step()) {
      int& last = s->last_version[vn.text(0)];
      last = std::max(last, static_cast<int>(vn.integer(1)));
    }
    auto fu = r->db_.prepare("SELECT function, qualifier, url_id, config, created_ms, modified_ms FROM function_urls");
    while (fu.step()) {
      FunctionUrl u{fu.text(0), fu.text(1), fu.text(2), fu.text(3), fu.integer(4), fu.integer(5)};
      s->url_ids[u.url_id] = {u.function, u.qualifier};
      s->urls[{u.function, u.qualifier}] = std::move(u);
    }
    auto pr = r->db_.prepare("SELECT function, qualifier, count, last_modified_ms FROM provisioned");
    while (pr.step())
      s->provisioned[{pr.text(0), pr.text(1)}] = {pr.text(0), pr.text(1), static_cast<int>(pr.integer(2)), pr.integer(3)};
  }
  r->snapshot_ = std::move(s);
  return r;
}

std::shared_ptr<const Registry::Snapshot> Registry::snapshot() const {
  std::lock_guard lock(snapshot_mu_);
  return snapshot_;
}

template <typename F>
void Registry::publish(F&& change) {
  auto next = std::make_shared<Snapshot>(*snapshot());
  change(*next);
  std::shared_ptr<const Snapshot> old;
  {
    std::lock_guard lock(snapshot_mu_);
    old = std::exchange(snapshot_, std::move(next));
  }
  // `old` (possibly the last reference) is freed here, outside the pointer's lock.
}

base::Result<std::string> Registry::unpack(const std::string& name, const std::string& revision, std::string_view zip,
                                           UnpackedCode& info, Origin origin) {
  std::string tmp = dir_ + "/functions/.tmp-" + base::random_hex(8);
  PackageLimits limits = limits_;
  if (origin == Origin::kObjectStore) limits.max_zipped = std::max(limits.max_zipped, limits.max_unzipped);
  auto unpacked = unpack_zip(zip, tmp, limits);
  std::error_code ec;
  if (!unpacked) {
    fs::remove_all(tmp, ec);
    return unpacked.error();
  }
  info = *unpacked;
  std::string final_dir = dir_ + "/functions/" + name + "/" + revision;
  fs::create_directories(fs::path(final_dir).parent_path(), ec);
  // The zip as uploaded, beside the code (GetFunction's Code.Location serves it): durable before the code is placed.
  if (auto s = base::write_file_durably(package_path(final_dir), zip); !s) {
    fs::remove_all(tmp, ec);
    fs::remove(package_path(final_dir) + ".tmp", ec);
    return s.error();
  }
  fs::rename(tmp, final_dir, ec);
  if (ec) {
    fs::remove_all(tmp, ec);
    fs::remove(package_path(final_dir), ec);
    return make_error(ErrorCode::kIo, "cannot place function code: " + ec.message());
  }
  return final_dir;
}

base::Status Registry::save(const FunctionConfig& c) {
  return guarded([&]() -> base::Status {
    auto st = db_.prepare(
        "INSERT OR REPLACE INTO functions(name, runtime, handler, description, role, memory_mb, timeout_s, "
        "ephemeral_mb, environment, code_sha256, code_size, revision_id, last_modified_ms, reserved_concurrency, "
        "code_dir, extra) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    st.bind(1, c.name).bind(2, c.runtime).bind(3, c.handler).bind(4, c.description).bind(5, c.role);
    st.bind(6, int64_t{c.memory_mb}).bind(7, int64_t{c.timeout_s}).bind(8, int64_t{c.ephemeral_mb});
    st.bind_blob(9, encode_env(c.environment)).bind(10, c.code_sha256).bind(11, static_cast<int64_t>(c.code_size));
    st.bind(12, c.revision_id).bind(13, c.last_modified_ms);
    if (c.reserved_concurrency) st.bind(14, int64_t{*c.reserved_concurrency});
    else st.bind_null(14);
    st.bind(15, c.code_dir).bind_blob(16, encode_env(extras_of(c)));
    return st.run();
  });
}

base::Status Registry::save_version(const FunctionConfig& c) {
  auto number = version_number(c.version);
  if (!number) return make_error(ErrorCode::kInternal, "not a version number: " + c.version);
  return guarded([&]() -> base::Status {
    auto st = db_.prepare("INSERT OR REPLACE INTO versions(name, version, config) VALUES(?,?,?)");
    st.bind(1, c.name).bind(2, int64_t{*number}).bind_blob(3, encode_config(c));
    return st.run();
  });
}

base::Status Registry::save_alias(const Alias& a) {
  return guarded([&]() -> base::Status {
    auto st = db_.prepare(
        "INSERT OR REPLACE INTO aliases(function, name, version, description, revision_id, routing) "
        "VALUES(?,?,?,?,?,?)");
    st.bind(1, a.function).bind(2, a.name).bind(3, a.version).bind(4, a.description).bind(5, a.revision_id);
    st.bind(6, encode_weights(a.weights));
    return st.run();
  });
}

base::Result<FunctionConfig> Registry::create(FunctionConfig config, std::string_view zip, const Tags& tags,
                                             Origin origin) {
  if (find_in(snapshot()->functions, config.name))
    return make_error(ErrorCode::kAlreadyExists, "Function already exist: " + config.name);
  config.revision_id = base::random_hex(16);
  UnpackedCode info;
  auto code_dir = unpack(config.name, config.revision_id, zip, info, origin);
  if (!code_dir) return code_dir.error();
  config.code_dir = *code_dir;
  config.code_sha256 = info.sha256_base64;
  config.code_size = info.zipped_size;
  config.last_modified_ms = base::now_ms();
  config.version = "$LATEST";
  std::lock_guard lock(write_mu_);
  auto drop_code = [&] {
    std::error_code ec;
    fs::remove_all(config.code_dir, ec);
    fs::remove(package_path(config.code_dir), ec);
  };
  if (find_in(snapshot()->functions, config.name)) {
    drop_code();
    return make_error(ErrorCode::kAlreadyExists, "Function already exist: " + config.name);
  }
  // The definition and its tags in one transaction: a function never appears without the tags it was created with.
  auto saved = guarded([&]() -> base::Status {
    if (auto s = db_.exec("BEGIN IMMEDIATE"); !s) return s;
    auto fail = [&](base::Status s) {
      (void)db_.exec("ROLLBACK");
      return s;
    };
    if (auto s = save(config); !s) return fail(s);
    for (const auto& [k, v] : tags) {
      auto st = db_.prepare("INSERT OR REPLACE INTO tags(function, key, value) VALUES(?,?,?)");
      st.bind(1, config.name).bind(2, k).bind(3, v);
      if (auto s = st.run(); !s) return fail(s);
    }
    return db_.exec("COMMIT");
  });
  if (!saved) {
    (void)db_.exec("ROLLBACK");
    drop_code();
    return saved.error();
  }
  publish([&](Snapshot& s) {
    s.functions[config.name] = config;
    if (!tags.empty()) s.tags[config.name] = tags;
  });
  return config;
}

base::Result<FunctionConfig> Registry::get(const std::string& name) {
  auto s = snapshot();
  auto* c = find_in(s->functions, name);
  if (!c) return not_found(name);
  return *c;
}

std::vector<FunctionConfig> Registry::list() {
  auto s = snapshot();
  std::vector<FunctionConfig> out;
  for (const auto& [name, c] : s->functions) out.push_back(c);
  return out;
}

base::Result<FunctionConfig> Registry::update_code(const std::string& name, std::string_view zip,
                                                  const std::string& expected_revision, Origin origin) {
  auto* before = find_in(snapshot()->functions, name);
  if (!before) return not_found(name);
  // Checked before the unpacking too, so a stale deploy fails fast; and again under the lock.
  if (auto s = check_revision(expected_revision, before->revision_id, "GetFunction"); !s) return s.error();
  std::string revision = base::random_hex(16);
  UnpackedCode info;
  auto code_dir = unpack(name, revision, zip, info, origin);
  if (!code_dir) return code_dir.error();
  auto drop_code = [&] {
    std::error_code ec;
    fs::remove_all(*code_dir, ec);
    fs::remove(package_path(*code_dir), ec);
  };
  std::lock_guard lock(write_mu_);
  auto* current = find_in(snapshot()->functions, name);
  if (!current) {
    drop_code();
    return not_found(name);
  }
  if (auto s = check_revision(expected_revision, current->revision_id, "GetFunction"); !s) {
    drop_code();
    return s.error();
  }
  // The old code stays until its instances are gone; the invoker retires them.
  FunctionConfig c = *current;
  c.code_dir = *code_dir;
  c.code_sha256 = info.sha256_base64;
  c.code_size = info.zipped_size;
  c.revision_id = revision;
  c.last_modified_ms = base::now_ms();
  if (auto s = save(c); !s) {
    drop_code();
    return s.error();
  }
  publish([&](Snapshot& s) { s.functions[name] = c; });
  return c;
}

base::Result<FunctionConfig> Registry::update_config(const FunctionConfig& config,
                                                    const std::string& expected_revision) {
  std::lock_guard lock(write_mu_);
  auto* c = find_in(snapshot()->functions, config.name);
  if (!c) return not_found(config.name);
  if (auto s = check_revision(expected_revision, c->revision_id, "GetFunction"); !s) return s.error();
  FunctionConfig next = config;
  next.code_dir = c->code_dir;
  next.code_sha256 = c->code_sha256;
  next.code_size = c->code_size;
  next.reserved_concurrency = c->reserved_concurrency;
  next.revision_id = base::random_hex(16);
  next.last_modified_ms = base::now_ms();
  if (auto s = save(next); !s) return s.error();
  publish([&](Snapshot& s) { s.functions[next.name] = next; });
  return next;
}

base::Status Registry::remove(const std::string& name) {
  std::lock_guard lock(write_mu_);
  if (!find_in(snapshot()->functions, name)) return not_found(name);
  // One transaction: a failure part-way leaves the function whole, on disk as in memory.
  auto deleted = guarded([&]() -> base::Status {
    if (auto s = db_.exec("BEGIN IMMEDIATE"); !s) return s;
    for (const char* sql : {"DELETE FROM functions WHERE name = ?", "DELETE FROM versions WHERE name = ?",
                            "DELETE FROM aliases WHERE function = ?", "DELETE FROM provisioned WHERE function = ?",
                            "DELETE FROM invoke_configs WHERE function = ?",
                            "DELETE FROM version_numbers WHERE name = ?", "DELETE FROM tags WHERE function = ?",
                            "DELETE FROM policies WHERE function = ?", "DELETE FROM function_urls WHERE function = ?"}) {
      auto del = db_.prepare(sql);
      del.bind(1, name);
      if (auto s = del.run(); !s) {
        (void)db_.exec("ROLLBACK");  // the statement's own error is the one reported
        return s;
      }
    }
    return db_.exec("COMMIT");
  });
  if (!deleted) {
    (void)db_.exec("ROLLBACK");  // a no-op unless a throw left the transaction open
    return deleted;
  }
  publish([&](Snapshot& s) {
    s.functions.erase(name);
    std::erase_if(s.invoke_configs, [&](const auto& c) { return c.first.first == name; });
    std::erase_if(s.provisioned, [&](const auto& p) { return p.first.first == name; });
    s.versions.erase(name);
    s.aliases.erase(name);
    s.last_version.erase(name);
    s.tags.erase(name);
    std::erase_if(s.policies, [&](const auto& p) { return p.first.first == name; });
    std::erase_if(s.urls, [&](const auto& u) { return u.first.first == name; });
    std::erase_if(s.url_ids, [&](const auto& u) { return u.second.first == name; });
  });
  std::error_code ec;
  fs::remove_all(dir_ + "/functions/" + name, ec);
  return {};
}

base::Status Registry::remove_version(const std::string& name, const std::string& version) {
  if (version == "$LATEST")
    return make_error(ErrorCode::kInvalidArgument, "$LATEST version cannot be deleted without deleting the function.");
  // DeleteFunction's Qualifier names a version; an alias goes with DeleteAlias.
  auto number = version_number(version);
  if (!number) return make_error(ErrorCode::kInvalidArgument, "Deletion of aliases is not currently supported.");
  std::lock_guard lock(write_mu_);
  auto snap = snapshot();
  if (!find_in(snap->functions, name)) return not_found(name);
  if (!find_version(*snap, name, version))
    return make_error(ErrorCode::kNotFound, "Function not found: " + function_arn("us-east-1", name, version));
  std::string referencing;
  if (auto* as = find_in(snap->aliases, name))
    for (const auto& [alias_name, a] : *as)
      if (a.version == version || a.weights.count(version))
        referencing += (referencing.empty() ? "" : ", ") + alias_name;
  if (!referencing.empty())
    return make_error(ErrorCode::kConflict,
                      "Unable to delete version because the following aliases reference it: [" + referencing + "]");
  int last = std::max(snap->last_version.count(name) ? snap->last_version.at(name) : 0, *number);
  // One transaction: the version, its provisioned concurrency and the number it used go together.
  auto deleted = guarded([&]() -> base::Status {
    if (auto s = db_.exec("BEGIN IMMEDIATE"); !s) return s;
    auto fail = [&](base::Status s) {
      (void)db_.exec("ROLLBACK");
      return s;
    };
    auto del = db_.prepare("DELETE FROM versions WHERE name = ? AND version = ?");
    del.bind(1, name).bind(2, int64_t{*number});
    if (auto s = del.run(); !s) return fail(s);
    auto prov = db_.prepare("DELETE FROM provisioned WHERE function = ? AND qualifier = ?");
    prov.bind(1, name).bind(2, version);
    if (auto s = prov.run(); !s) return fail(s);
    auto pol = db_.prepare("DELETE FROM policies WHERE function = ? AND qualifier = ?");
    pol.bind(1, name).bind(2, version);
    if (auto s = pol.run(); !s) return fail(s);
    auto cfg = db_.prepare("DELETE FROM invoke_configs WHERE function = ? AND qualifier = ?");
    cfg.bind(1, name).bind(2, version);
    if (auto s = cfg.run(); !s) return fail(s);
    auto seq = db_.prepare("INSERT OR REPLACE INTO version_numbers(name, last) VALUES(?,?)");
    seq.bind(1, name).bind(2, int64_t{last});
    if (auto s = seq.run(); !s) return fail(s);
    return db_.exec("COMMIT");
  });
  if (!deleted) {
    (void)db_.exec("ROLLBACK");  // a no-op unless a throw left the transaction open
    return deleted;
  }
  // The code directory stays: $LATEST or another version may have been published from the same revision.
  publish([&](Snapshot& s) {
    s.versions[name].erase(*number);
    s.provisioned.erase({name, version});
    s.policies.erase({name, version});
    s.invoke_configs.erase({name, version});
    s.last_version[name] = last;
  });
  return {};
}

base::Result<FunctionConfig> Registry::set_reserved_concurrency(const std::string& name, std::optional<int> value) {
  std::lock_guard lock(write_mu_);
  auto* current = find_in(snapshot()->functions, name);
  if (!current) return not_found(name);
  FunctionConfig c = *current;
  c.reserved_concurrency = value;
  if (auto s = save(c); !s) return s.error();
  publish([&](Snapshot& s) { s.functions[name] = c; });
  return c;
}

base::Result<FunctionConfig> Registry::publish_version(const std::string& name, const std::string& description,
                                                      const std::string& expected_revision,
                                                      const std::string& expected_sha256) {
  std::lock_guard lock(write_mu_);
  auto snap = snapshot();
  auto* latest = find_in(snap->functions, name);
  if (!latest) return not_found(name);
  if (!expected_sha256.empty() && expected_sha256 != latest->code_sha256)
    return make_error(ErrorCode::kInvalidArgument, "CodeSHA256 (" + expected_sha256 +
                                                       ") is different from current CodeSHA256 in $LATEST (" +
                                                       latest->code_sha256 +
                                                       "). Please try again with the CodeSHA256 in $LATEST.");
  if (auto s = check_revision(expected_revision, latest->revision_id, "GetFunction"); !s) return s.error();
  const std::map<int, FunctionConfig> none;
  auto* found = find_in(snap->versions, name);
  const auto& published = found ? *found : none;
  // Publishing unchanged code and configuration returns the existing version, as Lambda does.
  if (!published.empty() && published.rbegin()->second.code_sha256 == latest->code_sha256 &&
      published.rbegin()->second.revision_id == latest->revision_id)
    return published.rbegin()->second;
  FunctionConfig v = *latest;
  int last = published.empty() ? 0 : published.rbegin()->first;
  if (auto* l = find_in(snap->last_version, name)) last = std::max(last, *l);
  int number = last + 1;
  v.version = std::to_string(number);
  if (!description.empty()) v.description = description;
  v.last_modified_ms = base::now_ms();
  if (auto s = save_version(v); !s) return s.error();
  publish([&](Snapshot& s) {
    s.versions[name][number] = v;
    s.last_version[name] = number;
  });
  return v;
}

base::Result<std::vector<FunctionConfig>> Registry::list_versions(const std::string& name) {
  auto s = snapshot();
  auto* latest = find_in(s->functions, name);
  if (!latest) return not_found(name);
  std::vector<FunctionConfig> out{*latest};
  if (auto* vs = find_in(s->versions, name))
    for (const auto& [n, c] : *vs) out.push_back(c);
  return out;
}

namespace {

base::Result<FunctionConfig> resolve_in(const Registry::Snapshot& s, const std::string& name,
                                        const std::string& qualifier) {
  auto* latest = find_in(s.functions, name);
  if (!latest) return not_found(name);
  if (qualifier.empty() || qualifier == "$LATEST") return *latest;
  std::string version = qualifier;
  if (auto* a = find_alias(s, name, qualifier)) version = pick_version(*a);
  if (version == "$LATEST") return *latest;
  if (auto* v = find_version(s, name, version)) {
    FunctionConfig c = *v;
    c.reserved_concurrency = latest->reserved_concurrency;  // concurrency belongs to the function
    return c;
  }
  return make_error(ErrorCode::kNotFound, "Function not found: " + function_arn("us-east-1", name, qualifier));
}

}  // namespace

base::Result<FunctionConfig> Registry::resolve(const std::string& name, const std::string& qualifier) {
  return resolve_in(*snapshot(), name, qualifier);
}

base::Result<Alias> Registry::create_alias(const std::string& function, const std::string& alias,
                                           const std::string& version, const std::string& description,
                                           const std::map<std::string, double>& weights) {
  std::lock_guard lock(write_mu_);
  auto snap = snapshot();
  if (!find_in(snap->functions, function)) return not_found(function);
  if (alias.empty() || alias.find_first_not_of("0123456789") == std::string::npos || alias == "$LATEST")
    return make_error(ErrorCode::kInvalidArgument, "Alias name must not be a version number");
  if (version != "$LATEST" && !find_version(*snap, function, version))
    return make_error(ErrorCode::kNotFound, "Function not found: " + function_arn("us-east-1", function, version));
  if (find_alias(*snap, function, alias))
    return make_error(ErrorCode::kAlreadyExists, "Alias already exists: " + function_arn("us-east-1", function, alias));
  if (auto s = check_weights(*snap, function, version, weights); !s) return s.error();
  Alias a{function, alias, version, description, base::random_hex(16), weights};
  if (auto s = save_alias(a); !s) return s.error();
  publish([&](Snapshot& s) { s.aliases[function][alias] = a; });
  return a;
}

base::Result<Alias> Registry::get_alias(const std::string& function, const std::string& alias) {
  auto s = snapshot();
  auto* a = find_alias(*s, function, alias);
  if (!a) return alias_not_found(function, alias);
  return *a;
}

base::Result<Alias> Registry::update_alias(const std::string& function, const std::string& alias,
                                           const std::optional<std::string>& version,
                                           const std::optional<std::string>& description,
                                           const std::string& expected_revision,
                                           const std::optional<std::map<std::string, double>>& weights) {
  std::lock_guard lock(write_mu_);
  auto snap = snapshot();
  auto* current = find_alias(*snap, function, alias);
  if (!current) return alias_not_found(function, alias);
  if (auto s = check_revision(expected_revision, current->revision_id, "GetAlias"); !s) return s.error();
  Alias a = *current;
  if (version) {
    if (*version != "$LATEST" && !find_version(*snap, function, *version))
      return make_error(ErrorCode::kNotFound, "Function not found: " + function_arn("us-east-1", function, *version));
    a.version = *version;
  }
  if (description) a.description = *description;
  if (weights) a.weights = *weights;
  if (auto s = check_weights(*snap, function, a.version, a.weights); !s) return s.error();
  a.revision_id = base::random_hex(16);
  if (auto s = save_alias(a); !s) return s.error();
  publish([&](Snapshot& s) { s.aliases[function][alias] = a; });
  return a;
}

base::Status Registry::delete_alias(const std::string& function, const std::string& alias) {
  std::lock_guard lock(write_mu_);
  auto deleted = guarded([&]() -> base::Status {
    if (auto s = db_.exec("BEGIN IMMEDIATE"); !s) return s;
    for (const char* sql : {"DELETE FROM aliases WHERE function = ? AND name = ?",
                            "DELETE FROM policies WHERE function = ? AND qualifier = ?",
                            "DELETE FROM invoke_configs WHERE function = ? AND qualifier = ?",
                            "DELETE FROM function_urls WHERE function = ? AND qualifier = ?"}) {
      auto st = db_.prepare(sql);
      st.bind(1, function).bind(2, alias);
      if (auto s = st.run(); !s) {
        (void)db_.exec("ROLLBACK");
        return s;
      }
    }
    return db_.exec("COMMIT");
  });
  if (!deleted) {
    (void)db_.exec("ROLLBACK");
    return deleted;
  }
  publish([&](Snapshot& s) {
    if (auto it = s.aliases.find(function); it != s.aliases.end()) it->second.erase(alias);
    s.policies.erase({function, alias});
    s.invoke_configs.erase({function, alias});
    if (auto u = s.urls.find({function, alias}); u != s.urls.end()) {
      s.url_ids.erase(u->second.url_id);
      s.urls.erase(u);
    }
  });
  return {};
}

base::Result<std::vector<Alias>> Registry::list_aliases(const std::string& function) {
  auto s = snapshot();
  if (!find_in(s->functions, function)) return not_found(function);
  std::vector<Alias> out;
  if (auto* as = find_in(s->aliases, function))
    for (const auto& [n, a] : *as) out.push_back(a);
  return out;
}

base::Result<Registry::Provisioned> Registry::set_provisioned(const std::string& function, const std::string& qualifier,
                                                             int count) {
  if (qualifier.empty() || qualifier == "$LATEST")
    return make_error(ErrorCode::kInvalidArgument, "Provisioned concurrency needs a published version or an alias");
  std::lock_guard lock(write_mu_);
  if (auto c = resolve_in(*snapshot(), function, qualifier); !c) return c.error();
  Provisioned p{function, qualifier, count, base::now_ms()};
  auto saved = guarded([&]() -> base::Status {
    auto st = db_.prepare(
        "INSERT OR REPLACE INTO provisioned(function, qualifier, count, last_modified_ms) VALUES(?,?,?,?)");
    st.bind(1, function).bind(2, qualifier).bind(3, int64_t{count}).bind(4, p.last_modified_ms);
    return st.run();
  });
  if (!saved) return saved.error();
  publish([&](Snapshot& s) { s.provisioned[{function, qualifier}] = p; });
  return p;
}

base::Result<Registry::Provisioned> Registry::get_provisioned(const std::string& function, const std::string& qualifier) {
  auto s = snapshot();
  auto* p = find_in(s->provisioned, std::pair{function, qualifier});
  if (!p) return make_error(ErrorCode::kNotFound, "No Provisioned Concurrency Config found for this function");
  return *p;
}

base::Status Registry::delete_provisioned(const std::string& function, const std::string& qualifier) {
  std::lock_guard lock(write_mu_);
  auto deleted = guarded([&]() -> base::Status {
    auto st = db_.prepare("DELETE FROM provisioned WHERE function = ? AND qualifier = ?");
    st.bind(1, function).bind(2, qualifier);
    return st.run();
  });
  if (!deleted) return deleted;
  publish([&](Snapshot& s) { s.provisioned.erase({function, qualifier}); });
  return {};
}

std::vector<Registry::Provisioned> Registry::all_provisioned() {
  auto s = snapshot();
  std::vector<Provisioned> out;
  for (const auto& [k, p] : s->provisioned) out.push_back(p);
  return out;
}

namespace {

// The key of a qualifier's config: "" is $LATEST's.
std::string config_key(const std::string& qualifier) { return qualifier.empty() ? "$LATEST" : qualifier; }

std::string config_arn(const std::string& function, const std::string& qualifier) {
  return function_arn("us-east-1", function, qualifier == "$LATEST" ? "" : qualifier);
}

}  // namespace

base::Result<EventInvokeConfig> Registry::set_event_invoke_config(const std::string& function,
                                                                 const std::string& qualifier,
                                                                 EventInvokeConfig config) {
  std::string key = config_key(qualifier);
  std::lock_guard lock(write_mu_);
  auto snap = snapshot();
  if (!find_in(snap->functions, function)) return not_found(function);
  // A version or alias the function has (Lambda: 404 for one it lacks).
  if (key != "$LATEST" && !find_version(*snap, function, key) && !find_alias(*snap, function, key))
    return make_error(ErrorCode::kNotFound, "Function not found: " + function_arn("us-east-1", function, key));
  config.last_modified_ms = base::now_ms();
  auto saved = guarded([&]() -> base::Status {
    auto st = db_.prepare(
        "INSERT OR REPLACE INTO invoke_configs(function, qualifier, max_retry, max_age, on_failure, "
        "last_modified_ms, on_success) VALUES(?,?,?,?,?,?,?)");
    st.bind(1, function).bind(2, key);
    if (config.max_retry_attempts) st.bind(3, int64_t{*config.max_retry_attempts});
    else st.bind_null(3);
    if (config.max_event_age_s) st.bind(4, int64_t{*config.max_event_age_s});
    else st.bind_null(4);
    st.bind(5, config.on_failure).bind(6, config.last_modified_ms).bind(7, config.on_success);
    return st.run();
  });
  if (!saved) return saved.error();
  publish([&](Snapshot& s) { s.invoke_configs[{function, key}] = config; });
  return config;
}

base::Result<EventInvokeConfig> Registry::get_event_invoke_config(const std::string& function,
                                                                 const std::string& qualifier) {
  auto s = snapshot();
  if (!find_in(s->functions, function)) return not_found(function);
  auto* c = find_in(s->invoke_configs, std::pair{function, config_key(qualifier)});
  if (!c)
    return make_error(ErrorCode::kNotFound,
                      "The function " + config_arn(function, config_key(qualifier)) + " doesn't have an EventInvokeConfig");
  return *c;
}

base::Status Registry::delete_event_invoke_config(const std::string& function, const std::string& qualifier) {
  std::string key = config_key(qualifier);
  std::lock_guard lock(write_mu_);
  auto snap = snapshot();
  if (!find_in(snap->functions, function)) return not_found(function);
  if (!find_in(snap->invoke_configs, std::pair{function, key}))
    return make_error(ErrorCode::kNotFound,
                      "The function " + config_arn(function, key) + " doesn't have an EventInvokeConfig");
  auto deleted = guarded([&]() -> base::Status {
    auto st = db_.prepare("DELETE FROM invoke_configs WHERE function = ? AND qualifier = ?");
    st.bind(1, function).bind(2, key);
    return st.run();
  });
  if (!deleted) return deleted;
  publish([&](Snapshot& s) { s.invoke_configs.erase({function, key}); });
  return {};
}

base::Result<std::vector<std::pair<std::string, EventInvokeConfig>>> Registry::list_event_invoke_configs(
    const std::string& function) {
  auto s = snapshot();
  if (!find_in(s->functions, function)) return not_found(function);
  std::vector<std::pair<std::string, EventInvokeConfig>> out;
  for (auto it = s->invoke_configs.lower_bound({function, ""});
       it != s->invoke_configs.end() && it->first.first == function; ++it)
    out.emplace_back(it->first.second, it->second);
  return out;
}

base::Result<Registry::Tags> Registry::tags(const std::string& function) {
  auto s = snapshot();
  if (!find_in(s->functions, function)) return not_found(function);
  auto* t = find_in(s->tags, function);
  return t ? *t : Tags{};
}

base::Status Registry::tag(const std::string& function, const Tags& add) {
  std::lock_guard lock(write_mu_);
  if (!find_in(snapshot()->functions, function)) return not_found(function);
  auto saved = in_transaction(db_, [&]() -> base::Status {
    for (const auto& [k, v] : add) {
      auto st = db_.prepare("INSERT OR REPLACE INTO tags(function, key, value) VALUES(?,?,?)");
      st.bind(1, function).bind(2, k).bind(3, v);
      if (auto s = st.run(); !s) return s;
    }
    return {};
  });
  if (!saved) return saved;
  publish([&](Snapshot& s) {
    for (const auto& [k, v] : add) s.tags[function][k] = v;
  });
  return {};
}

base::Status Registry::untag(const std::string& function, const std::vector<std::string>& keys) {
  std::lock_guard lock(write_mu_);
  if (!find_in(snapshot()->functions, function)) return not_found(function);
  auto saved = in_transaction(db_, [&]() -> base::Status {
    for (const auto& k : keys) {
      auto st = db_.prepare("DELETE FROM tags WHERE function = ? AND key = ?");
      st.bind(1, function).bind(2, k);
      if (auto s = st.run(); !s) return s;
    }
    return {};
  });
  if (!saved) return saved;
  publish([&](Snapshot& s) {
    if (auto it = s.tags.find(function); it != s.tags.end()) {
      for (const auto& k : keys) it->second.erase(k);
      if (it->second.empty()) s.tags.erase(it);
    }
  });
  return {};
}

namespace {

base::Error no_policy() {
  return make_error(ErrorCode::kNotFound, "The resource you requested does not exist.");
}

// The function, or the version or alias a policy is attached to, exists.
base::Status policy_target_exists(const Registry::Snapshot& s, const std::string& function,
                                  const std::string& qualifier) {
  if (!find_in(s.functions, function)) return not_found(function);
  if (qualifier.empty() || find_version(s, function, qualifier) || find_alias(s, function, qualifier)) return {};
  if (qualifier == "$LATEST")
    return make_error(ErrorCode::kInvalidArgument, "We currently do not support adding policies for $LATEST.");
  return make_error(ErrorCode::kNotFound, "Function not found: " + function_arn("us-east-1", function, qualifier));
}

}  // namespace

base::Status Registry::save_policy(const std::string& function, const std::string& qualifier, const Policy& p) {
  return guarded([&]() -> base::Status {
    if (p.statements.empty()) {
      auto st = db_.prepare("DELETE FROM policies WHERE function = ? AND qualifier = ?");
      st.bind(1, function).bind(2, qualifier);
      return st.run();
    }
    auto st = db_.prepare(
        "INSERT OR REPLACE INTO policies(function, qualifier, statements, revision_id) VALUES(?,?,?,?)");
    st.bind(1, function).bind(2, qualifier).bind_blob(3, encode_pairs(p.statements)).bind(4, p.revision_id);
    return st.run();
  });
}

base::Result<Registry::Policy> Registry::get_policy(const std::string& function, const std::string& qualifier) {
  auto s = snapshot();
  if (auto ok = policy_target_exists(*s, function, qualifier); !ok) return ok.error();
  auto* p = find_in(s->policies, std::pair{function, qualifier});
  if (!p) return no_policy();
  return *p;
}

base::Result<Registry::Policy> Registry::add_statement(const std::string& function, const std::string& qualifier,
                                                       const std::string& sid, const std::string& statement,
                                                       const std::string& expected_revision) {
  std::lock_guard lock(write_mu_);
  auto snap = snapshot();
  if (auto ok = policy_target_exists(*snap, function, qualifier); !ok) return ok.error();
  Policy p;
  if (auto* current = find_in(snap->policies, std::pair{function, qualifier})) p = *current;
  if (auto s = check_revision(expected_revision, p.revision_id, "GetPolicy"); !s) return s.error();
  for (const auto& [id, text] : p.statements)
    if (id == sid)
      return make_error(ErrorCode::kConflict, "The statement id (" + sid + ") provided already exists. Please "
                                              "provide a new statement id, or remove the existing statement.");
  p.statements.emplace_back(sid, statement);
  p.revision_id = base::uuid4();
  if (auto s = save_policy(function, qualifier, p); !s) return s.error();
  publish([&](Snapshot& s) { s.policies[{function, qualifier}] = p; });
  return p;
}

base::Result<Registry::Policy> Registry::remove_statement(const std::string& function, const std::string& qualifier,
                                                          const std::string& sid,
                                                          const std::string& expected_revision) {
  std::lock_guard lock(write_mu_);
  auto snap = snapshot();
  if (auto ok = policy_target_exists(*snap, function, qualifier); !ok) return ok.error();
  auto* current = find_in(snap->policies, std::pair{function, qualifier});
  if (!current) return no_policy();
  if (auto s = check_revision(expected_revision, current->revision_id, "GetPolicy"); !s) return s.error();
  Policy p = *current;
  auto before = p.statements.size();
  std::erase_if(p.statements, [&](const auto& st) { return st.first == sid; });
  if (p.statements.size() == before)
    return make_error(ErrorCode::kNotFound, "Statement " + sid + " is not found in resource policy.");
  p.revision_id = base::uuid4();
  if (auto s = save_policy(function, qualifier, p); !s) return s.error();
  publish([&](Snapshot& s) {
    if (p.statements.empty())
      s.policies.erase({function, qualifier});
    else
      s.policies[{function, qualifier}] = p;
  });
  return p;
}

namespace {

base::Error url_not_found() {
  return make_error(ErrorCode::kNotFound, "The resource you requested does not exist.");
}

// 32 characters of [0-9a-z], as Lambda's url ids.
std::string new_url_id() {
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string bytes = base::random_bytes(32), id;
  for (unsigned char b : bytes) id += kAlphabet[b % 36];
  return id;
}

}  // namespace

base::Result<Registry::FunctionUrl> Registry::create_url(const std::string& function, const std::string& qualifier,
                                                         const std::string& config) {
  std::lock_guard lock(write_mu_);
  auto snap = snapshot();
  if (!find_in(snap->functions, function)) return not_found(function);
  if (!qualifier.empty() && !find_alias(*snap, function, qualifier)) return alias_not_found(function, qualifier);
  if (find_in(snap->urls, std::pair{function, qualifier}))
    return make_error(ErrorCode::kAlreadyExists, "FunctionUrlConfig exists for this Lambda function");
  FunctionUrl u{function, qualifier, "", config, base::now_ms(), 0};
  do u.url_id = new_url_id();
  while (snap->url_ids.count(u.url_id));
  u.modified_ms = u.created_ms;
  auto saved = guarded([&]() -> base::Status {
    auto st = db_.prepare(
        "INSERT INTO function_urls(function, qualifier, url_id, config, created_ms, modified_ms) VALUES(?,?,?,?,?,?)");
    st.bind(1, function).bind(2, qualifier).bind(3, u.url_id).bind(4, config).bind(5, u.created_ms).bind(6, u.modified_ms);
    return st.run();
  });
  if (!saved) return saved.error();
  publish([&](Snapshot& s) {
    s.urls[{function, qualifier}] = u;
    s.url_ids[u.url_id] = {function, qualifier};
  });
  return u;
}

base::Result<Registry::FunctionUrl> Registry::get_url(const std::string& function, const std::string& qualifier) {
  auto s = snapshot();
  if (!find_in(s->functions, function)) return not_found(function);
  if (!qualifier.empty() && !find_alias(*s, function, qualifier)) return alias_not_found(function, qualifier);
  auto* u = find_in(s->urls, std::pair{function, qualifier});
  if (!u) return url_not_found();
  return *u;
}

base::Result<Registry::FunctionUrl> Registry::update_url(const std::string& function, const std::string& qualifier,
                                                         const std::string& config) {
  std::lock_guard lock(write_mu_);
  auto old = get_url(function, qualifier);
  if (!old) return old.error();
  FunctionUrl u = *old;
  u.config = config;
  u.modified_ms = base::now_ms();
  auto saved = guarded([&]() -> base::Status {
    auto st = db_.prepare("UPDATE function_urls SET config = ?, modified_ms = ? WHERE function = ? AND qualifier = ?");
    st.bind(1, config).bind(2, u.modified_ms).bind(3, function).bind(4, qualifier);
    return st.run();
  });
  if (!saved) return saved.error();
  publish([&](Snapshot& s) { s.urls[{function, qualifier}] = u; });
  return u;
}

base::Status Registry::delete_url(const std::string& function, const std::string& qualifier) {
  std::lock_guard lock(write_mu_);
  auto old = get_url(function, qualifier);
  if (!old) return old.error();
  auto deleted = guarded([&]() -> base::Status {
    auto st = db_.prepare("DELETE FROM function_urls WHERE function = ? AND qualifier = ?");
    st.bind(1, function).bind(2, qualifier);
    return st.run();
  });
  if (!deleted) return deleted;
  publish([&](Snapshot& s) {
    s.urls.erase({function, qualifier});
    s.url_ids.erase(old->url_id);
  });
  return {};
}

base::Result<std::vector<Registry::FunctionUrl>> Registry::list_urls(const std::string& function) {
  auto s = snapshot();
  if (!find_in(s->functions, function)) return not_found(function);
  std::vector<FunctionUrl> out;
  for (auto it = s->urls.lower_bound({function, ""}); it != s->urls.end() && it->first.first == function; ++it)
    out.push_back(it->second);
  return out;
}

}  // namespace nimbus::functions
