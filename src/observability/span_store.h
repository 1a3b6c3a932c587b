// Spans of traces: what each piece of work did (an S3 request, an
// invocation), which trace it belongs to and which span caused it. Recorded
// from any thread, written in batches (SQLite, <dir>/traces.db), kept for
// a while (age and count bounds), read back by trace id for `nimbus trace`,
// and passed on to an exporter (OTLP) when one is configured.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"

namespace nimbus::observability {

struct Span {
  std::string trace_id;   // X-Ray root: "1-5759e988-bd862e3fe1be46a994272793"
  std::string span_id;    // 16 hex
  std::string parent_id;  // empty: the trace's first span
  std::string service;    // "s3", "lambda"
  std::string operation;  // "PutObject", "Invoke"
  std::string resource;   // "photos/input/cat.jpg", "thumbnail"
  int64_t start_us = 0;   // since the epoch
  int64_t duration_us = 0;
  std::string status;     // "200", "ok", "error", "timeout", "throttled"
  bool cold_start = false;
  std::string request_id;
};

struct TraceSummary {
  std::string trace_id;
  int64_t start_us = 0;
  int64_t end_us = 0;
  int spans = 0;
  std::string first;  // "s3 PutObject photos/input/cat.jpg"
};

struct SpanStoreOptions {
  std::chrono::hours retention{24 * 7};
  int64_t max_spans = 1'000'000;
  std::chrono::milliseconds flush_interval{50};
  std::chrono::seconds retention_interval{60};
};

class SpanStore {
 public:
  static base::Result<std::unique_ptr<SpanStore>> open(const std::string& dir, SpanStoreOptions options);
  ~SpanStore();
  void record(Span span);
  void flush();
  // Every recorded span is also handed to `exporter`, in batches, on the writer thread.
  void set_exporter(std::function<void(const std::vector<Span>&)> exporter);
  base::Result<std::vector<Span>> trace(const std::string& trace_id);  // by start time
  base::Result<std::vector<TraceSummary>> recent(size_t limit);       // newest first

  struct Impl;

 private:
  explicit SpanStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace nimbus::observability
