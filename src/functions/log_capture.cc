#include "functions/log_capture.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace nimbus::functions {

void LineSplitter::pass(std::string line, bool ends, const OnLine& on_line) {
  if (!continuing_ && !line.empty() && line[0] == kEventMark) {
    framed_ = true;
    line.erase(0, 1);
  }
  if (framed_) std::replace(line.begin(), line.end(), '\r', '\n');
  on_line(line);
  continuing_ = !ends;
  if (ends) framed_ = false;
}

void LineSplitter::feed(std::string_view bytes, const OnLine& on_line) {
  partial_.append(bytes);
  size_t nl;
  while ((nl = partial_.find('\n')) != std::string::npos) {
    pass(partial_.substr(0, nl), true, on_line);
    partial_.erase(0, nl + 1);
  }
  if (partial_.size() >= kMaxLineBytes) {
    pass(partial_.substr(0, kMaxLineBytes), false, on_line);
    partial_.erase(0, kMaxLineBytes);
  }
}

void LineSplitter::finish(const OnLine& on_line) {
  if (!partial_.empty()) pass(std::exchange(partial_, {}), true, on_line);
}

void LogTail::add(std::string_view line) {
  text_.append(line).push_back('\n');
  // Trimmed now and then rather than at every line.
  if (text_.size() > 64 * 1024) text_.erase(0, text_.size() - kTailBytes);
}

std::string LogTail::tail() const {
  return text_.size() > kTailBytes ? text_.substr(text_.size() - kTailBytes) : text_;
}

EchoBudget::Verdict EchoBudget::admit(const std::string& function) {
  auto& w = windows_[function];
  if (!w.start_ms || clock_.steady_ms() - *w.start_ms > kWindowMs) end_window(function);
  if (++w.lines <= kLinesPerWindow) return Verdict::kEcho;
  return w.held_back++ == 0 ? Verdict::kFirstHeld : Verdict::kHeld;
}

int64_t EchoBudget::window_end_ms(const std::string& function) const {
  auto it = windows_.find(function);
  return it == windows_.end() || !it->second.start_ms ? clock_.steady_ms() : *it->second.start_ms + kWindowMs;
}

void EchoBudget::end_window(const std::string& function) {
  auto& w = windows_[function];
  if (w.held_back > 0)
    spdlog::info("[{}] {} more lines of output in {} s are not in nimbus's log{}", function, w.held_back,
                 kWindowMs / 1000, in_log_store_ ? " (all are in the log group /aws/lambda/" + function + ")" : "");
  w = {clock_.steady_ms(), 0, 0};
}

}  // namespace nimbus::functions
