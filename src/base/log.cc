#include "base/log.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <string>
#include <vector>

namespace nimbus::base {

namespace {

constexpr int kBurst = 50;                         // identical lines let through per window
constexpr std::chrono::seconds kWindow{10};
constexpr size_t kMaxKinds = 4096;

// Forwards to the real sink what the throttle lets through, plus its summaries.
class ThrottledSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ThrottledSink(spdlog::sink_ptr inner) : inner_(std::move(inner)), throttle_(kBurst, kWindow) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    auto now = std::chrono::steady_clock::now();
    if (now - last_sweep_ > std::chrono::seconds(1)) {
      last_sweep_ = now;
      for (auto& [sample, n] : throttle_.expired(now)) summary(msg, sample, n);
    }
    auto verdict = throttle_.admit(std::string_view(msg.payload.data(), msg.payload.size()), now);
    if (!verdict.pass) return;
    if (verdict.held_back > 0)
      summary(msg, std::string(msg.payload.data(), msg.payload.size()), verdict.held_back);
    inner_->log(msg);
  }
  void flush_() override { inner_->flush(); }

 private:
  void summary(const spdlog::details::log_msg& like, const std::string& sample, uint64_t n) {
    std::string text = fmt::format("log: {} similar lines held back in the last {} s, like: {}", n,
                                   kWindow.count(), sample.substr(0, 200));
    spdlog::details::log_msg m(like.logger_name, spdlog::level::warn, text);
    inner_->log(m);
  }

  spdlog::sink_ptr inner_;
  LogThrottle throttle_;
  std::chrono::steady_clock::time_point last_sweep_{};
};

}  // namespace

std::string LogThrottle::kind_of(std::string_view line) {
  std::string kind;
  kind.reserve(64);
  for (char ch : line.substr(0, 96)) {
    if (ch >= '0' && ch <= '9') continue;  // counters, ports, ids and sizes vary between repeats
    kind.push_back(ch);
  }
  return kind;
}

LogThrottle::Verdict LogThrottle::admit(std::string_view line, std::chrono::steady_clock::time_point now) {
  if (kinds_.size() > kMaxKinds) {
    for (auto it = kinds_.begin(); it != kinds_.end();)
      it = (now - it->second.window_start > window_ && it->second.held_back == 0) ? kinds_.erase(it) : std::next(it);
    if (kinds_.size() > kMaxKinds) kinds_.clear();
  }
  auto& k = kinds_[kind_of(line)];
  Verdict v;
  if (now - k.window_start > window_) {
    v.held_back = k.held_back;
    k.window_start = now;
    k.seen = 0;
    k.held_back = 0;
  }
  if (++k.seen > burst_) {
    if (k.held_back++ == 0) k.sample = std::string(line.substr(0, 200));
    v.pass = false;
  }
  return v;
}

std::vector<std::pair<std::string, uint64_t>> LogThrottle::expired(std::chrono::steady_clock::time_point now) {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (auto& [_, k] : kinds_) {
    if (k.held_back > 0 && now - k.window_start > window_) {
      out.emplace_back(k.sample, k.held_back);
      k.held_back = 0;
      k.seen = 0;
      k.window_start = now;
    }
  }
  return out;
}

void setup_logging(std::string_view level) {
  auto inner = std::make_shared<spdlog::sinks::stderr_color_sink_st>();
  inner->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v");  // the throttle forwards messages, the inner sink formats
  auto logger = std::make_shared<spdlog::logger>("nimbus", std::make_shared<ThrottledSink>(inner));
  logger->set_level(spdlog::level::from_str(std::string(level)));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace nimbus::base
