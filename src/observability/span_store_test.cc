#include "observability/span_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>

#include "base/time.h"
#include "observability/otlp_exporter.h"

namespace nimbus::observability {
namespace {

namespace fs = std::filesystem;

Span span(const std::string& trace, const std::string& id, const std::string& parent, int64_t start, int64_t dur,
          const std::string& op) {
  Span s;
  s.trace_id = trace;
  s.span_id = id;
  s.parent_id = parent;
  s.service = op == "Invoke" ? "lambda" : "s3";
  s.operation = op;
  s.resource = "r";
  s.start_us = start;
  s.duration_us = dur;
  s.status = "ok";
  return s;
}

TEST(SpanStore, TracesByIdRecentFirstAndExported) {
  auto dir = fs::temp_directory_path() / ("nimbus-spans-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto store = SpanStore::open(dir.string(), {});
  ASSERT_TRUE(store) << store.error().message;
  std::vector<Span> exported;
  (*store)->set_exporter([&](const std::vector<Span>& batch) { exported.insert(exported.end(), batch.begin(), batch.end()); });
  int64_t now = base::now_ms() * 1000;
  const std::string a = "1-5759e988-bd862e3fe1be46a994272793", b = "1-5759e989-000000000000000000000001";
  (*store)->record(span(a, "00000000000000a2", "00000000000000a1", now + 10, 5, "Invoke"));
  (*store)->record(span(a, "00000000000000a1", "", now, 30, "PutObject"));
  (*store)->record(span(b, "00000000000000b1", "", now + 100, 1, "GetObject"));
  (*store)->flush();
  auto t = (*store)->trace(a);
  ASSERT_TRUE(t);
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ((*t)[0].operation, "PutObject");  // by start time
  EXPECT_EQ((*t)[1].parent_id, "00000000000000a1");
  auto recent = (*store)->recent(10);
  ASSERT_TRUE(recent);
  ASSERT_EQ(recent->size(), 2u);
  EXPECT_EQ((*recent)[0].trace_id, b);
  EXPECT_EQ((*recent)[1].spans, 2);
  EXPECT_EQ((*recent)[1].first, "s3 PutObject r");
  EXPECT_EQ(exported.size(), 3u);

  auto body = boost::json::parse(OtlpExporter::to_json(*t)).as_object();
  auto& spans = body["resourceSpans"].as_array()[0].as_object()["scopeSpans"].as_array()[0].as_object()["spans"].as_array();
  ASSERT_EQ(spans.size(), 2u);
  auto& first = spans[0].as_object();
  EXPECT_EQ(first["traceId"].as_string(), "5759e988bd862e3fe1be46a994272793");
  EXPECT_EQ(first["spanId"].as_string(), "00000000000000a1");
  EXPECT_FALSE(first.contains("parentSpanId"));
  EXPECT_EQ(spans[1].as_object()["parentSpanId"].as_string(), "00000000000000a1");
  EXPECT_EQ(first["startTimeUnixNano"].as_string(), std::to_string(now * 1000));
  store->reset();
  fs::remove_all(dir);
}

TEST(OtlpExporter, EndpointForms) {
  EXPECT_TRUE(OtlpExporter::create("http://127.0.0.1:4318"));
  EXPECT_TRUE(OtlpExporter::create("http://collector:4318/v1/traces"));
  EXPECT_FALSE(OtlpExporter::create("https://collector:4318"));
  EXPECT_FALSE(OtlpExporter::create("not a url"));
}

}  // namespace
}  // namespace nimbus::observability
