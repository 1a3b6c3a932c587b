#include "observability/metrics.h"

#include <cmath>
#include <cstdio>

namespace nimbus::observability {

namespace {

struct Series {
  double value = 0;
  std::vector<uint64_t> buckets;  // cumulative at render time, per bucket here
  double sum = 0;
  uint64_t count = 0;
};

// {a="x",b="y"}, values escaped as the exposition format wants.
std::string label_text(const Labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ',';
    out += labels[i].first;
    out += "=\"";
    for (char c : labels[i].second) {
      if (c == '\\') out += "\\\\";
      else if (c == '"') out += "\\\"";
      else if (c == '\n') out += "\\n";
      else out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

// `le` goes last among a bucket's labels.
std::string with_le(const std::string& labels, const std::string& le) {
  if (labels.empty()) return "{le=\"" + le + "\"}";
  return labels.substr(0, labels.size() - 1) + ",le=\"" + le + "\"}";
}

}  // namespace

struct Metrics::Family {
  MetricType type;
  std::string help;
  std::vector<double> bounds;
  std::map<std::string, Series> series;  // by label text
};

std::vector<double> latency_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

void Metrics::declare(std::string name, MetricType type, std::string help, std::vector<double> buckets) {
  std::lock_guard lock(mu_);
  auto f = std::make_unique<Family>();
  f->type = type;
  f->help = std::move(help);
  f->bounds = std::move(buckets);
  families_[std::move(name)] = std::move(f);
}

void Metrics::add(std::string_view name, const Labels& labels, double value) {
  std::string key = label_text(labels);
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) it->second->series[key].value += value;
}

void Metrics::set(std::string_view name, const Labels& labels, double value) {
  std::string key = label_text(labels);
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) it->second->series[key].value = value;
}

void Metrics::observe(std::string_view name, const Labels& labels, double value) {
  std::string key = label_text(labels);
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return;
  Family& f = *it->second;
  Series& s = f.series[key];
  if (s.buckets.empty()) s.buckets.assign(f.bounds.size(), 0);
  for (size_t i = 0; i < f.bounds.size(); ++i)
    if (value <= f.bounds[i]) {
      ++s.buckets[i];
      break;
    }
  s.sum += value;
  ++s.count;
}

void Metrics::add_collector(std::vector<std::string> families, std::function<void(Metrics&)> collect) {
  std::lock_guard lock(collect_mu_);
  collectors_.emplace_back(std::move(families), std::move(collect));
}

std::string Metrics::render() {
  {
    std::lock_guard collecting(collect_mu_);
    for (auto& [names, collect] : collectors_) {
      {
        std::lock_guard lock(mu_);
        for (const auto& n : names)
          if (auto it = families_.find(n); it != families_.end()) it->second->series.clear();
      }
      collect(*this);
    }
  }
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    const char* type = f->type == MetricType::kCounter ? "counter" : f->type == MetricType::kGauge ? "gauge" : "histogram";
    out += "# HELP " + name + " " + f->help + "\n# TYPE " + name + " " + type + "\n";
    for (const auto& [labels, s] : f->series) {
      if (f->type != MetricType::kHistogram) {
        out += name + labels + " " + number(s.value) + "\n";
        continue;
      }
      uint64_t cumulative = 0;
      for (size_t i = 0; i < f->bounds.size(); ++i) {
        cumulative += s.buckets.empty() ? 0 : s.buckets[i];
        out += name + "_bucket" + with_le(labels, number(f->bounds[i])) + " " + std::to_string(cumulative) + "\n";
      }
      out += name + "_bucket" + with_le(labels, "+Inf") + " " + std::to_string(s.count) + "\n";
      out += name + "_sum" + labels + " " + number(s.sum) + "\n";
      out += name + "_count" + labels + " " + std::to_string(s.count) + "\n";
    }
  }
  return out;
}

}  // namespace nimbus::observability
