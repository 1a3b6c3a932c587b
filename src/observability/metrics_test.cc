#include "observability/metrics.h"

#include <gtest/gtest.h>

namespace nimbus::observability {
namespace {

bool has(const std::string& text, const std::string& line) { return text.find(line + "\n") != std::string::npos; }

TEST(Metrics, CountersGaugesAndHistogramsInTheExpositionFormat) {
  Metrics m;
  m.declare("nimbus_things_total", MetricType::kCounter, "Things done.");
  m.declare("nimbus_level", MetricType::kGauge, "A level.");
  m.declare("nimbus_wait_seconds", MetricType::kHistogram, "Waits.", {0.1, 1});
  m.add("nimbus_things_total", {{"kind", "a"}});
  m.add("nimbus_things_total", {{"kind", "a"}}, 2);
  m.add("nimbus_things_total", {{"kind", "say \"hi\""}});
  m.add("nimbus_undeclared_total", {});  // ignored
  m.set("nimbus_level", {}, 7);
  m.observe("nimbus_wait_seconds", {{"op", "x"}}, 0.05);
  m.observe("nimbus_wait_seconds", {{"op", "x"}}, 0.5);
  m.observe("nimbus_wait_seconds", {{"op", "x"}}, 5);
  std::string text = m.render();
  EXPECT_TRUE(has(text, "# HELP nimbus_things_total Things done.")) << text;
  EXPECT_TRUE(has(text, "# TYPE nimbus_things_total counter"));
  EXPECT_TRUE(has(text, "nimbus_things_total{kind=\"a\"} 3"));
  EXPECT_TRUE(has(text, "nimbus_things_total{kind=\"say \\\"hi\\\"\"} 1"));
  EXPECT_TRUE(has(text, "nimbus_level 7"));
  EXPECT_TRUE(has(text, "# TYPE nimbus_wait_seconds histogram"));
  EXPECT_TRUE(has(text, "nimbus_wait_seconds_bucket{op=\"x\",le=\"0.1\"} 1"));
  EXPECT_TRUE(has(text, "nimbus_wait_seconds_bucket{op=\"x\",le=\"1\"} 2"));
  EXPECT_TRUE(has(text, "nimbus_wait_seconds_bucket{op=\"x\",le=\"+Inf\"} 3"));
  EXPECT_TRUE(has(text, "nimbus_wait_seconds_sum{op=\"x\"} 5.55"));
  EXPECT_TRUE(has(text, "nimbus_wait_seconds_count{op=\"x\"} 3"));
  EXPECT_EQ(text.find("undeclared"), std::string::npos);
}

TEST(Metrics, CollectorsReplaceTheirGaugesAtEachScrape) {
  Metrics m;
  m.declare("nimbus_queue_depth", MetricType::kGauge, "Depth.");
  std::vector<std::string> functions{"a", "b"};
  m.add_collector({"nimbus_queue_depth"}, [&](Metrics& mm) {
    for (const auto& f : functions) mm.set("nimbus_queue_depth", {{"function", f}}, 1);
  });
  EXPECT_TRUE(has(m.render(), "nimbus_queue_depth{function=\"b\"} 1"));
  functions = {"a"};
  std::string text = m.render();
  EXPECT_TRUE(has(text, "nimbus_queue_depth{function=\"a\"} 1"));
  EXPECT_EQ(text.find("function=\"b\""), std::string::npos);
}

}  // namespace
}  // namespace nimbus::observability
