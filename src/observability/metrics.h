// Metrics in Prometheus' model: counters, gauges and histograms, each a
// family of series told apart by labels, written out in the text exposition
// format (version 0.0.4) for `GET /metrics`. Families are declared once with
// their help text (and buckets); any thread then updates series by name and
// labels. Gauges that are cheaper to read than to track (queue depths,
// instances) are filled by collectors run at each scrape.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nimbus::observability {

using Labels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType { kCounter, kGauge, kHistogram };

// Seconds, from 1 ms to 1 minute: latencies of requests and invocations.
std::vector<double> latency_buckets();

class Metrics {
 public:
  Metrics();
  ~Metrics();
  void declare(std::string name, MetricType type, std::string help, std::vector<double> buckets = {});
  void add(std::string_view name, const Labels& labels, double value = 1);  // counters
  void set(std::string_view name, const Labels& labels, double value);      // gauges
  void observe(std::string_view name, const Labels& labels, double value);  // histograms
  // Runs before each render; the gauges it sets replace the family's series
  // of the previous scrape (a function that is gone disappears).
  void add_collector(std::vector<std::string> families, std::function<void(Metrics&)> collect);
  std::string render();

  struct Family;

 private:
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
  std::vector<std::pair<std::vector<std::string>, std::function<void(Metrics&)>>> collectors_;
  std::mutex collect_mu_;  // one scrape at a time
};

}  // namespace nimbus::observability
