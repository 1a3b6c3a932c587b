// Function logs, kept as CloudWatch Logs keeps them: log groups
// (`/aws/lambda/NAME`), a stream per instance, events with a timestamp and
// the request id they belong to. Any thread appends; one writer thread
// stores the lines in batches (SQLite, <dir>/logs.db), so a function that
// prints fast costs one transaction per batch, not per line. Lines over
// CloudWatch's event size are split, as Lambda does. Retention by age (per
// group, or the default) and by total size. Queries serve `nimbus logs` and
// the CloudWatch Logs API.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace nimbus::observability {

// CloudWatch's limit on one event: 256 KiB including 26 bytes of overhead.
constexpr size_t kMaxEventBytes = 256 * 1024 - 26;

struct LogEvent {
  int64_t id = 0;  // ascending in the order lines were appended
  std::string stream;
  int64_t timestamp_ms = 0;
  int64_t ingestion_ms = 0;
  std::string request_id;
  std::string message;
};

struct LogGroupInfo {
  std::string name;
  int64_t created_ms = 0;
  std::optional<int> retention_days;
  uint64_t stored_bytes = 0;
};

struct LogStreamInfo {
  std::string name;
  int64_t created_ms = 0;
  int64_t first_event_ms = 0;
  int64_t last_event_ms = 0;
  int64_t last_ingestion_ms = 0;
};

// Events of a group in time order (FilterLogEvents, `nimbus logs`).
struct LogQuery {
  std::string group;
  std::vector<std::string> streams;  // empty: every stream
  std::string stream_prefix;
  int64_t start_ms = 0;  // [start_ms, end_ms)
  int64_t end_ms = std::numeric_limits<int64_t>::max();
  std::string pattern;     // a filter_pattern.h pattern
  std::string request_id;  // only this invocation's lines
  size_t limit = 10000;
  std::string after;  // a page's `next`: continue from there
};

// Events of one stream in order of arrival (GetLogEvents).
struct StreamQuery {
  std::string group;
  std::string stream;
  int64_t start_ms = 0;
  int64_t end_ms = std::numeric_limits<int64_t>::max();
  size_t limit = 10000;
  bool from_head = false;  // without a token: the oldest events, else the newest
  std::string token;       // "f/<id>" forward from, "b/<id>" backward from
};

struct LogPage {
  std::vector<LogEvent> events;
  std::string next;  // empty: nothing more now
  std::string forward, backward;  // StreamQuery's tokens
};

struct LogStoreOptions {
  int retention_days = 30;                 // default for groups without their own (0: forever)
  uint64_t max_bytes = uint64_t{1} << 30;  // beyond this, the oldest events go
  std::chrono::milliseconds flush_interval{20};
  std::chrono::seconds retention_interval{60};
};

class LogStore {
 public:
  static base::Result<std::unique_ptr<LogStore>> open(const std::string& dir, LogStoreOptions options);
  ~LogStore();

  void append(std::string_view group, std::string_view stream, std::string_view request_id, int64_t timestamp_ms,
              std::string_view message);
  // Bytes appended but not yet stored: callers slow their producers above a bound.
  uint64_t backlog_bytes() const;
  // Returns once everything appended before the call is stored.
  void flush();

  base::Result<std::vector<LogGroupInfo>> groups(std::string_view prefix);
  base::Result<std::vector<LogStreamInfo>> streams(std::string_view group, std::string_view prefix);
  base::Result<LogPage> query(const LogQuery& q);
  base::Result<LogPage> read_stream(const StreamQuery& q);
  base::Status create_group(std::string_view group);
  base::Status delete_group(std::string_view group);
  base::Status set_retention(std::string_view group, std::optional<int> days);
  // Deletes what retention says must go; the writer runs it periodically.
  base::Status enforce_retention(int64_t now_ms);

  struct Impl;

 private:
  explicit LogStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::observability
