#include "base/due_loop.h"

#include <algorithm>
#include <chrono>

namespace nimbus::base {

DueLoop::DueLoop(const Clock& clock, const ScaledClock* scaled, std::function<int64_t()> turn)
    : clock_(clock), scaled_(scaled), turn_(std::move(turn)) {}

DueLoop::~DueLoop() { stop(); }

void DueLoop::start() {
  std::lock_guard l(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void DueLoop::stop() {
  {
    std::lock_guard l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DueLoop::poke() {
  {
    std::lock_guard l(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

void DueLoop::loop() {
  std::unique_lock l(mu_);
  while (!stopping_) {
    // A poke that arrives during the turn is kept, so the change it announces is never slept through.
    poked_ = false;
    l.unlock();
    int64_t next = turn_();
    l.lock();
    if (stopping_) break;
    if (poked_) continue;
    if (next == 0) {
      cv_.wait(l, [this] { return stopping_ || poked_; });
      continue;
    }
    int64_t wait_ms = scaled_ ? scaled_->real_ms_until(next) : std::max<int64_t>(0, next - clock_.now_ms());
    cv_.wait_for(l, std::chrono::milliseconds(wait_ms), [this] { return stopping_ || poked_; });
  }
}

}  // namespace nimbus::base
