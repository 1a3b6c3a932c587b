#include "observability/span_store.h"

#include <spdlog/spdlog.h>

#include <mutex>

#include "base/sqlite.h"
#include "base/time.h"
#include "observability/batch_writer.h"
#include "observability/store_db.h"

namespace nimbus::observability {

namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS spans(
  id INTEGER PRIMARY KEY, trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_id TEXT NOT NULL,
  service TEXT NOT NULL, operation TEXT NOT NULL, resource TEXT NOT NULL, start_us INTEGER NOT NULL,
  duration_us INTEGER NOT NULL, status TEXT NOT NULL, cold_start INTEGER NOT NULL, request_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS spans_by_trace ON spans(trace_id);
)";

Span span_from(base::Statement& st) {
  Span s;
  s.trace_id = st.text(0);
  s.span_id = st.text(1);
  s.parent_id = st.text(2);
  s.service = st.text(3);
  s.operation = st.text(4);
  s.resource = st.text(5);
  s.start_us = st.integer(6);
  s.duration_us = st.integer(7);
  s.status = st.text(8);
  s.cold_start = st.integer(9) != 0;
  s.request_id = st.text(10);
  return s;
}

}  // namespace

struct SpanStore::Impl {
  SpanStoreOptions options;
  std::mutex write_mu;
  base::Connection wdb;
  std::mutex read_mu;
  base::Connection rdb;
  std::mutex exporter_mu;
  std::function<void(const std::vector<Span>&)> exporter;
  std::unique_ptr<BatchWriter<Span>> writer;

  void write(std::vector<Span>& batch) {
    {
      std::lock_guard lock(write_mu);
      try {
        if (!wdb.exec("BEGIN IMMEDIATE")) throw std::runtime_error("cannot begin");
        for (const auto& s : batch) {
          auto st = wdb.prepare(
              "INSERT INTO spans(trace_id, span_id, parent_id, service, operation, resource, start_us, duration_us, "
              "status, cold_start, request_id) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
          st.bind(1, s.trace_id).bind(2, s.span_id).bind(3, s.parent_id).bind(4, s.service).bind(5, s.operation);
          st.bind(6, s.resource).bind(7, s.start_us).bind(8, s.duration_us).bind(9, s.status);
          st.bind(10, int64_t{s.cold_start}).bind(11, s.request_id);
          if (auto r = st.run(); !r) throw std::runtime_error(r.error().message);
        }
        if (!wdb.exec("COMMIT")) throw std::runtime_error("cannot commit");
      } catch (const std::exception& e) {
        spdlog::error("traces: could not store {} spans: {}", batch.size(), e.what());
        (void)wdb.exec("ROLLBACK");
      }
    }
    std::lock_guard lock(exporter_mu);
    if (exporter) exporter(batch);
  }

  void enforce() {
    std::lock_guard lock(write_mu);
    int64_t cutoff = base::now_ms() * 1000 - std::chrono::duration_cast<std::chrono::microseconds>(options.retention).count();
    (void)wdb.prepare("DELETE FROM spans WHERE start_us < ?").bind(1, cutoff).run();
    (void)wdb.prepare("DELETE FROM spans WHERE id <= (SELECT max(id) FROM spans) - ?").bind(1, options.max_spans).run();
  }
};

SpanStore::SpanStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SpanStore::~SpanStore() { impl_->writer.reset(); }

base::Result<std::unique_ptr<SpanStore>> SpanStore::open(const std::string& dir, SpanStoreOptions options) {
  auto db = open_store_db(dir, "traces.db", kSchema);
  if (!db) return db.error();
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->wdb = std::move(db->writer);
  impl->rdb = std::move(db->reader);
  std::unique_ptr<SpanStore> store(new SpanStore(std::move(impl)));
  Impl* i = store->impl_.get();
  i->writer = std::make_unique<BatchWriter<Span>>(BatchWriter<Span>::Options{
      options.flush_interval, [i](std::vector<Span>& batch) { i->write(batch); }, options.retention_interval,
      [i] { i->enforce(); }});
  return store;
}

void SpanStore::record(Span span) {
  std::vector<Span> one;
  one.push_back(std::move(span));
  impl_->writer->push(std::move(one), 0);
}

void SpanStore::flush() { impl_->writer->flush(); }

void SpanStore::set_exporter(std::function<void(const std::vector<Span>&)> exporter) {
  std::lock_guard lock(impl_->exporter_mu);
  impl_->exporter = std::move(exporter);
}

base::Result<std::vector<Span>> SpanStore::trace(const std::string& trace_id) {
  std::lock_guard lock(impl_->read_mu);
  auto st = impl_->rdb.prepare(
      "SELECT trace_id, span_id, parent_id, service, operation, resource, start_us, duration_us, status, cold_start, "
      "request_id FROM spans WHERE trace_id = ? ORDER BY start_us, id");
  st.bind(1, trace_id);
  std::vector<Span> out;
  while (st.step()) out.push_back(span_from(st));
  return out;
}

base::Result<std::vector<TraceSummary>> SpanStore::recent(size_t limit) {
  std::lock_guard lock(impl_->read_mu);
  auto st = impl_->rdb.prepare(
      "SELECT trace_id, min(start_us), max(start_us + duration_us), count(*), max(id) FROM spans "
      "WHERE id > (SELECT coalesce(max(id), 0) FROM spans) - 100000 GROUP BY trace_id ORDER BY max(id) DESC LIMIT ?");
  st.bind(1, static_cast<int64_t>(limit));
  std::vector<TraceSummary> out;
  while (st.step())
    out.push_back(TraceSummary{st.text(0), st.integer(1), st.integer(2), static_cast<int>(st.integer(3)), ""});
  st.reset();
  for (auto& t : out) {
    auto first = impl_->rdb.prepare(
        "SELECT service, operation, resource FROM spans WHERE trace_id = ? ORDER BY start_us, id LIMIT 1");
    first.bind(1, t.trace_id);
    if (first.step()) t.first = first.text(0) + " " + first.text(1) + " " + first.text(2);
  }
  return out;
}

}  // namespace nimbus::observability
